import type { ChainableCommander } from 'ioredis';

/**
 * Writes gathered by command, staged into a MULTI as one command per kind (and per key for
 * sorted sets and sets): DEL, then MSET, then ZREM, ZADD, SREM and SADD. That order is what a
 * record's writes need when one key or member appears in two of them: a key deleted and set
 * again ends set, a member removed from a set and added back ends in it. Sorted-set members
 * all get score 0 (the indexes sort by member).
 */
export class RedisWrites {
  private readonly deleted: string[] = [];
  private readonly values: string[] = [];
  private readonly removedFromSorted = new Map<string, string[]>();
  private readonly addedToSorted = new Map<string, string[]>();
  private readonly removedFromSet = new Map<string, string[]>();
  private readonly addedToSet = new Map<string, string[]>();

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

  stage(multi: ChainableCommander): void {
    if (this.deleted.length > 0) multi.del(...this.deleted);
    if (this.values.length > 0) multi.mset(...this.values);
    for (const [key, members] of this.removedFromSorted) multi.zrem(key, ...members);
    for (const [key, members] of this.addedToSorted) multi.zadd(key, ...members.flatMap((member) => [0, member]));
    for (const [key, members] of this.removedFromSet) multi.srem(key, ...members);
    for (const [key, members] of this.addedToSet) multi.sadd(key, ...members);
  }

  private push(byKey: Map<string, string[]>, key: string, member: string): this {
    const members = byKey.get(key);
    if (members) members.push(member);
    else byKey.set(key, [member]);
    return this;
  }
}
