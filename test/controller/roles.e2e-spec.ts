/**
 * Auth and roles on every route of the REST API: a table of route x caller x expected
 * status. viewer reads; provisioner also writes networks and attachments; admin does all.
 * The table has one row per path and method of the checked-in openapi.json, no more, no less.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController, TOKENS } from './support/controller-app';

let redisServer: RedisTestServer;
let controller: TestController;
let attachmentId = '';
let operationId = '';

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  controller = await startController(redisServer.url);
  const admin = controller.as('admin');
  await admin.put('/v1/hosts/h1', { tunnelIp: '203.0.113.11' }).expect(202);
  await admin.post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] }).expect(202);
  const attached = await admin.post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'c1' } }).expect(202);
  attachmentId = attached.body.attachment.id;
  operationId = attached.body.operation.id;
  await admin.post('/v1/hosts/h1/bridges', { name: 'br-ext' }).expect(202);
  await admin.post('/v1/hosts/h1/ports', { name: 'p-ext', bridge: 'br-int', kind: 'internal' }).expect(202);
  await admin.post('/v1/hosts/h1/tunnels', { name: 't-ext', bridge: 'br-int', type: 'gre', remoteIp: '203.0.113.60' }).expect(202);
});

afterAll(async () => {
  await controller?.close();
  await redisServer?.dispose();
});

type Caller = 'anonymous' | 'forged' | 'viewer' | 'provisioner' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'forged', 'viewer', 'provisioner', 'admin'];
type Level = 'viewer' | 'provisioner' | 'admin';
const RANK: Record<Level, number> = { viewer: 1, provisioner: 2, admin: 3 };
type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'put', 'post', 'patch', 'delete'];

interface Route {
  method: Method;
  /** The route as openapi.json names it, e.g. /v1/hosts/{id}. */
  path: string;
  url: () => string;
  body?: object;
  needs: Level;
  /** The status a caller with enough rights gets (mutations are dry runs where the route has them: nothing changes). */
  ok: number;
}

