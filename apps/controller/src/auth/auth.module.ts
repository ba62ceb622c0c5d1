import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';
import { TokenAuthenticator } from './token-authenticator';

/**
 * Bearer tokens, roles and per-token rate limits on every route. Needs ConfigModule and
 * RedisModule (both global). The guards run in this order: authenticate, then count.
 */
@Module({
  providers: [
    TokenAuthenticator,
    RateLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [TokenAuthenticator],
})
export class AuthModule {}
