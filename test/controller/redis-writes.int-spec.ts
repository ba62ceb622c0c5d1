/**
 * RedisWrites (a commit's record writes grouped by command) and the operations' writes,
 * stored as the controller stores them (state-commit.ts) on a real redis-server: one command
 * per kind and key, with the end state each record's writes in order would leave; each
 * operation with its time to live.
 */
import type { Redis } from 'ioredis';
import { newOperation, OPERATION_TTL_S, operationKey, stageOperations } from '../../apps/controller/src/operations/operation-record';
import { RedisWrites } from '../../apps/controller/src/state/redis-writes';
import { WriteCommands } from '../../apps/controller/src/state/write-commands';
import { useRedisFixture } from '../support/redis-fixture';
import { storeWrites } from '../support/store-writes';

const fixture = useRedisFixture();
let redis: Redis;
beforeEach(() => {
  redis = fixture.redis;
});

it('stages one command per kind and key, leaving what the writes in order would', async () => {
  await redis.multi().set('gone', 'x').set('reborn', 'old').zadd('index', 0, 'stale').sadd('members', 'moved', 'left').exec();
  const writes = new RedisWrites()
    .del('gone', 'reborn')
    .set('reborn', 'new')
    .set('fresh', '1')
    .zrem('index', 'stale')
    .zadd('index', 'b')
    .zadd('index', 'a')
    .srem('members', 'moved')
    .srem('members', 'left')
    .sadd('members', 'moved')
    .sadd('members', 'joined')
    .sadd('other', 'x');
  const commands = new WriteCommands();
  writes.stage(commands);
  expect(commands.length).toBe(7); // DEL, MSET, ZREM, ZADD, SREM, SADD members, SADD other
  await storeWrites(redis, (staged) => writes.stage(staged));
  expect(await redis.mget('gone', 'reborn', 'fresh')).toEqual([null, 'new', '1']);
  expect(await redis.zrange('index', '0', '-1', 'WITHSCORES')).toEqual(['a', '0', 'b', '0']);
  expect((await redis.smembers('members')).sort()).toEqual(['joined', 'moved']);
  expect(await redis.smembers('other')).toEqual(['x']);
});

it('keeps keys that were set to expire, after the other writes', async () => {
  await redis.set('expiring', 'x', 'EX', 600);
  await redis.set('rewritten', 'x', 'EX', 600);
  const writes = new RedisWrites().persist('expiring', 'rewritten', 'absent').set('rewritten', 'y');
  await storeWrites(redis, (staged) => writes.stage(staged));
  expect(await Promise.all(['expiring', 'rewritten', 'absent'].map((key) => redis.ttl(key)))).toEqual([-1, -1, -2]);
  expect(await redis.get('rewritten')).toBe('y');
});

it('stages nothing for no writes', () => {
  const commands = new WriteCommands();
  new RedisWrites().stage(commands);
  expect(commands.length).toBe(0);
});

it.each([1, 3])('stores %i operations, each with its time to live', async (count) => {
  const operations = Array.from({ length: count }, (_, i) =>
    newOperation({ kind: 'attachment.create', resource: { type: 'attachment', id: `a${i}` }, requestId: null, createdAt: 1, timeoutMs: 1000, targets: { h1: i + 1 } }),
  );
  await storeWrites(redis, (commands) => stageOperations(commands, operations));
  for (const operation of operations) {
    expect(JSON.parse((await redis.get(operationKey(operation.id))) as string)).toEqual(operation);
    const ttl = await redis.ttl(operationKey(operation.id));
    expect(ttl).toBeGreaterThan(OPERATION_TTL_S - 60);
    expect(ttl).toBeLessThanOrEqual(OPERATION_TTL_S);
  }
});
