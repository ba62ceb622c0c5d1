/**
 * The controller's GraphQL API end to end: the production app on a real Redis, queries and
 * mutations over HTTP (POST /graphql) for hosts, networks, attachments, operations, operator
 * bridges, ports and tunnels, agent credentials and the topology, errors
 * in the API's one shape (extensions: code, status, field, details), roles as for REST, and
 * an operation's progress received over a real graphql-ws connection by a SECOND controller
 * app while the change is made through the first and applied by in-test host agents.
 */
import { readFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { Client, createClient, FormattedExecutionResult, SubscribePayload } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { redisKeys } from '@ovs-fleet/contracts';
import { formatSchema, SCHEMA_FILE } from '../../apps/controller/src/graphql/schema-file';
import { ControllerProcess } from '../support/controller-process';
import { FakeAgent } from '../support/fake-agent';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController, TestRole, TOKENS, TOKENS_SETTING } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

jest.setTimeout(60_000);

interface GraphqlError {
  message: string;
  path?: string[];
  extensions: { code: string; status: number; field: string | null; details: { field: string; message: string }[]; requestId?: string };
}

/** Response data, read by the assertions (they check its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = Record<string, any>;

interface GraphqlResponse {
  status: number;
  data: Data | null;
  errors?: GraphqlError[];
}

let redisServer: RedisTestServer;
let redis: Redis;
let first: TestController;
let second: TestController | undefined;
let otherProcess: ControllerProcess | undefined;
const agents: FakeAgent[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  first = await startController(redisServer.url);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  for (const agent of agents) await agent.close();
  await second?.close();
  await otherProcess?.stop();
  await first?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

/** A GraphQL request over HTTP to the first app, as `role` (null: no token). */
async function graphql(role: TestRole | null, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphqlResponse> {
  const call = role ? first.as(role).post('/graphql', { query, variables }) : first.anonymous.post('/graphql').send({ query, variables });
  for (const [name, value] of Object.entries(headers)) call.set(name, value);
  const response = await call;
  return { status: response.status, data: response.body.data ?? null, errors: response.body.errors };
}

/** The data of a request that must succeed. */
async function ok(role: TestRole, query: string, variables?: Record<string, unknown>): Promise<Data> {
  const response = await graphql(role, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data as Data;
}

/** The one error of a refused request, after checking that it changed nothing in Redis. */
async function refused(role: TestRole | null, query: string, variables?: Record<string, unknown>): Promise<GraphqlError> {
  const before = await redisSnapshot(redis);
  const response = await graphql(role, query, variables);
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  expect(response.data).toBeNull();
  expect(response.errors).toHaveLength(1);
  return (response.errors as GraphqlError[])[0];
}

const MUTATION_FIELDS = 'dryRun operation { id targets } changes { hostId fromRevision toRevision diff }';
const HOST_FIELDS = 'id tunnelIp underlayMtu labels integrationBridge datapathType status { connected appliedRevision desiredRevision }';
const NETWORK_FIELDS = 'name type segmentId mtu mtuDerived hosts { all labels } providerBridge subnets { cidr gateway allocationPools { start end } }';
const ATTACHMENT_FIELDS = 'id network host container { dockerContainer pid path netns } ifname mac addresses gateway routes { to via } revision status { state hostConnected }';

const PUT_HOST = `mutation ($id: ID!, $input: PutHostInput!, $dryRun: Boolean) { putHost(id: $id, input: $input, dryRun: $dryRun) { host { ${HOST_FIELDS} } ${MUTATION_FIELDS} } }`;
const CREATE_NETWORK = `mutation ($input: CreateNetworkInput!, $dryRun: Boolean) { createNetwork(input: $input, dryRun: $dryRun) { network { ${NETWORK_FIELDS} } ${MUTATION_FIELDS} } }`;
const UPDATE_NETWORK = `mutation ($name: String!, $input: UpdateNetworkInput!) { updateNetwork(name: $name, input: $input) { network { ${NETWORK_FIELDS} } ${MUTATION_FIELDS} } }`;
const CREATE_ATTACHMENT = `mutation ($input: CreateAttachmentInput!, $dryRun: Boolean) { createAttachment(input: $input, dryRun: $dryRun) { attachment { ${ATTACHMENT_FIELDS} } ${MUTATION_FIELDS} } }`;
const BRIDGE_FIELDS = 'name datapathType failMode otherConfig';
const PORT_FIELDS = 'name bridge kind tag trunks vlanMode peer';
const TUNNEL_FIELDS = 'name bridge type remoteIp localIp key dstPort csum tos ttl';
const CREATE_BRIDGE = `mutation ($id: ID!, $input: CreateBridgeInput!, $dryRun: Boolean) { createBridge(id: $id, input: $input, dryRun: $dryRun) { bridge { ${BRIDGE_FIELDS} } ${MUTATION_FIELDS} } }`;
const CREATE_PORT = `mutation ($id: ID!, $input: CreatePortInput!, $dryRun: Boolean) { createPort(id: $id, input: $input, dryRun: $dryRun) { port { ${PORT_FIELDS} } ${MUTATION_FIELDS} } }`;
const CREATE_TUNNEL = `mutation ($id: ID!, $input: CreateTunnelInput!, $dryRun: Boolean) { createTunnel(id: $id, input: $input, dryRun: $dryRun) { tunnel { ${TUNNEL_FIELDS} } ${MUTATION_FIELDS} } }`;
const ISSUE_CREDENTIALS = 'mutation ($id: ID!) { issueAgentCredentials(id: $id) { username password } }';
const OPERATION_FIELDS = 'id kind state message requestId resource { type id } counts { pending applied failed } hosts { hostId targetRevision state appliedRevision error { code message } receipts { acceptedAt queuedAt pickedUpAt appliedAt } }';

it('serves the checked-in apps/controller/schema.gql', () => {
  expect(formatSchema(first.app.get(GraphQLSchemaHost).schema)).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
});

describe('hosts', () => {
  it('putHost registers hosts and answers with the host, its operation and the changes', async () => {
    for (const [i, id] of ['h1', 'h2'].entries()) {
      const { putHost } = await ok('admin', PUT_HOST, { id, input: { tunnelIp: `203.0.113.${11 + i}`, datapathType: 'netdev', labels: { rack: 'r1' } } });
      expect(putHost.host).toMatchObject({ id, tunnelIp: `203.0.113.${11 + i}`, underlayMtu: 1500, labels: { rack: 'r1' }, integrationBridge: 'br-int', datapathType: 'netdev' });
      expect(putHost.host.status.desiredRevision).toBe(1);
      expect(putHost.dryRun).toBe(false);
      expect(putHost.operation).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), targets: { [id]: 1 } });
      expect(putHost.changes).toEqual([expect.objectContaining({ hostId: id, fromRevision: 0, toRevision: 1 })]);
      expect(putHost.changes[0].diff).toBeNull(); // diffs come with dry runs only
    }
  });

  it('a dry run answers with the changes, no operation, and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const { putHost } = await ok('admin', PUT_HOST, { id: 'h3', input: { tunnelIp: '203.0.113.13' }, dryRun: true });
    expect(putHost).toMatchObject({ dryRun: true, operation: null, host: { id: 'h3' } });
    expect(putHost.changes.map((c: { hostId: string }) => c.hostId)).toEqual(['h3']);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('hosts pages with first/after; host finds one', async () => {
    const page = await ok('viewer', 'query ($after: String) { hosts(first: 1, after: $after) { items { id } nextCursor } }');
    expect(page.hosts.items).toEqual([{ id: 'h1' }]);
    const rest = await ok('viewer', 'query ($after: String) { hosts(first: 1, after: $after) { items { id } nextCursor } }', { after: page.hosts.nextCursor });
    expect(rest.hosts).toEqual({ items: [{ id: 'h2' }], nextCursor: null });
    const { host } = await ok('viewer', `{ host(id: "h2") { ${HOST_FIELDS} } }`);
    expect(host).toMatchObject({ id: 'h2', tunnelIp: '203.0.113.12' });
  });

  // query, variables, code, status, field
  const refusals: [string, string, Record<string, unknown> | undefined, string, number, string][] = [
    ['an address that is no tunnel endpoint', PUT_HOST, { id: 'h9', input: { tunnelIp: '127.0.0.1' } }, 'VALIDATION_FAILED', 400, 'tunnelIp'],
    ['an MTU out of range', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19', underlayMtu: 100 } }, 'VALIDATION_FAILED', 400, 'underlayMtu'],
    ['an MTU of the wrong type (refused by GraphQL itself)', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19', underlayMtu: 'big' } }, 'VALIDATION_FAILED', 400, 'underlayMtu'],
    ['labels that are no label map', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19', labels: { 'Bad Key': 'x' } } }, 'VALIDATION_FAILED', 400, 'labels'],
    ['an unknown input field', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19', colour: 'red' } }, 'VALIDATION_FAILED', 400, 'colour'],
    ['a bad host id', PUT_HOST, { id: 'H_9', input: { tunnelIp: '203.0.113.19' } }, 'VALIDATION_FAILED', 400, 'id'],
    ['a tunnel address another host has', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.11' } }, 'CONFLICT', 409, 'tunnelIp'],
    ['an unknown host', '{ host(id: "h9") { id } }', undefined, 'NOT_FOUND', 404, 'id'],
    ['a page size out of range', '{ hosts(first: 0) { items { id } } }', undefined, 'VALIDATION_FAILED', 400, 'first'],
    ['a cursor that no page gave', '{ hosts(after: "not a cursor!") { items { id } } }', undefined, 'VALIDATION_FAILED', 400, 'after'],
    ['deleting an unknown host', 'mutation { deleteHost(id: "h9") { dryRun } }', undefined, 'NOT_FOUND', 404, 'id'],
  ];
  it.each(refusals)('refuses %s, naming the field, changing nothing', async (_what, query, variables, code, status, field) => {
    const error = await refused('admin', query, variables);
    expect(error.extensions).toMatchObject({ code, status, field });
    expect(error.extensions.details).toContainEqual({ field, message: expect.any(String) });
  });

  it('carries the request id in the error extensions', async () => {
    const response = await graphql('viewer', '{ host(id: "h9") { id } }', undefined, { 'X-Request-Id': 'graphql-e2e-404' });
    expect(response.errors?.[0]).toMatchObject({ message: 'host h9 is not registered', path: ['host'], extensions: { code: 'NOT_FOUND', requestId: 'graphql-e2e-404' } });
  });
});

describe('auth', () => {
  it('refuses a request without a token (UNAUTHENTICATED, 401)', async () => {
    const error = await refused(null, '{ hosts { items { id } } }');
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, field: null });
  });

  it('refuses a wrong token', async () => {
    const response = await first.anonymous.post('/graphql').set('Authorization', 'Bearer not-a-configured-token-000').send({ query: '{ hosts { items { id } } }' });
    expect(response.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it.each([
    ['viewer', 'putHost', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19' } }, 'admin'],
    ['provisioner', 'putHost', PUT_HOST, { id: 'h9', input: { tunnelIp: '203.0.113.19' } }, 'admin'],
    ['provisioner', 'deleteHost', 'mutation { deleteHost(id: "h2") { dryRun } }', undefined, 'admin'],
    ['viewer', 'createNetwork', CREATE_NETWORK, { input: { name: 'grey', type: 'vxlan' } }, 'provisioner'],
    ['viewer', 'deleteNetwork', 'mutation { deleteNetwork(name: "grey") { dryRun } }', undefined, 'provisioner'],
    ['viewer', 'deleteAttachment', 'mutation { deleteAttachment(id: "00000000-0000-4000-8000-000000000000") { dryRun } }', undefined, 'provisioner'],
    ['viewer', 'createBridge', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-x' } }, 'admin'],
    ['provisioner', 'createBridge', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-x' } }, 'admin'],
    ['provisioner', 'createPort', CREATE_PORT, { id: 'h1', input: { name: 'eth-x', bridge: 'br-int', kind: 'internal' } }, 'admin'],
    ['provisioner', 'createTunnel', CREATE_TUNNEL, { id: 'h1', input: { name: 'gre-x', bridge: 'br-int', type: 'gre', remoteIp: '203.0.113.99' } }, 'admin'],
    ['provisioner', 'deleteBridge', 'mutation { deleteBridge(id: "h1", name: "br-x") { dryRun } }', undefined, 'admin'],
    ['provisioner', 'issueAgentCredentials', ISSUE_CREDENTIALS, { id: 'h1' }, 'admin'],
    ['viewer', 'revokeAgentCredentials', 'mutation { revokeAgentCredentials(id: "h1") }', undefined, 'admin'],
  ] as const)('refuses a %s running %s (FORBIDDEN, 403, naming the %s role)', async (role, _mutation, query, variables, needed) => {
    const error = await refused(role, query, variables);
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(error.message).toContain(`needs the ${needed} role`);
  });
});

describe('networks', () => {
  const blue = { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] };

  it('a dry run of createNetwork answers with the network and each host\'s changes, and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const { createNetwork } = await ok('provisioner', CREATE_NETWORK, { input: blue, dryRun: true });
    expect(createNetwork).toMatchObject({ dryRun: true, operation: null, network: { name: 'blue', segmentId: 1 } });
    expect(createNetwork.changes.map((c: { hostId: string }) => c.hostId)).toEqual(['h1', 'h2']);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('createNetwork makes a VXLAN network on every host, with a derived MTU', async () => {
    const { createNetwork } = await ok('provisioner', CREATE_NETWORK, { input: blue });
    expect(createNetwork.network).toEqual({
      name: 'blue',
      type: 'vxlan',
      segmentId: 1,
      mtu: 1450,
      mtuDerived: true,
      hosts: { all: true, labels: null },
      providerBridge: null,
      subnets: [{ cidr: '198.18.0.0/24', gateway: '198.18.0.1', allocationPools: [] }],
    });
    expect(createNetwork.operation.targets).toEqual({ h1: 2, h2: 2 });
    expect(createNetwork.changes.map((c: { hostId: string; toRevision: number }) => [c.hostId, c.toRevision])).toEqual([['h1', 2], ['h2', 2]]);
  });

  it('a GRE key above GraphQL\'s 32-bit Int is taken whole', async () => {
    const { createNetwork } = await ok('provisioner', CREATE_NETWORK, { input: { name: 'tan', type: 'gre', segmentId: 4294967295 }, dryRun: true });
    expect(createNetwork.network.segmentId).toBe(4294967295);
  });

  it('networks lists them; network finds one', async () => {
    const { networks } = await ok('viewer', '{ networks { items { name } nextCursor } }');
    expect(networks).toEqual({ items: [{ name: 'blue' }], nextCursor: null });
    const { network } = await ok('viewer', `{ network(name: "blue") { ${NETWORK_FIELDS} } }`);
    expect(network).toMatchObject({ name: 'blue', mtu: 1450 });
  });

  it('updateNetwork sets the MTU, and null derives it again', async () => {
    const set = await ok('provisioner', UPDATE_NETWORK, { name: 'blue', input: { mtu: 1400 } });
    expect(set.updateNetwork.network).toMatchObject({ mtu: 1400, mtuDerived: false });
    expect(Object.keys(set.updateNetwork.operation.targets).sort()).toEqual(['h1', 'h2']);
    const derived = await ok('provisioner', UPDATE_NETWORK, { name: 'blue', input: { mtu: null } });
    expect(derived.updateNetwork.network).toMatchObject({ mtu: 1450, mtuDerived: true });
  });

  const refusals: [string, string, Record<string, unknown> | undefined, string, number, string][] = [
    ['a bad CIDR', CREATE_NETWORK, { input: { name: 'red', type: 'vxlan', subnets: [{ cidr: '198.18.1.0/33' }] } }, 'VALIDATION_FAILED', 400, 'subnets[0].cidr'],
    ['a bad allocation pool address', CREATE_NETWORK, { input: { name: 'red', type: 'vxlan', subnets: [{ cidr: '198.18.1.0/24', allocationPools: [{ start: '198.18.1.10', end: 'x' }] }] } }, 'VALIDATION_FAILED', 400, 'subnets[0].allocationPools[0].end'],
    ['an unknown network type', CREATE_NETWORK, { input: { name: 'red', type: 'mpls' } }, 'VALIDATION_FAILED', 400, 'type'],
    ['a segment id that is no whole number', CREATE_NETWORK, { input: { name: 'red', type: 'vxlan', segmentId: 1.5 } }, 'VALIDATION_FAILED', 400, 'segmentId'],
    ['a VNI out of range', CREATE_NETWORK, { input: { name: 'red', type: 'vxlan', segmentId: 16777216 } }, 'VALIDATION_FAILED', 400, 'segmentId'],
    ['a segment id in use', CREATE_NETWORK, { input: { name: 'red', type: 'vxlan', segmentId: 1 } }, 'CONFLICT', 409, 'segmentId'],
    ['a name in use', CREATE_NETWORK, { input: { name: 'blue', type: 'geneve' } }, 'CONFLICT', 409, 'name'],
    ['a bad network name', CREATE_NETWORK, { input: { name: 'Red Net', type: 'vxlan' } }, 'VALIDATION_FAILED', 400, 'name'],
    ['an MTU too small', UPDATE_NETWORK, { name: 'blue', input: { mtu: 10 } }, 'VALIDATION_FAILED', 400, 'mtu'],
    ['a host selector with both all and labels', UPDATE_NETWORK, { name: 'blue', input: { hosts: { all: true, labels: { rack: 'r1' } } } }, 'VALIDATION_FAILED', 400, 'hosts'],
    ['updating an unknown network', UPDATE_NETWORK, { name: 'grey', input: { mtu: 1400 } }, 'NOT_FOUND', 404, 'name'],
    ['an unknown network', '{ network(name: "grey") { name } }', undefined, 'NOT_FOUND', 404, 'name'],
    ['a bad name argument', '{ network(name: "Grey!") { name } }', undefined, 'VALIDATION_FAILED', 400, 'name'],
  ];
  it.each(refusals)('refuses %s, naming the field, changing nothing', async (_what, query, variables, code, status, field) => {
    const error = await refused('provisioner', query, variables);
    expect(error.extensions).toMatchObject({ code, status, field });
  });
});

describe('attachments', () => {
  const ids: string[] = [];

  it('createAttachment allocates from the subnet and answers with its operation', async () => {
    const { createAttachment } = await ok('provisioner', CREATE_ATTACHMENT, { input: { network: 'blue', host: 'h1', container: { netns: 'c1' } } });
    expect(createAttachment.attachment).toMatchObject({
      network: 'blue',
      host: 'h1',
      container: { dockerContainer: null, pid: null, path: null, netns: 'c1' },
      ifname: 'eth0',
      addresses: ['198.18.0.2/24'],
      gateway: true,
      routes: [],
      status: { state: 'pending' },
    });
    expect(createAttachment.attachment.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(Object.keys(createAttachment.operation.targets)).toEqual(['h1']);
    ids.push(createAttachment.attachment.id);
    const wanted = await ok('provisioner', CREATE_ATTACHMENT, {
      input: { network: 'blue', host: 'h2', container: { dockerContainer: 'web2' }, ifname: 'eth1', addresses: ['198.18.0.50'], routes: [{ to: '198.19.0.0/16', via: '198.18.0.1' }] },
    });
    expect(wanted.createAttachment.attachment).toMatchObject({ addresses: ['198.18.0.50/24'], ifname: 'eth1', routes: [{ to: '198.19.0.0/16', via: '198.18.0.1' }] });
    ids.push(wanted.createAttachment.attachment.id);
  });

  it('a dry run shows the address it would allocate and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const { createAttachment } = await ok('provisioner', CREATE_ATTACHMENT, { input: { network: 'blue', host: 'h1', container: { netns: 'c3' } }, dryRun: true });
    expect(createAttachment).toMatchObject({ dryRun: true, operation: null, attachment: { addresses: ['198.18.0.3/24'] } });
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('attachments filters by network and host and pages; attachment finds one', async () => {
    const page = await ok('viewer', '{ attachments(network: "blue", first: 1) { items { id } nextCursor } }');
    expect(page.attachments.items).toHaveLength(1);
    const rest = await ok('viewer', 'query ($after: String) { attachments(network: "blue", first: 1, after: $after) { items { id } nextCursor } }', { after: page.attachments.nextCursor });
    expect([...page.attachments.items, ...rest.attachments.items].map((a: { id: string }) => a.id).sort()).toEqual([...ids].sort());
    expect(rest.attachments.nextCursor).toBeNull();
    const onH1 = await ok('viewer', '{ attachments(host: "h1") { items { id host } } }');
    expect(onH1.attachments.items).toEqual([{ id: ids[0], host: 'h1' }]);
    const { attachment } = await ok('viewer', `query ($id: ID!) { attachment(id: $id) { ${ATTACHMENT_FIELDS} } }`, { id: ids[1] });
    expect(attachment).toMatchObject({ id: ids[1], host: 'h2', container: { dockerContainer: 'web2' } });
  });

  const input = (extra: Record<string, unknown>) => ({ input: { network: 'blue', host: 'h1', container: { netns: 'c4' }, ...extra } });
  const refusals: [string, string, Record<string, unknown> | undefined, string, number, string][] = [
    ['two ways to find the container', CREATE_ATTACHMENT, input({ container: { netns: 'c4', pid: 42 } }), 'VALIDATION_FAILED', 400, 'container'],
    ['a namespace path elsewhere', CREATE_ATTACHMENT, input({ container: { path: '/etc/passwd' } }), 'VALIDATION_FAILED', 400, 'container.path'],
    ['an interface name with shell characters', CREATE_ATTACHMENT, input({ ifname: 'eth0;reboot' }), 'VALIDATION_FAILED', 400, 'ifname'],
    ['a multicast MAC', CREATE_ATTACHMENT, input({ mac: '01:00:5e:00:00:01' }), 'VALIDATION_FAILED', 400, 'mac'],
    ['an address outside the subnets', CREATE_ATTACHMENT, input({ addresses: ['198.19.0.5'] }), 'VALIDATION_FAILED', 400, 'addresses[0]'],
    ['an address in use', CREATE_ATTACHMENT, input({ addresses: ['198.18.0.50'] }), 'CONFLICT', 409, 'addresses[0]'],
    ['a bad route', CREATE_ATTACHMENT, input({ routes: [{ to: '198.19.0.0' }] }), 'VALIDATION_FAILED', 400, 'routes[0].to'],
    ['an unknown network', CREATE_ATTACHMENT, input({ network: 'grey' }), 'NOT_FOUND', 404, 'network'],
    ['an unknown host', CREATE_ATTACHMENT, input({ host: 'h9' }), 'NOT_FOUND', 404, 'host'],
    ['an id that is no UUID', '{ attachment(id: "a1") { id } }', undefined, 'VALIDATION_FAILED', 400, 'id'],
    ['a filter that is no network name', '{ attachments(network: "Blue!") { items { id } } }', undefined, 'VALIDATION_FAILED', 400, 'network'],
    ['deleting a network that has attachments', 'mutation { deleteNetwork(name: "blue") { dryRun } }', undefined, 'CONFLICT', 409, 'name'],
  ];
  it.each(refusals)('refuses %s, naming the field, changing nothing', async (_what, query, variables, code, status, field) => {
    const error = await refused('provisioner', query, variables);
    expect(error.extensions).toMatchObject({ code, status, field });
  });

  it('deleteAttachment detaches (a dry run first, which changes nothing)', async () => {
    const query = `mutation ($id: ID!, $dryRun: Boolean) { deleteAttachment(id: $id, dryRun: $dryRun) { attachment { id } ${MUTATION_FIELDS} } }`;
    const before = await redisSnapshot(redis);
    const dry = await ok('provisioner', query, { id: ids[1], dryRun: true });
    expect(dry.deleteAttachment).toMatchObject({ dryRun: true, operation: null, attachment: null });
    expect(dry.deleteAttachment.changes[0].diff.attachments.removed).toEqual([expect.objectContaining({ id: ids[1] })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
    const done = await ok('provisioner', query, { id: ids[1] });
    expect(Object.keys(done.deleteAttachment.operation.targets)).toEqual(['h2']);
    const { attachments } = await ok('viewer', '{ attachments(network: "blue") { items { id } } }');
    expect(attachments.items).toEqual([{ id: ids[0] }]);
  });
});

describe('operator bridges, ports and tunnels', () => {
  /** The same resource over REST, to show both APIs hold one thing. */
  const overRest = async (path: string) => (await first.as('viewer').get(`/v1/hosts/h1/${path}`).expect(200)).body as Data;

  it('a dry run of createBridge answers with the bridge and the diff, and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const { createBridge } = await ok('admin', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-ext', failMode: 'secure' }, dryRun: true });
    expect(createBridge).toMatchObject({ dryRun: true, operation: null, bridge: { name: 'br-ext', datapathType: 'netdev', failMode: 'secure', otherConfig: {} } });
    expect(createBridge.changes).toEqual([expect.objectContaining({ hostId: 'h1', toRevision: createBridge.changes[0].fromRevision + 1 })]);
    expect(createBridge.changes[0].diff.bridges.added).toEqual([expect.objectContaining({ name: 'br-ext' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('createBridge adds a bridge to its host only; bridges and bridge read it back', async () => {
    const { createBridge } = await ok('admin', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-ext', failMode: 'secure', otherConfig: { 'mac-aging-time': '600' } } });
    expect(createBridge.bridge).toEqual({ name: 'br-ext', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'mac-aging-time': '600' } });
    expect(createBridge.operation.targets).toEqual({ h1: createBridge.changes[0].toRevision });
    const provider = await ok('admin', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-prov', datapathType: 'system' } });
    expect(provider.createBridge.bridge).toEqual({ name: 'br-prov', datapathType: 'system', failMode: null, otherConfig: {} });
    const { bridges, bridge, other } = await ok('viewer', `{ bridges(id: "h1") { items { name } nextCursor } bridge(id: "h1", name: "br-ext") { ${BRIDGE_FIELDS} } other: bridges(id: "h2") { items { name } } }`);
    expect(bridges).toEqual({ items: [{ name: 'br-ext' }, { name: 'br-prov' }], nextCursor: null });
    expect(bridge).toEqual(await overRest('bridges/br-ext'));
    expect(other).toEqual({ items: [] });
  });

  it('createPort adds an access port with its tag, and a trunk port in a native VLAN mode', async () => {
    const access = await ok('admin', CREATE_PORT, { id: 'h1', input: { name: 'eth-a', bridge: 'br-ext', kind: 'access', tag: 100 } });
    expect(access.createPort.port).toEqual({ name: 'eth-a', bridge: 'br-ext', kind: 'access', tag: 100, trunks: [], vlanMode: null, peer: null });
    expect(Object.keys(access.createPort.operation.targets)).toEqual(['h1']);
    const trunk = await ok('admin', CREATE_PORT, { id: 'h1', input: { name: 'uplink', bridge: 'br-int', kind: 'trunk', trunks: [300, 200], vlanMode: 'native_untagged', tag: 5 } });
    expect(trunk.createPort.port).toMatchObject({ kind: 'trunk', tag: 5, trunks: [200, 300], vlanMode: 'native_untagged' });
    expect(await overRest('ports/uplink')).toMatchObject({ vlanMode: 'native-untagged', trunks: [200, 300] });
    const { ports, port } = await ok('viewer', `{ ports(id: "h1") { items { name } } port(id: "h1", name: "eth-a") { ${PORT_FIELDS} } }`);
    expect(ports).toEqual({ items: [{ name: 'eth-a' }, { name: 'uplink' }] });
    // a page at a time, as REST's limit and cursor
    const onePage = await ok('viewer', '{ ports(id: "h1", first: 1) { items { name } nextCursor } }');
    expect(onePage.ports.items).toEqual([{ name: 'eth-a' }]);
    const nextPage = await ok('viewer', `{ ports(id: "h1", first: 1, after: "${onePage.ports.nextCursor}") { items { name } nextCursor } }`);
    expect(nextPage.ports).toEqual({ items: [{ name: 'uplink' }], nextCursor: null });
    expect(port).toEqual(access.createPort.port);
  });

  it('createTunnel adds a GRE tunnel with a key above 32 bits and tos "inherit"; a dry run of another changes nothing', async () => {
    const input = { name: 'gre-dc2', bridge: 'br-ext', type: 'gre', remoteIp: '203.0.113.50', key: 4294967295, tos: 'inherit', ttl: 64, csum: true };
    const { createTunnel } = await ok('admin', CREATE_TUNNEL, { id: 'h1', input });
    expect(createTunnel.tunnel).toEqual({ ...input, localIp: null, dstPort: null });
    expect(await overRest('tunnels/gre-dc2')).toEqual(createTunnel.tunnel);
    const before = await redisSnapshot(redis);
    const dry = await ok('admin', CREATE_TUNNEL, { id: 'h1', input: { name: 'vx-dc3', bridge: 'br-int', type: 'vxlan', remoteIp: '203.0.113.51', dstPort: 4790, tos: 16 }, dryRun: true });
    expect(dry.createTunnel).toMatchObject({ dryRun: true, operation: null, tunnel: { name: 'vx-dc3', dstPort: 4790, tos: '16' } });
    expect(dry.createTunnel.changes[0].diff.tunnels.added).toEqual([expect.objectContaining({ name: 'vx-dc3' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
    const { tunnels } = await ok('viewer', '{ tunnels(id: "h1") { items { name } } }');
    expect(tunnels).toEqual({ items: [{ name: 'gre-dc2' }] });
  });

  const port = (extra: Record<string, unknown>) => ({ id: 'h1', input: { name: 'eth-b', bridge: 'br-ext', kind: 'access', tag: 200, ...extra } });
  const tunnel = (extra: Record<string, unknown>) => ({ id: 'h1', input: { name: 'vx-b', bridge: 'br-ext', type: 'vxlan', remoteIp: '203.0.113.60', ...extra } });
  // query, variables, code, status, field
  const refusals: [string, string, Record<string, unknown> | undefined, string, number, string][] = [
    ['a bridge name the host already has', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-ext' } }, 'CONFLICT', 409, 'name'],
    ['the integration bridge\'s name', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-int' } }, 'CONFLICT', 409, 'name'],
    ['a bridge on an unknown host', CREATE_BRIDGE, { id: 'h9', input: { name: 'br-x' } }, 'NOT_FOUND', 404, 'id'],
    ['a bad host id', CREATE_BRIDGE, { id: 'H_1', input: { name: 'br-x' } }, 'VALIDATION_FAILED', 400, 'id'],
    ['a bridge name that is no interface name', CREATE_BRIDGE, { id: 'h1', input: { name: 'br x;' } }, 'VALIDATION_FAILED', 400, 'name'],
    ['an unknown failMode', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-x', failMode: 'open' } }, 'VALIDATION_FAILED', 400, 'failMode'],
    ['other_config that is no config map', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-x', otherConfig: { 'bad key': 'x' } } }, 'VALIDATION_FAILED', 400, 'otherConfig'],
    ['an unknown bridge field', CREATE_BRIDGE, { id: 'h1', input: { name: 'br-x', stp: true } }, 'VALIDATION_FAILED', 400, 'stp'],
    ['an access tag out of range', CREATE_PORT, port({ tag: 4095 }), 'VALIDATION_FAILED', 400, 'tag'],
    ['an unknown VLAN mode', CREATE_PORT, port({ vlanMode: 'native-tagged' }), 'VALIDATION_FAILED', 400, 'vlanMode'],
    ['a port on a bridge the host has not', CREATE_PORT, port({ bridge: 'br-nope' }), 'NOT_FOUND', 404, 'bridge'],
    ['a port name in use', CREATE_PORT, port({ name: 'eth-a' }), 'CONFLICT', 409, 'name'],
    ['a tos out of range', CREATE_TUNNEL, tunnel({ tos: 256 }), 'VALIDATION_FAILED', 400, 'tos'],
    ['a tos that is neither a number nor a string', CREATE_TUNNEL, tunnel({ tos: true }), 'VALIDATION_FAILED', 400, 'tos'],
    ['a remote address that is no tunnel endpoint', CREATE_TUNNEL, tunnel({ remoteIp: '127.0.0.1' }), 'VALIDATION_FAILED', 400, 'remoteIp'],
    ['a tunnel type that is no overlay', CREATE_TUNNEL, tunnel({ type: 'vlan' }), 'VALIDATION_FAILED', 400, 'type'],
    ['a second tunnel to the same endpoint and key', CREATE_TUNNEL, tunnel({ type: 'gre', remoteIp: '203.0.113.50', key: 4294967295 }), 'CONFLICT', 409, 'remoteIp'],
    ['deleting a bridge that still carries ports', 'mutation { deleteBridge(id: "h1", name: "br-ext") { dryRun } }', undefined, 'CONFLICT', 409, 'name'],
    ['deleting a port the host has not', 'mutation { deletePort(id: "h1", name: "eth-z") { dryRun } }', undefined, 'NOT_FOUND', 404, 'name'],
    ['a bridge the host has not', '{ bridge(id: "h1", name: "br-nope") { name } }', undefined, 'NOT_FOUND', 404, 'name'],
    ['the tunnels of an unknown host', '{ tunnels(id: "h9") { items { name } } }', undefined, 'NOT_FOUND', 404, 'id'],
  ];
  it.each(refusals)('refuses %s, naming the field, changing nothing', async (_what, query, variables, code, status, field) => {
    const error = await refused('admin', query, variables);
    expect(error.extensions).toMatchObject({ code, status, field });
    expect(error.extensions.details).toContainEqual({ field, message: expect.any(String) });
  });

  it('deleteTunnel, deletePort and deleteBridge remove them (a dry run first, which changes nothing), answering with what went', async () => {
    const before = await redisSnapshot(redis);
    const dry = await ok('admin', `mutation { deleteTunnel(id: "h1", name: "gre-dc2", dryRun: true) { tunnel { name } ${MUTATION_FIELDS} } }`);
    expect(dry.deleteTunnel).toMatchObject({ dryRun: true, operation: null, tunnel: { name: 'gre-dc2' } });
    expect(dry.deleteTunnel.changes[0].diff.tunnels.removed).toEqual([expect.objectContaining({ name: 'gre-dc2' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
    const gone = await ok('admin', `mutation {
      deleteTunnel(id: "h1", name: "gre-dc2") { tunnel { name } operation { targets } }
      deletePort(id: "h1", name: "eth-a") { port { name tag } operation { targets } }
    }`);
    expect(gone.deleteTunnel.tunnel).toEqual({ name: 'gre-dc2' });
    expect(gone.deletePort.port).toEqual({ name: 'eth-a', tag: 100 });
    expect(Object.keys(gone.deletePort.operation.targets)).toEqual(['h1']);
    const bridge = await ok('admin', `mutation { deleteBridge(id: "h1", name: "br-ext") { bridge { name failMode } ${MUTATION_FIELDS} } }`);
    expect(bridge.deleteBridge).toMatchObject({ dryRun: false, bridge: { name: 'br-ext', failMode: 'secure' } });
    const left = await ok('viewer', '{ bridges(id: "h1") { items { name } } ports(id: "h1") { items { name } } tunnels(id: "h1") { items { name } } }');
    expect(left).toEqual({ bridges: { items: [{ name: 'br-prov' }] }, ports: { items: [{ name: 'uplink' }] }, tunnels: { items: [] } });
  });
});

describe('agent credentials', () => {
  const clientsOfAgents: Redis[] = [];

  afterAll(() => clientsOfAgents.forEach((client) => client.disconnect()));

  /** A Redis connection as the agent's user. */
  async function connectAs(credentials: { username: string; password: string }): Promise<Redis> {
    const client = new Redis({ port: redisServer.port, ...credentials, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    clientsOfAgents.push(client);
    await client.connect();
    return client;
  }

  /** AUTH on a fresh connection: resolves OK or rejects with Redis's own answer (WRONGPASS). */
  function auth(credentials: { username: string; password: string }): Promise<unknown> {
    const client = new Redis({ port: redisServer.port, maxRetriesPerRequest: 0 });
    clientsOfAgents.push(client);
    return client.call('AUTH', credentials.username, credentials.password);
  }

  it('issueAgentCredentials answers the host\'s Redis user and its secret, confined to its host; issuing again rotates it; revoke removes the user', async () => {
    const { issueAgentCredentials: issued } = await ok('admin', ISSUE_CREDENTIALS, { id: 'h1' });
    expect(issued).toEqual({ username: 'agent-h1', password: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/) });
    const agent = await connectAs(issued);
    expect(JSON.parse((await agent.get(redisKeys.hostDesired('h1'))) as string).hostId).toBe('h1');
    await expect(agent.get(redisKeys.hostDesired('h2'))).rejects.toThrow(/NOPERM/);
    const { issueAgentCredentials: rotated } = await ok('admin', ISSUE_CREDENTIALS, { id: 'h1' });
    expect(rotated.password).not.toBe(issued.password);
    await expect(auth(issued)).rejects.toThrow(/WRONGPASS/);
    expect(await auth(rotated)).toBe('OK');
    expect(await ok('admin', 'mutation { revokeAgentCredentials(id: "h1") }')).toEqual({ revokeAgentCredentials: true });
    await expect(auth(rotated)).rejects.toThrow(/WRONGPASS/);
  });

  it.each([
    ['an unknown host', ISSUE_CREDENTIALS, { id: 'h9' }, 'NOT_FOUND', 404],
    ['a bad host id', ISSUE_CREDENTIALS, { id: 'H_1' }, 'VALIDATION_FAILED', 400],
    ['a bad host id to revoke', 'mutation { revokeAgentCredentials(id: "H_1") }', undefined, 'VALIDATION_FAILED', 400],
  ])('refuses %s, naming id, changing nothing', async (_what, query, variables, code, status) => {
    const error = await refused('admin', query, variables);
    expect(error.extensions).toMatchObject({ code, status, field: 'id' });
  });
});

describe('operations', () => {
  // Only now: until here, nothing but the requests may write to Redis (the refusals compare snapshots).
  beforeAll(async () => {
    for (const hostId of ['h1', 'h2']) agents.push(await FakeAgent.start({ redisUrl: redisServer.url, hostId }));
  });

  it('operation shows each host\'s state and receipts, and the id of the request that made it; the agents apply it', async () => {
    const created = await graphql('provisioner', CREATE_NETWORK, { input: { name: 'green', type: 'geneve' } }, { 'X-Request-Id': 'graphql-e2e-green' });
    expect(created.errors).toBeUndefined();
    const id = created.data?.createNetwork.operation.id as string;
    let operation: Data = {};
    for (let i = 0; i < 100; i++) {
      operation = (await ok('viewer', `query ($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id })).operation;
      if (operation.state !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(operation).toMatchObject({ id, kind: 'network.create', state: 'applied', message: null, requestId: 'graphql-e2e-green', resource: { type: 'network', id: 'green' }, counts: { pending: 0, applied: 2, failed: 0 } });
    for (const host of operation.hosts) expect(host.receipts).toEqual({ acceptedAt: expect.any(String), queuedAt: expect.any(String), pickedUpAt: expect.any(String), appliedAt: expect.any(String) });
  });

  it('refuses an unknown operation (NOT_FOUND naming id)', async () => {
    const response = await graphql('viewer', '{ operation(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(response.data).toBeNull();
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', status: 404, field: 'id' });
  });
});

describe('topology', () => {
  const TOPOLOGY = '{ topology { hosts { id tunnelIp labels connected appliedRevision desiredRevision } networks { name type segmentId hosts } links { network a b } } }';

  it('shows the hosts with their applied revisions (once the agents caught up), the networks and the tunnels between hosts, as GET /v1/topology', async () => {
    let topology: Data = {};
    for (let i = 0; i < 100; i++) {
      topology = (await ok('viewer', TOPOLOGY)).topology;
      if (topology.hosts.every((host: Data) => host.appliedRevision === host.desiredRevision)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(topology.hosts).toEqual(['h1', 'h2'].map((id, i) => ({ id, tunnelIp: `203.0.113.${11 + i}`, labels: { rack: 'r1' }, connected: true, appliedRevision: expect.any(Number), desiredRevision: expect.any(Number) })));
    for (const host of topology.hosts) expect(host.appliedRevision).toBe(host.desiredRevision);
    // h1 carried the operator resources' changes too
    expect(topology.hosts[0].appliedRevision).toBeGreaterThan(topology.hosts[1].appliedRevision);
    expect(topology.networks).toEqual([
      { name: 'blue', type: 'vxlan', segmentId: 1, hosts: ['h1', 'h2'] },
      { name: 'green', type: 'geneve', segmentId: expect.any(Number), hosts: ['h1', 'h2'] },
    ]);
    expect(topology.links).toEqual([
      { network: 'blue', a: 'h1', b: 'h2' },
      { network: 'green', a: 'h1', b: 'h2' },
    ]);
    expect(topology).toEqual((await first.as('viewer').get('/v1/topology').expect(200)).body);
  });
});

describe('operationProgress over graphql-ws, on a second controller app', () => {
  beforeAll(async () => {
    second = await startController(redisServer.url);
    await second.app.listen(0, '127.0.0.1');
  });

  /** A graphql-ws client of the second app (or of the controller listening on `port`). */
  function connect(authorization: string | undefined, port = ((second as TestController).app.getHttpServer().address() as { port: number }).port): Client {
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: authorization === undefined ? {} : { authorization },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return client;
  }

  interface Collected {
    results: FormattedExecutionResult<Data, unknown>[];
    error?: unknown;
  }

  /** Everything a subscription delivers until it completes or fails. */
  function collect(client: Client, payload: SubscribePayload, onResult: (result: FormattedExecutionResult<Record<string, unknown>, unknown>) => void = () => undefined): Promise<Collected> {
    return new Promise((resolve) => {
      const results: Collected['results'] = [];
      client.subscribe(payload, {
        next: (result) => {
          results.push(result);
          onResult(result);
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      });
    });
  }

  const PROGRESS = `subscription ($id: ID!) { operationProgress(id: $id) { ${OPERATION_FIELDS} } }`;

  /**
   * Changes blue's MTU through the first app and follows the operation on `client`: the agents
   * hold the jobs until the subscriber has seen the operation pending, then apply them.
   */
  async function followMtuChange(mtu: number, client: Client): Promise<{ id: string; collected: Collected }> {
    const releases = agents.map((agent) => agent.hold());
    let released = false;
    const release = () => {
      if (!released) for (const releaseAgent of releases) releaseAgent();
      released = true;
    };
    try {
      const { updateNetwork } = await ok('provisioner', UPDATE_NETWORK, { name: 'blue', input: { mtu } });
      const id = updateNetwork.operation.id as string;
      return { id, collected: await collect(client, { query: PROGRESS, variables: { id } }, release) };
    } finally {
      release();
    }
  }

  it('follows a change made through the first app until the agents have applied it', async () => {
    const { id, collected } = await followMtuChange(1420, connect(`Bearer ${TOKENS.viewer}`));
    expect(collected.error).toBeUndefined();
    const views = collected.results.map((result) => {
      expect(result.errors).toBeUndefined();
      return result.data?.operationProgress;
    });
    expect(views[0]).toMatchObject({ id, kind: 'network.update', state: 'pending', counts: { pending: 2 } });
    expect(views.at(-1)).toMatchObject({ id, state: 'applied', counts: { pending: 0, applied: 2, failed: 0 } });
    for (const host of views.at(-1).hosts) expect(host).toMatchObject({ state: 'applied', receipts: { appliedAt: expect.any(String) } });
    expect(views.slice(0, -1).every((view) => view.state === 'pending')).toBe(true);
  });

  it('follows it from another controller PROCESS too (its own Node process on the same Redis)', async () => {
    otherProcess = await ControllerProcess.start({ redisUrl: redisServer.url, tokens: TOKENS_SETTING });
    const { id, collected } = await followMtuChange(1410, connect(`Bearer ${TOKENS.viewer}`, otherProcess.port));
    expect(collected.error).toBeUndefined();
    const views = collected.results.map((result) => result.data?.operationProgress);
    expect(views[0]).toMatchObject({ id, state: 'pending' });
    expect(views.at(-1)).toMatchObject({ id, state: 'applied', counts: { pending: 0, applied: 2, failed: 0 } });
  });

  it('answers an unknown operation with NOT_FOUND naming id, then completes', async () => {
    const collected = await collect(connect(`Bearer ${TOKENS.viewer}`), { query: PROGRESS, variables: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(collected.error).toBeUndefined();
    expect(collected.results).toHaveLength(1);
    expect(collected.results[0].errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', status: 404, field: 'id' });
  });

  it('answers an id that is no UUID with VALIDATION_FAILED naming id', async () => {
    const collected = await collect(connect(`Bearer ${TOKENS.viewer}`), { query: PROGRESS, variables: { id: 'op-1' } });
    expect(collected.results[0].errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, field: 'id' });
  });

  it('refuses a document that does not validate, in the same error shape', async () => {
    const collected = await collect(connect(`Bearer ${TOKENS.viewer}`), { query: 'subscription { operationProgress { id } }' });
    expect(collected.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400, field: 'id' }) })]);
  });

  it('carries subscriptions only: a query over graphql-ws is refused', async () => {
    const collected = await collect(connect(`Bearer ${TOKENS.viewer}`), { query: '{ hosts { items { id } } }' });
    expect(collected.error).toEqual([expect.objectContaining({ message: expect.stringContaining('POST /graphql'), extensions: expect.objectContaining({ code: 'VALIDATION_FAILED' }) })]);
  });

  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer not-a-configured-token-000'],
    ['a token without "Bearer"', TOKENS.viewer],
  ])('refuses a connection with %s (closed with 4403)', async (_what, authorization) => {
    const collected = await collect(connect(authorization), { query: PROGRESS, variables: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(collected.results).toEqual([]);
    expect(collected.error).toMatchObject({ code: 4403 });
  });
});
