import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../common/api-errors';
import type { Role } from '../config/controller-config';
import { IS_PUBLIC, REQUIRED_ROLE } from './decorators';
import { describeRequest } from './request-target';
import { requiredRole, roleSatisfies } from './roles';
import { TokenAuthenticator } from './token-authenticator';

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(), and a role
 * at least the one it requires. The principal is left on `request.principal`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: TokenAuthenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    const target = describeRequest(context);
    const principal = target.principal ?? target.req?.principal ?? this.authenticator.authenticate(target.authorization);
    if (!principal) throw new UnauthenticatedError();
    if (target.req) target.req.principal = principal;
    const needed = requiredRole(target.access, this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets));
    if (!roleSatisfies(principal.role, needed)) {
      throw new ForbiddenError(`this needs the ${needed} role (or higher); token "${principal.name}" has the ${principal.role} role`);
    }
    return true;
  }
}
