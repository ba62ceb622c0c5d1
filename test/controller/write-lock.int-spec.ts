/**
 * The controller's write lock on a real redis-server: runs never overlap, only the holder
 * releases, a dead holder's lease expires, and an acquire whose reply was lost (ioredis sends
 * it again) holds the lease at once.
 */
import { Redis } from 'ioredis';
import { WriteLock } from '../../apps/controller/src/state/write-lock';
import { useRedisFixture } from '../support/redis-fixture';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy';

const KEY = 'ovsf:test:write-lock';

describe('WriteLock on a real Redis', () => {
  const fixture = useRedisFixture();
  let redis: Redis;
  beforeEach(() => {
    redis = fixture.redis;
  });

  it('runs one holder at a time across connections, and releases after each', async () => {
    const second = new Redis(fixture.server.url);
    try {
      const locks = [new WriteLock(redis, KEY), new WriteLock(second, KEY)];
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          locks[i % 2].run(async () => {
            most = Math.max(most, ++inside);
            await new Promise((resolve) => setTimeout(resolve, 2));
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
      expect(await redis.exists(KEY)).toBe(0);
    } finally {
      second.disconnect();
    }
  });

  it("a holder that never releases (it died) keeps others out until its lease ends; one that gives up waiting leaves it as it was", async () => {
    await redis.set(KEY, 'a dead holder', 'PX', 300);
    const started = Date.now();
    await new WriteLock(redis, KEY, 15_000, 5_000).run(async () => {
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(await redis.get(KEY)).not.toBe('a dead holder');
    });
    await redis.set(KEY, 'another holder', 'PX', 60_000);
    await expect(new WriteLock(redis, KEY, 15_000, 100).run(async () => 'ran')).rejects.toMatchObject({ status: 503 });
    expect(await redis.get(KEY)).toBe('another holder');
  });

  it('an acquire whose reply was lost holds the lease when ioredis sends it again', async () => {
    const proxy = await ReplyDroppingProxy.start(fixture.server.port);
    const viaProxy = new Redis(proxy.port, '127.0.0.1');
    try {
      await viaProxy.ping();
      void proxy.loseNextReply();
      const started = Date.now();
      const ran = await new WriteLock(viaProxy, KEY, 15_000, 2_000).run(async () => (await redis.pttl(KEY)) > 0);
      expect(ran).toBe(true);
      expect(proxy.lost).toBe(1);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await redis.exists(KEY)).toBe(0);
    } finally {
      viaProxy.disconnect();
      await proxy.close();
    }
  });
});
