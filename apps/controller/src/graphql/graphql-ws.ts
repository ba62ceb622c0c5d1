import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { getOperationAST, GraphQLError, parse } from 'graphql';
import type { ServerOptions, SubscribePayload } from 'graphql-ws';
import type { Principal, TokenAuthenticator } from '../auth';
import { ApiError } from '../common/api-errors';
import { formatGraphqlErrors } from './graphql-errors';

/** What onConnect leaves on graphql-ws's `extra` for the context of the connection's subscriptions. */
export interface WsExtra {
  principal?: Principal | null;
}

/** `Bearer <token>` from `connectionParams.authorization` (the header's name, either case). */
export function connectionAuthorization(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws carries subscriptions only: queries and mutations go to POST /graphql, where
 * each is one HTTP request (authenticated, rate limited and logged as such).
 */
export function refuseAllButSubscriptions(payload: SubscribePayload): GraphQLError[] | undefined {
  let operation: string | undefined;
  try {
    operation = getOperationAST(parse(payload.query), payload.operationName)?.operation;
  } catch {
    return undefined; // graphql-ws parses it again and reports the syntax error
  }
  if (operation === undefined || operation === 'subscription') return undefined;
  const refusal = new ApiError(400, 'VALIDATION_FAILED', `a ${operation} is not served over graphql-ws (subscriptions only): send it to POST /graphql`);
  return [new GraphQLError(refusal.message, { originalError: refusal })];
}

/**
 * The graphql-ws server's hooks: a connection is accepted only with a valid token in
 * `connectionParams.authorization` (else closed with 4403) and the principal is kept for
 * the guards; errors leave in the API's one error shape (graphql-ws does not use Apollo's
 * formatError).
 */
export function graphqlWsOptions(auth: TokenAuthenticator): GraphQLWsSubscriptionsConfig {
  const options: Partial<ServerOptions<Record<string, unknown>, WsExtra>> = {
    onConnect: (ctx) => {
      const principal = auth.authenticate(connectionAuthorization(ctx.connectionParams));
      if (!principal) return false;
      ctx.extra.principal = principal;
      return true;
    },
    onSubscribe: (_ctx, _id, payload) => refuseAllButSubscriptions(payload),
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatGraphqlErrors(result.errors) } : undefined),
    onError: (_ctx, _id, _payload, errors) => formatGraphqlErrors(errors),
  };
  return options as GraphQLWsSubscriptionsConfig;
}
