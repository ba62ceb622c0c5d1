import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../config/controller-config';
import type { Principal } from './principal';
import { describeRequest } from './request-target';

export const IS_PUBLIC = 'ovsfleet:public';
export const REQUIRED_ROLE = 'ovsfleet:required-role';

/** The route needs no token (health, metrics, the API documents). */
export const Public = (): CustomDecorator<string> => SetMetadata(IS_PUBLIC, true);

/**
 * The least role the handler (or every handler of the class) needs, whatever the HTTP method.
 * Unmarked handlers need viewer to read and admin to write (see roles.ts): mark the write
 * handlers of networks and attachments `@RequireRole('provisioner')`.
 */
export const RequireRole = (role: Role): CustomDecorator<string> => SetMetadata(REQUIRED_ROLE, role);

/** The authenticated caller, in a controller or a resolver. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | undefined => {
  const target = describeRequest(context);
  return target.req?.principal ?? target.principal ?? undefined;
});
