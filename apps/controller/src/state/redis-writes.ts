import type { WriteCommands } from './write-commands';

/**
 * Writes gathered by command, staged into a commit as one command per kind (and per key for
 * sorted sets and sets): DEL, then MSET, then ZREM, ZADD, SREM and SADD, then a PERSIST per
 * key. That order is what a record's writes need when one key or member appears in two of
 * them: a key deleted and set again ends set, a member removed from a set and added back
 * ends in it. Sorted-set members
 * all get score 0 (the indexes sort by member).
 */
export class RedisWrites {
  private readonly deleted: string[] = [];
  private readonly values: string[] = [];
  private readonly removedFromSorted = new Map<string, string[]>();
  private readonly addedToSorted = new Map<string, string[]>();
  private readonly removedFromSet = new Map<string, string[]>();
  private readonly addedToSet = new Map<string, string[]>();
  private readonly persisted = new Set<string>();

  del(...keys: string[]): this {
    this.deleted.push(...keys);
    return this;
  }

  set(key: string, value: string): this {
    this.values.push(key, value);
    return this;
  }

  zrem(key: string, member: string): this {
    return this.push(this.removedFromSorted, key, member);
  }

  zadd(key: string, member: string): this {
    return this.push(this.addedToSorted, key, member);
  }

  srem(key: string, member: string): this {
    return this.push(this.removedFromSet, key, member);
  }

  sadd(key: string, member: string): this {
    return this.push(this.addedToSet, key, member);
  }

  /** Keeps keys that were set to expire (they outlive the commit with no time to live). */
  persist(...keys: string[]): this {
    for (const key of keys) this.persisted.add(key);
    return this;
  }

  stage(commands: WriteCommands): void {
    if (this.deleted.length > 0) commands.del(this.deleted);
    if (this.values.length > 0) commands.mset(this.values);
    for (const [key, members] of this.removedFromSorted) commands.zrem(key, members);
    for (const [key, members] of this.addedToSorted) commands.zadd(key, members);
    for (const [key, members] of this.removedFromSet) commands.srem(key, members);
    for (const [key, members] of this.addedToSet) commands.sadd(key, members);
    for (const key of this.persisted) commands.persist(key);
  }

  private push(byKey: Map<string, string[]>, key: string, member: string): this {
    const members = byKey.get(key);
    if (members) members.push(member);
    else byKey.set(key, [member]);
    return this;
  }
}
