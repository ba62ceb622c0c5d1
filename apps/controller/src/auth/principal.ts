import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../config/controller-config';

/** The holder of a valid token: its configured name (never the secret) and role. */
export interface Principal {
  name: string;
  role: Role;
}

/** An HTTP request once the auth guard has let it through. */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * What the GraphQL module's `context` must return for the guards to work:
 *   HTTP:       the Fastify request and reply Apollo's integration passes: `(req, reply) => ({ req, reply })`
 *   graphql-ws: the principal found by `TokenAuthenticator.authenticate(connectionParams.authorization)`
 *               in `onConnect`, e.g. `({ extra }) => ({ principal: extra.principal })`.
 */
export interface GraphqlAuthContext {
  req?: AuthenticatedRequest;
  /** The HTTP reply (response headers such as the rate limit's). */
  reply?: FastifyReply;
  principal?: Principal | null;
}
