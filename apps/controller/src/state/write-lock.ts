import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { UnavailableError } from '../common/api-errors';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A mutual-exclusion lease in Redis shared by every controller process: a mutation reads,
 * decides and writes while holding it, so no two decisions interleave. The lease expires by
 * itself if its holder dies, and only its holder can release it.
 *
 * The acquiring SET also returns the value it found (GET): an acquire that ioredis sends
 * again after the connection dropped before its reply finds its own token and holds the
 * lease, rather than waiting for a lease it holds to expire.
 */
export class WriteLock {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly leaseMs = 15_000,
    private readonly waitMs = 10_000,
  ) {}

  /** Runs `fn` holding the lease; `fn` gets the lease's token (a commit checks it: state-commit.ts). */
  async run<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let pause = 1;
    for (;;) {
      const holder = await this.redis.set(this.key, token, 'PX', this.leaseMs, 'NX', 'GET');
      if (holder === null || holder === token) break;
      if (Date.now() > deadline) throw new UnavailableError(`the state is busy: no write lock within ${this.waitMs / 1000} s; nothing was changed, try again`);
      await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
      pause = Math.min(pause * 2, 20);
    }
    try {
      return await fn(token);
    } finally {
      await this.redis.eval(RELEASE, 1, this.key, token).catch(() => undefined);
    }
  }
}
