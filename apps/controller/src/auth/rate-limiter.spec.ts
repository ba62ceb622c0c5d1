import type { Redis } from 'ioredis';
import { RATE_COUNT_SCRIPT, RATE_WINDOW_MS, RateLimiter, rateLimitKey } from './rate-limiter';

/** The script the limiter runs (RATE_COUNT_SCRIPT), against counters in memory; each call answers when `release()` is called. */
class FakeRedis {
  readonly counters = new Map<string, number>();
  readonly calls: { key: string; by: number }[] = [];
  failNext: Error | null = null;
  /** The window's time left each call reports. */
  ttlMs = 42_500;
  private readonly held: (() => void)[] = [];

  evalsha(sha1: string, keyCount: number, key: string, by: number, windowMs: number): Promise<[number, number]> {
    expect([sha1, keyCount, windowMs]).toEqual([RATE_COUNT_SCRIPT.sha1, 1, RATE_WINDOW_MS]);
    return new Promise((resolve, reject) => {
      this.held.push(() => {
        this.calls.push({ key, by });
        const failure = this.failNext;
        this.failNext = null;
        if (failure) return reject(failure);
        const count = (this.counters.get(key) ?? 0) + by;
        this.counters.set(key, count);
        resolve([count, this.ttlMs]);
      });
    });
  }

  /** Lets the limiter send what it has waiting, answers every EXEC sent, and lets the answers arrive. */
  async release(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const answer of this.held.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function limiter(limit: number): { redis: FakeRedis; limiter: RateLimiter } {
  const redis = new FakeRedis();
  return { redis, limiter: new RateLimiter(redis as unknown as Redis, { rateLimitPerMinute: limit }) };
}

describe('RateLimiter', () => {
  it('counts a lone hit with one call and says how much is left', async () => {
    const { redis, limiter: rl } = limiter(5);
    const decision = rl.hit('ops');
    await redis.release();
    await expect(decision).resolves.toEqual({ allowed: true, limit: 5, remaining: 4, retryAfterSeconds: 43 });
    expect(redis.calls).toEqual([{ key: rateLimitKey('ops'), by: 1 }]);
  });

  it('counts the hits of one turn of the event loop with one call, each with its own count', async () => {
    const { redis, limiter: rl } = limiter(5);
    const hits = Array.from({ length: 10 }, () => rl.hit('ops'));
    await redis.release();
    const decisions = await Promise.all(hits);
    expect(redis.calls).toEqual([{ key: rateLimitKey('ops'), by: 10 }]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0, 0, 0, 0]);
    expect(redis.counters.get(rateLimitKey('ops'))).toBe(10);
  });

  it('counts the hits that arrive during a round trip together in the next', async () => {
    const { redis, limiter: rl } = limiter(5);
    const first = rl.hit('ops');
    await new Promise((resolve) => setImmediate(resolve)); // the first call is sent, not answered
    const rest = [rl.hit('ops'), rl.hit('ops'), rl.hit('ops')];
    await redis.release();
    await redis.release();
    expect(redis.calls).toEqual([
      { key: rateLimitKey('ops'), by: 1 },
      { key: rateLimitKey('ops'), by: 3 },
    ]);
    expect((await Promise.all([first, ...rest])).map((d) => d.remaining)).toEqual([4, 3, 2, 1]);
  });

  it('keeps each token to its own counter', async () => {
    const { redis, limiter: rl } = limiter(1);
    const decisions = Promise.all([rl.hit('a'), rl.hit('b'), rl.hit('a')]);
    await redis.release();
    expect((await decisions).map((d) => d.allowed)).toEqual([true, true, false]);
    expect(redis.calls).toEqual([
      { key: rateLimitKey('a'), by: 2 },
      { key: rateLimitKey('b'), by: 1 },
    ]);
  });

  it('fails the hits of a failed round trip and counts the later ones', async () => {
    const { redis, limiter: rl } = limiter(5);
    redis.failNext = new Error('READONLY');
    const failed = rl.hit('ops');
    const failedAssertion = expect(failed).rejects.toThrow('READONLY');
    await redis.release();
    await failedAssertion;
    const later = rl.hit('ops');
    await redis.release();
    await expect(later).resolves.toMatchObject({ allowed: true, remaining: 4 });
  });

  it('gives the whole window as retry-after when Redis reports no expiry', async () => {
    const { redis, limiter: rl } = limiter(1);
    redis.ttlMs = -1;
    const decisions = Promise.all([rl.hit('ops'), rl.hit('ops')]);
    await redis.release();
    expect((await decisions)[1]).toEqual({ allowed: false, limit: 1, remaining: 0, retryAfterSeconds: RATE_WINDOW_MS / 1000 });
  });
});
