import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyReply } from 'fastify';
import { AuthModule, TokenAuthenticator } from '../auth';
import type { AuthenticatedRequest, GraphqlAuthContext } from '../auth';
import { formatGraphqlError, requestIdInErrors } from './graphql-errors';
import { graphqlWsOptions, WsExtra } from './graphql-ws';

export const GRAPHQL_PATH = '/graphql';

/**
 * The context the guards read (auth/principal.ts): the HTTP request and reply (Apollo's Fastify
 * integration passes them), or the principal graphql-ws authenticated.
 */
export function graphqlContext(source: AuthenticatedRequest | { extra: WsExtra }, reply?: FastifyReply): GraphqlAuthContext {
  return 'extra' in source ? { principal: source.extra.principal ?? null } : { req: source, reply };
}

export function graphqlOptions(auth: TokenAuthenticator): ApolloDriverConfig {
  return {
    path: GRAPHQL_PATH,
    // Built in memory: the checked-in apps/controller/schema.gql is compared with it by a test, never written at run time.
    autoSchemaFile: true,
    sortSchema: true,
    context: graphqlContext,
    formatError: formatGraphqlError,
    plugins: [requestIdInErrors],
    autoTransformHttpErrors: false,
    includeStacktraceInErrorResponses: false,
    subscriptions: { 'graphql-ws': graphqlWsOptions(auth) },
  };
}

/**
 * The code-first GraphQL API at /graphql (Apollo; subscriptions over graphql-ws on the same
 * path). Resolvers live beside their features and only call the features' services; the
 * global guards authenticate and authorise each one as for REST, and the global validation
 * pipe checks each input with its REST DTO's rules (the input types extend the DTOs).
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [AuthModule],
      inject: [TokenAuthenticator],
      useFactory: graphqlOptions,
    }),
  ],
})
export class GraphqlApiModule {}
