import type { Redis } from 'ioredis';

/** Request accounting, not state: every request, refused or not, counts against its token's rate limit. */
const ACCOUNTING = /^ovsf:ratelimit:/;

/**
 * Every key of the database with its serialized value (DUMP) and TTL state, to prove that a
 * refused request changed nothing, byte for byte (rate-limit counters aside).
 */
export async function redisSnapshot(redis: Redis, ignore: RegExp = ACCOUNTING): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys.filter((k) => !ignore.test(k))) {
      const dumped = await redis.dumpBuffer(key);
      const ttl = await redis.pttl(key);
      if (dumped) snapshot.set(key, `${dumped.toString('base64')}|${ttl < 0 ? ttl : 'expiring'}`);
    }
  } while (cursor !== '0');
  return snapshot;
}

/** Keys added, removed or changed between two snapshots. */
export function snapshotDifference(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) if (before.get(key) !== value) changes.push(before.has(key) ? `changed ${key}` : `added ${key}`);
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes.sort();
}
