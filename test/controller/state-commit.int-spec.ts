/**
 * The state commit (state-commit.ts) on a real redis-server: its writes in order in one
 * step, only under its holder's lock token, and once when ioredis sends it again after a
 * lost reply, even if another controller process committed in between.
 */
import { Redis } from 'ioredis';
import { commitState, type StateCommit } from '../../apps/controller/src/state/state-commit';
import { MAX_ARGUMENTS, WriteCommands } from '../../apps/controller/src/state/write-commands';
import { useRedisFixture } from '../support/redis-fixture';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

const LOCK = 'ovsf:test:lock';
const GENERATION = 'ovsf:test:generation';

const fixture = useRedisFixture();
let redis: Redis;
beforeEach(() => {
  redis = fixture.redis;
});

function commit(token: string, nextGeneration: string, commands: WriteCommands): StateCommit {
  return { lockKey: LOCK, token, generationKey: GENERATION, nextGeneration, commands };
}

it('writes the commands in order under the holder token, swaps the generation and leaves no receipt', async () => {
  await redis.set(LOCK, 'holder');
  await redis.set(GENERATION, 'g0');
  await redis.sadd('ovsf:test:members', 'stale');
  const keyValues = Array.from({ length: 3 * MAX_ARGUMENTS }, (_, i) => [`ovsf:test:k${i}`, `v${i}`]).flat();
  const members = Array.from({ length: 2 * MAX_ARGUMENTS + 7 }, (_, i) => `m${i}`);
  const commands = new WriteCommands()
    .del(['ovsf:test:members'])
    .mset(keyValues)
    .set('ovsf:test:k0', 'last write wins')
    .zadd('ovsf:test:index', members)
    .sadd('ovsf:test:members', ['fresh']);
  expect(await commitState(redis, commit('holder', 'g1', commands))).toBe('g0');
  expect(await redis.get(GENERATION)).toBe('g1');
  expect(await redis.get('ovsf:test:k0')).toBe('last write wins');
  expect(await redis.get(`ovsf:test:k${3 * MAX_ARGUMENTS - 1}`)).toBe(`v${3 * MAX_ARGUMENTS - 1}`);
  expect(await redis.zcard('ovsf:test:index')).toBe(members.length);
  expect(await redis.smembers('ovsf:test:members')).toEqual(['fresh']);
  expect(await redis.keys('ovsf:receipt:*')).toEqual([]);
});

it('answers null when there was no generation yet', async () => {
  await redis.set(LOCK, 'holder');
  expect(await commitState(redis, commit('holder', 'g1', new WriteCommands().set('ovsf:test:a', '1')))).toBeNull();
  expect(await redis.get(GENERATION)).toBe('g1');
});

it.each([
  ['another process holds the lock', 'someone else'],
  ['nobody holds it (the lease expired)', null],
])('writes nothing and answers 503 when %s', async (_case, holder) => {
  if (holder !== null) await redis.set(LOCK, holder);
  await redis.set(GENERATION, 'g0');
  await redis.set('ovsf:test:a', 'before');
  const before = await redisSnapshot(redis);
  const commands = new WriteCommands().set('ovsf:test:a', 'after').zadd('ovsf:test:index', ['m']);
  await expect(commitState(redis, commit('holder', 'g1', commands))).rejects.toMatchObject({ status: 503 });
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
});

it('a commit whose reply was lost runs once: a commit by another process before ioredis sends it again survives', async () => {
  const proxy = await ReplyDroppingProxy.start(fixture.server.port);
  // Slow to reconnect, so that the other process's commit surely comes first.
  const viaProxy = new Redis(proxy.port, '127.0.0.1', { retryStrategy: () => 300 });
  try {
    await redis.set(LOCK, 'ours');
    await redis.set(GENERATION, 'g0');
    // Redis caches the script first: the reply to lose is the commit's, not a NOSCRIPT.
    await commitState(redis, commit('ours', 'g0', new WriteCommands()));
    const lost = proxy.loseNextReply('ovsf:test:record');
    const ours = commitState(viaProxy, commit('ours', 'g1', new WriteCommands().set('ovsf:test:record', 'ours').sadd('ovsf:test:log', ['ours'])));
    await lost;
    expect(await redis.get('ovsf:test:record')).toBe('ours'); // it ran; only its reply is gone
    // Our lease runs out; another controller process takes the lock and commits.
    await redis.set(LOCK, 'theirs');
    expect(await commitState(redis, commit('theirs', 'g2', new WriteCommands().set('ovsf:test:record', 'theirs').sadd('ovsf:test:log', ['theirs'])))).toBe('g1');
    // ioredis sends ours again: it answers as it did the first time and writes nothing.
    expect(await ours).toBe('g0');
    expect(proxy.lost).toBe(1);
    expect(await redis.get('ovsf:test:record')).toBe('theirs');
    expect(await redis.get(GENERATION)).toBe('g2');
    expect((await redis.smembers('ovsf:test:log')).sort()).toEqual(['ours', 'theirs']);
    expect(await redis.keys('ovsf:receipt:*')).toEqual([]);
  } finally {
    viaProxy.disconnect();
    await proxy.close();
  }
});
