import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-errors';
import { RateDecision, RateLimiter } from './rate-limiter';
import { describeRequest, RequestTarget } from './request-target';

export class RateLimitedError extends ApiError {
  constructor(
    tokenName: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'RATE_LIMITED', `token "${tokenName}" is over its request limit; retry after ${retryAfterSeconds} s`);
  }
}

/** The decision for a request, kept on it: a GraphQL request runs the guards once per top-level field. */
const DECISION = Symbol('rate-limit-decision');
type CountedRequest = NonNullable<RequestTarget['req']> & { [DECISION]?: Promise<RateDecision> };

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
    const req = target.req as CountedRequest | undefined;
    const principal = req?.principal;
    if (target.transport === 'graphql-ws' || !req || !principal) return true;
    const decision = await (req[DECISION] ??= this.limiter.hit(principal.name));
    const reply = target.reply;
    if (reply && !reply.sent) {
      reply.header('X-RateLimit-Limit', String(decision.limit));
      reply.header('X-RateLimit-Remaining', String(decision.remaining));
      if (!decision.allowed) reply.header('Retry-After', String(decision.retryAfterSeconds));
    }
    if (decision.allowed) return true;
    throw new RateLimitedError(principal.name, decision.retryAfterSeconds);
  }
}
