export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { CurrentPrincipal, Public, RequireRole, IS_PUBLIC, REQUIRED_ROLE } from './decorators';
export type { AuthenticatedRequest, GraphqlAuthContext, Principal } from './principal';
export { RateLimitGuard, RateLimitedError } from './rate-limit.guard';
export { RateLimiter, rateLimitKey } from './rate-limiter';
export { requiredRole, roleSatisfies } from './roles';
export type { Access, Role } from './roles';
export { bearerToken, TokenAuthenticator } from './token-authenticator';
