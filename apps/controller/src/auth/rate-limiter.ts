import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '@ovs-fleet/contracts';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { REDIS } from '../redis/redis.module';

export const RATE_WINDOW_MS = 60_000;

export const rateLimitKey = (tokenName: string): string => `${KEY_PREFIX}:ratelimit:${tokenName}`;

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
 * controller process. The window opens with a token's first request (INCR, then PEXPIRE NX
 * in the same MULTI) and its length is kept by Redis, so the processes' clocks do not matter.
 */
@Injectable()
export class RateLimiter {
  private readonly limit: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTROLLER_CONFIG) config: Pick<ControllerConfig, 'rateLimitPerMinute'>,
  ) {
    this.limit = config.rateLimitPerMinute;
  }

  async hit(tokenName: string): Promise<RateDecision> {
    const key = rateLimitKey(tokenName);
    const replies = await this.redis.multi().incr(key).pexpire(key, RATE_WINDOW_MS, 'NX').pttl(key).exec();
    if (!replies) throw new Error(`rate limit transaction on ${key} was aborted`);
    for (const [error] of replies) if (error) throw error;
    const count = Number(replies[0][1]);
    const ttlMs = Number(replies[2][1]);
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : RATE_WINDOW_MS) / 1000)),
    };
  }
}
