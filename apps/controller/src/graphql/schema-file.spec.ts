import { readFileSync, writeFileSync } from 'node:fs';
import { GraphQLObjectType, GraphQLSchema, isNonNullType } from 'graphql';
import { buildSchema, formatSchema, SCHEMA_FILE } from './schema-file';

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await buildSchema();
});

it('the checked-in apps/controller/schema.gql is the schema the code defines (UPDATE_API_DOCUMENTS=1 rewrites it)', () => {
  const printed = formatSchema(schema);
  if (process.env.UPDATE_API_DOCUMENTS === '1') writeFileSync(SCHEMA_FILE, printed);
  expect(printed).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
});

function argumentsOf(type: GraphQLObjectType | null | undefined): Record<string, string[]> {
  return Object.fromEntries(Object.values(type?.getFields() ?? {}).map((field) => [field.name, field.args.map((arg) => `${arg.name}: ${String(arg.type)}`)]));
}

it('has the queries of the REST contract, with their arguments', () => {
  expect(argumentsOf(schema.getQueryType())).toEqual({
    hosts: ['first: Int', 'after: String'],
    host: ['id: ID!'],
    networks: ['first: Int', 'after: String'],
    network: ['name: String!'],
    attachments: ['network: String', 'host: String', 'first: Int', 'after: String'],
    attachment: ['id: ID!'],
    operation: ['id: ID!'],
    bridges: ['id: ID!', 'first: Int', 'after: String'],
    bridge: ['id: ID!', 'name: String!'],
    ports: ['id: ID!', 'first: Int', 'after: String'],
    port: ['id: ID!', 'name: String!'],
    tunnels: ['id: ID!', 'first: Int', 'after: String'],
    tunnel: ['id: ID!', 'name: String!'],
    topology: [],
  });
});

/** Not changes of desired state (no dryRun, no operation): a Redis user for the host's agent, issued or removed at once. */
const AGENT_CREDENTIALS = { issueAgentCredentials: ['id: ID!'], revokeAgentCredentials: ['id: ID!'] };

it('issues and revokes agent credentials: the secret once, as REST\'s POST answers it', () => {
  const fields = schema.getMutationType()?.getFields();
  expect(String(fields?.issueAgentCredentials.type)).toBe('AgentCredentials!');
  expect(Object.keys((schema.getType('AgentCredentials') as GraphQLObjectType).getFields()).sort()).toEqual(['password', 'username']);
  expect(String(fields?.revokeAgentCredentials.type)).toBe('Boolean!');
});

it('has a mutation for every change, each with dryRun and explain, answering with the resource, its operation and the changes', () => {
  const mutations = argumentsOf(schema.getMutationType());
  expect(mutations).toEqual({
    putHost: ['id: ID!', 'input: PutHostInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deleteHost: ['id: ID!', 'dryRun: Boolean', 'explain: Boolean'],
    createNetwork: ['input: CreateNetworkInput!', 'dryRun: Boolean', 'explain: Boolean'],
    updateNetwork: ['name: String!', 'input: UpdateNetworkInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deleteNetwork: ['name: String!', 'dryRun: Boolean', 'explain: Boolean'],
    createAttachment: ['input: CreateAttachmentInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deleteAttachment: ['id: ID!', 'dryRun: Boolean', 'explain: Boolean'],
    createBridge: ['id: ID!', 'input: CreateBridgeInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deleteBridge: ['id: ID!', 'name: String!', 'dryRun: Boolean', 'explain: Boolean'],
    createPort: ['id: ID!', 'input: CreatePortInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deletePort: ['id: ID!', 'name: String!', 'dryRun: Boolean', 'explain: Boolean'],
    createTunnel: ['id: ID!', 'input: CreateTunnelInput!', 'dryRun: Boolean', 'explain: Boolean'],
    deleteTunnel: ['id: ID!', 'name: String!', 'dryRun: Boolean', 'explain: Boolean'],
    ...AGENT_CREDENTIALS,
  });
  const resource = {
    putHost: 'host',
    deleteHost: 'host',
    createNetwork: 'network',
    updateNetwork: 'network',
    deleteNetwork: 'network',
    createAttachment: 'attachment',
    deleteAttachment: 'attachment',
    createBridge: 'bridge',
    deleteBridge: 'bridge',
    createPort: 'port',
    deletePort: 'port',
    createTunnel: 'tunnel',
    deleteTunnel: 'tunnel',
  };
  const changes = Object.entries(schema.getMutationType()?.getFields() ?? {}).filter(([name]) => !(name in AGENT_CREDENTIALS));
  expect(changes.map(([name]) => name).sort()).toEqual(Object.keys(resource).sort());
  for (const [name, field] of changes) {
    const result = (isNonNullType(field.type) ? field.type.ofType : field.type) as GraphQLObjectType;
    expect({ name, fields: Object.keys(result.getFields()).sort() }).toEqual({ name, fields: [resource[name as keyof typeof resource], 'changes', 'dryRun', 'operation'].sort() });
    expect(field.args.find((arg) => arg.name === 'dryRun')?.defaultValue).toBe(false);
  }
  const operationRef = schema.getType('OperationRef') as GraphQLObjectType;
  expect(Object.keys(operationRef.getFields()).sort()).toEqual(['hosts', 'id', 'state', 'targets']);
});

it('streams an operation\'s progress by id', () => {
  expect(argumentsOf(schema.getSubscriptionType())).toEqual({ operationProgress: ['id: ID!'] });
  expect(String(schema.getSubscriptionType()?.getFields().operationProgress.type)).toBe('Operation!');
});
