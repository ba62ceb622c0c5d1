import type { Request } from 'express';
import type { Role } from '../config/controller-config';

/** The holder of a valid token: its configured name (never the secret) and role. */
export interface Principal {
  name: string;
  role: Role;
}

/** An HTTP request once the auth guard has let it through. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * What the GraphQL module's `context` must return for the guards to work:
 *   HTTP:       `({ req }) => ({ req })`
 *   graphql-ws: the principal found by `TokenAuthenticator.authenticate(connectionParams.authorization)`
 *               in `onConnect`, e.g. `({ extra }) => ({ principal: extra.principal })`.
 */
export interface GraphqlAuthContext {
  req?: AuthenticatedRequest;
  principal?: Principal | null;
}
