import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../common/api-errors';
import { RateLimiter } from './rate-limiter';
import { describeRequest } from './request-target';

export class RateLimitedError extends ApiError {
  constructor(
    tokenName: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'RATE_LIMITED', `token "${tokenName}" is over its request limit; retry after ${retryAfterSeconds} s`);
  }
}

/** Marks a request already counted (a GraphQL request runs the guards once per top-level field). */
const COUNTED = Symbol('rate-limit-counted');

/**
 * Global guard, after AuthGuard: counts each authenticated HTTP request (REST or GraphQL)
 * against its token's limit. Public routes carry no token and are not counted; neither are
 * graphql-ws subscriptions (one long-lived connection, no HTTP response to answer 429 on).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const target = describeRequest(context);
    const req = target.req as (typeof target.req & { [COUNTED]?: true }) | undefined;
    if (target.transport === 'graphql-ws' || !req?.principal || req[COUNTED]) return true;
    req[COUNTED] = true;
    const decision = await this.limiter.hit(req.principal.name);
    const res = req.res as Response | undefined;
    res?.setHeader('X-RateLimit-Limit', String(decision.limit));
    res?.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return true;
    res?.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new RateLimitedError(req.principal.name, decision.retryAfterSeconds);
  }
}