const ROUTES: Route[] = [
  { method: 'get', path: '/v1/hosts', url: () => '/v1/hosts', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/hosts/{id}', url: () => '/v1/hosts/h1', needs: 'viewer', ok: 200 },
  { method: 'put', path: '/v1/hosts/{id}', url: () => '/v1/hosts/h2?dryRun=true', body: { tunnelIp: '203.0.113.12' }, needs: 'admin', ok: 202 },
  { method: 'delete', path: '/v1/hosts/{id}', url: () => '/v1/hosts/h1?dryRun=true', needs: 'admin', ok: 202 },
  // No dry run: issuing rotates h1's agent password (no agent runs here), revoking removes the user.
  { method: 'post', path: '/v1/hosts/{id}/agent-credentials', url: () => '/v1/hosts/h1/agent-credentials', needs: 'admin', ok: 201 },
  { method: 'delete', path: '/v1/hosts/{id}/agent-credentials', url: () => '/v1/hosts/h1/agent-credentials', needs: 'admin', ok: 204 },
  { method: 'get', path: '/v1/hosts/{id}/bridges', url: () => '/v1/hosts/h1/bridges', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/hosts/{id}/bridges/{name}', url: () => '/v1/hosts/h1/bridges/br-ext', needs: 'viewer', ok: 200 },
  { method: 'post', path: '/v1/hosts/{id}/bridges', url: () => '/v1/hosts/h1/bridges?dryRun=true', body: { name: 'br-x' }, needs: 'admin', ok: 202 },
  { method: 'delete', path: '/v1/hosts/{id}/bridges/{name}', url: () => '/v1/hosts/h1/bridges/br-ext?dryRun=true', needs: 'admin', ok: 202 },
  { method: 'get', path: '/v1/hosts/{id}/ports', url: () => '/v1/hosts/h1/ports', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/hosts/{id}/ports/{name}', url: () => '/v1/hosts/h1/ports/p-ext', needs: 'viewer', ok: 200 },
  { method: 'post', path: '/v1/hosts/{id}/ports', url: () => '/v1/hosts/h1/ports?dryRun=true', body: { name: 'p-x', bridge: 'br-int', kind: 'internal' }, needs: 'admin', ok: 202 },
  { method: 'delete', path: '/v1/hosts/{id}/ports/{name}', url: () => '/v1/hosts/h1/ports/p-ext?dryRun=true', needs: 'admin', ok: 202 },
  { method: 'get', path: '/v1/hosts/{id}/tunnels', url: () => '/v1/hosts/h1/tunnels', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/hosts/{id}/tunnels/{name}', url: () => '/v1/hosts/h1/tunnels/t-ext', needs: 'viewer', ok: 200 },
  {
    method: 'post',
    path: '/v1/hosts/{id}/tunnels',
    url: () => '/v1/hosts/h1/tunnels?dryRun=true',
    body: { name: 't-x', bridge: 'br-int', type: 'vxlan', remoteIp: '203.0.113.61' },
    needs: 'admin',
    ok: 202,
  },
  { method: 'delete', path: '/v1/hosts/{id}/tunnels/{name}', url: () => '/v1/hosts/h1/tunnels/t-ext?dryRun=true', needs: 'admin', ok: 202 },
  { method: 'get', path: '/v1/networks', url: () => '/v1/networks', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/networks/{name}', url: () => '/v1/networks/blue', needs: 'viewer', ok: 200 },
  { method: 'post', path: '/v1/networks', url: () => '/v1/networks?dryRun=true', body: { name: 'red', type: 'gre' }, needs: 'provisioner', ok: 202 },
  { method: 'patch', path: '/v1/networks/{name}', url: () => '/v1/networks/blue?dryRun=true', body: { mtu: 1400 }, needs: 'provisioner', ok: 202 },
  { method: 'delete', path: '/v1/networks/{name}', url: () => '/v1/networks/blue?dryRun=true', needs: 'provisioner', ok: 409 },
  { method: 'get', path: '/v1/attachments', url: () => '/v1/attachments', needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/attachments/{id}', url: () => `/v1/attachments/${attachmentId}`, needs: 'viewer', ok: 200 },
  { method: 'post', path: '/v1/attachments', url: () => '/v1/attachments?dryRun=true', body: { network: 'blue', host: 'h1', container: { netns: 'c2' } }, needs: 'provisioner', ok: 202 },
  { method: 'delete', path: '/v1/attachments/{id}', url: () => `/v1/attachments/${attachmentId}?dryRun=true`, needs: 'provisioner', ok: 202 },
  { method: 'get', path: '/v1/operations/{id}', url: () => `/v1/operations/${operationId}`, needs: 'viewer', ok: 200 },
  { method: 'get', path: '/v1/topology', url: () => '/v1/topology', needs: 'viewer', ok: 200 },
];

/** Every path x method of the checked-in OpenAPI document, as "GET /v1/hosts/{id}". */
function documentedRoutes(): string[] {
  const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'apps', 'controller', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, operations]) => METHODS.filter((method) => method in operations).map((method) => `${method.toUpperCase()} ${path}`));
}

const routeName = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;

it('has one row for every route of openapi.json, and none for a route it does not document', () => {
  const documented = documentedRoutes();
  expect(documented.length).toBeGreaterThan(0);
  expect(ROUTES.map(routeName).sort()).toEqual([...documented].sort());
});

it('calls, in each row, a URL of the route the row names', () => {
  for (const route of ROUTES) {
    const pattern = new RegExp(`: ${route.path.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?|$)`);
    expect(`${routeName(route)}: ${route.url()}`).toMatch(pattern);
  }
});

function expected(route: Route, caller: Caller): number {
  if (caller === 'anonymous' || caller === 'forged') return 401;
  return RANK[caller] >= RANK[route.needs] ? route.ok : 403;
}

const table = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, label: `${routeName(route)} (${route.needs}) as ${caller}` })));

it.each(table)('$label', async ({ route, caller }) => {
  const server = controller.app.getHttpServer();
  let test = request(server)[route.method](route.url());
  if (caller === 'forged') test = test.set('Authorization', `Bearer ${TOKENS.admin}x`);
  else if (caller !== 'anonymous') test = test.set('Authorization', `Bearer ${TOKENS[caller]}`);
  const response = route.body ? await test.send(route.body) : await test;
  expect(`${route.method} ${route.url()} -> ${response.status}`).toBe(`${route.method} ${route.url()} -> ${expected(route, caller)}`);
  if (response.status === 401 || response.status === 403) expect(response.body.error.code).toBe(response.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
});

it('a malformed Authorization header is a 401, not a crash', async () => {
  for (const header of ['Bearer', 'Basic abc', `Bearer ${TOKENS.admin} extra`, 'Bearer ' + 'x'.repeat(10_000)]) {
    const response = await request(controller.app.getHttpServer()).get('/v1/hosts').set('Authorization', header);
    expect(response.status).toBe(401);
  }
});

it('health, metrics and the API documents need no token', async () => {
  for (const url of ['/health', '/metrics', '/docs-json']) expect((await controller.anonymous.get(url)).status).toBe(200);
});
