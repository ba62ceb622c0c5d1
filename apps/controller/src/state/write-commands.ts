/**
 * The Redis writes of one commit, in order, for the commit script (state-commit.ts) to run
 * in one atomic step. Variadic commands are cut into several of at most MAX_ARGUMENTS
 * arguments each: the script passes a command's arguments to `redis.call` with `unpack`,
 * which Redis's Lua caps at about 8,000 values. Cutting keeps the meaning of every command
 * used here (MSET's last value for a key still wins, set and sorted-set members are added
 * or removed alike).
 */
export const MAX_ARGUMENTS = 1000;

export class WriteCommands {
  private readonly commands: string[][] = [];

  /** How many commands (after cutting) the commit will run. */
  get length(): number {
    return this.commands.length;
  }

  /** SET key value, with options such as `EX seconds`. */
  set(key: string, value: string, ...options: (string | number)[]): this {
    return this.add('SET', [key, value, ...options.map(String)]);
  }

  /** MSET of [key, value, key, value, ...]. */
  mset(keyValues: readonly string[]): this {
    return this.each('MSET', [], keyValues, 2);
  }

  del(keys: readonly string[]): this {
    return this.each('DEL', [], keys, 1);
  }

  /** ZADD of members, every score 0 (the indexes sort by member). */
  zadd(key: string, members: readonly string[]): this {
    return this.each('ZADD', [key], members.flatMap((member) => ['0', member]), 2);
  }

  zrem(key: string, members: readonly string[]): this {
    return this.each('ZREM', [key], members, 1);
  }

  sadd(key: string, members: readonly string[]): this {
    return this.each('SADD', [key], members, 1);
  }

  srem(key: string, members: readonly string[]): this {
    return this.each('SREM', [key], members, 1);
  }

  hset(key: string, field: string, value: string | number): this {
    return this.add('HSET', [key, field, String(value)]);
  }

  hdel(key: string, fields: readonly string[]): this {
    return this.each('HDEL', [key], fields, 1);
  }

  /** PERSIST key: drops the key's time to live, if it has one. */
  persist(key: string): this {
    return this.add('PERSIST', [key]);
  }

  /** The commands as the commit script reads them: for each, its word count, its name, its arguments. */
  flatten(): string[] {
    const words: string[] = [];
    for (const command of this.commands) words.push(String(command.length), ...command);
    return words;
  }

  private add(name: string, args: string[]): this {
    this.commands.push([name, ...args]);
    return this;
  }

  /** `name fixed... items...`, cut into commands of at most MAX_ARGUMENTS items, whole groups of `group` each. */
  private each(name: string, fixed: readonly string[], items: readonly string[], group: number): this {
    const step = MAX_ARGUMENTS - (MAX_ARGUMENTS % group);
    for (let i = 0; i < items.length; i += step) this.add(name, [...fixed, ...items.slice(i, i + step)]);
    return this;
  }
}
