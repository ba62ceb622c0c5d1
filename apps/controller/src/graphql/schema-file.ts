import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AttachmentsResolver } from '../attachments/attachments.resolver';
import { HostsResolver } from '../hosts/hosts.resolver';
import { NetworksResolver } from '../networks/networks.resolver';
import { OperationsResolver } from '../operations/operations.resolver';
import { OvsResourcesResolver } from '../ovs-resources/ovs-resources.resolver';
import { TopologyResolver } from '../topology/topology.resolver';

/** The checked-in schema: what clients are written against, compared with the code by tests. */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.gql');

/** Every resolver the app registers (through the feature modules); the e2e spec checks the served schema matches. */
export const GRAPHQL_RESOLVERS = [HostsResolver, NetworksResolver, AttachmentsResolver, OperationsResolver, OvsResourcesResolver, TopologyResolver];

const HEADER = [
  '# The ovs-fleet controller\'s GraphQL schema (POST /graphql; subscriptions over graphql-ws at /graphql).',
  '# Generated from the code: do not edit. Regenerate: UPDATE_API_DOCUMENTS=1 npx jest apps/controller/src/graphql/schema-file.spec.ts',
].join('\n');

/** The schema as the file holds it: sorted, printed, with a header. */
export function formatSchema(schema: GraphQLSchema): string {
  return `${HEADER}\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** The schema the resolvers define, built without an app, Redis or HTTP server. */
export async function buildSchema(): Promise<GraphQLSchema> {
  const context = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return await context.get(GraphQLSchemaFactory).create(GRAPHQL_RESOLVERS);
  } finally {
    await context.close();
  }
}
