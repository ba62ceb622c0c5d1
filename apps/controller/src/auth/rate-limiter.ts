import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '@ovs-fleet/contracts';
import { GroupWhileBusy } from '../common/group-while-busy';
import { LuaScript } from '../common/lua-script';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { REDIS } from '../redis/redis.module';

export const RATE_WINDOW_MS = 60_000;

export const rateLimitKey = (tokenName: string): string => `${KEY_PREFIX}:ratelimit:${tokenName}`;

/** Adds ARGV[1] hits to the window at KEYS[1], opening it (ARGV[2] ms) on its first hit: the count after them and the window's time left. */
export const RATE_COUNT_SCRIPT = new LuaScript(`
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
return { count, redis.call('PTTL', KEYS[1]) }
`);

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window (0 once over the limit). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

/**
 * A fixed window per token name, counted in Redis so that the limit holds across every
 * controller process. The window opens with a token's first request (INCRBY, then PEXPIRE NX
 * in the same script) and its length is kept by Redis, so the processes' clocks do not matter.
 * A script rather than a MULTI: one command, which the shared connection pipelines with the
 * other requests' commands.
 *
 * Hits are counted in batches: those of one turn of the event loop go together, and one round
 * trip per token is in flight at a time, the hits that arrive meanwhile waiting for the next.
 * A batch is one INCRBY n, each hit given its own count in the range it returns, so every
 * request is counted exactly as with one INCR each, at a fraction of the round trips.
 */
@Injectable()
export class RateLimiter {
  private readonly limit: number;
  /** Per token with hits in flight or waiting: its batches (see GroupWhileBusy). */
  private readonly batches = new Map<string, GroupWhileBusy<void, RateDecision>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTROLLER_CONFIG) config: Pick<ControllerConfig, 'rateLimitPerMinute'>,
  ) {
    this.limit = config.rateLimitPerMinute;
  }

  hit(tokenName: string): Promise<RateDecision> {
    let batches = this.batches.get(tokenName);
    if (!batches) {
      const countHits = async (hits: void[]) => {
        const { count, ttlMs } = await this.count(tokenName, hits.length);
        const first = count - hits.length + 1;
        return hits.map((_, i) => this.decide(first + i, ttlMs));
      };
      batches = new GroupWhileBusy(countHits, { gatherTurn: true, onIdle: () => this.batches.delete(tokenName) });
      this.batches.set(tokenName, batches);
    }
    return batches.run();
  }

  /** Adds `hits` to the token's window: the count after them and the window's time left. */
  private async count(tokenName: string, hits: number): Promise<{ count: number; ttlMs: number }> {
    const [count, ttlMs] = (await RATE_COUNT_SCRIPT.run(this.redis, [rateLimitKey(tokenName)], [hits, RATE_WINDOW_MS])) as [number, number];
    return { count: Number(count), ttlMs: Number(ttlMs) };
  }

  private decide(count: number, ttlMs: number): RateDecision {
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : RATE_WINDOW_MS) / 1000)),
    };
  }
}
