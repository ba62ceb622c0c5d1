/**
 * Auth and roles on every route of the REST API: a table of route x caller x expected
 * status. viewer reads; provisioner also writes networks and attachments; admin does all.
 */
import request from 'supertest';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController, TOKENS } from './support/controller-app';

let redisServer: RedisTestServer;
let controller: TestController;
let attachmentId = '';

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  controller = await startController(redisServer.url);
  await controller.as('admin').put('/v1/hosts/h1', { tunnelIp: '203.0.113.11' }).expect(202);
  await controller.as('admin').post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] }).expect(202);
  attachmentId = (await controller.as('admin').post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'c1' } }).expect(202)).body.attachment.id;
});

afterAll(async () => {
  await controller?.close();
  await redisServer?.dispose();
});

type Caller = 'anonymous' | 'forged' | 'viewer' | 'provisioner' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'forged', 'viewer', 'provisioner', 'admin'];
type Level = 'viewer' | 'provisioner' | 'admin';
const RANK: Record<Level, number> = { viewer: 1, provisioner: 2, admin: 3 };

interface Route {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  url: () => string;
  body?: object;
  needs: Level;
  /** The status a caller with enough rights gets (mutations are dry runs: nothing changes). */
  ok: number;
}

const ROUTES: Route[] = [
  { method: 'get', url: () => '/v1/hosts', needs: 'viewer', ok: 200 },
  { method: 'get', url: () => '/v1/hosts/h1', needs: 'viewer', ok: 200 },
  { method: 'put', url: () => '/v1/hosts/h2?dryRun=true', body: { tunnelIp: '203.0.113.12' }, needs: 'admin', ok: 202 },
  { method: 'delete', url: () => '/v1/hosts/h1?dryRun=true', needs: 'admin', ok: 202 },
  { method: 'get', url: () => '/v1/networks', needs: 'viewer', ok: 200 },
  { method: 'get', url: () => '/v1/networks/blue', needs: 'viewer', ok: 200 },
  { method: 'post', url: () => '/v1/networks?dryRun=true', body: { name: 'red', type: 'gre' }, needs: 'provisioner', ok: 202 },
  { method: 'patch', url: () => '/v1/networks/blue?dryRun=true', body: { mtu: 1400 }, needs: 'provisioner', ok: 202 },
  { method: 'delete', url: () => '/v1/networks/blue?dryRun=true', needs: 'provisioner', ok: 409 },
  { method: 'get', url: () => '/v1/attachments', needs: 'viewer', ok: 200 },
  { method: 'get', url: () => `/v1/attachments/${attachmentId}`, needs: 'viewer', ok: 200 },
  { method: 'post', url: () => '/v1/attachments?dryRun=true', body: { network: 'blue', host: 'h1', container: { netns: 'c2' } }, needs: 'provisioner', ok: 202 },
  { method: 'delete', url: () => `/v1/attachments/${attachmentId}?dryRun=true`, needs: 'provisioner', ok: 202 },
  { method: 'get', url: () => '/v1/operations/00000000-0000-4000-8000-000000000000', needs: 'viewer', ok: 404 },
];

function expected(route: Route, caller: Caller): number {
  if (caller === 'anonymous' || caller === 'forged') return 401;
  return RANK[caller] >= RANK[route.needs] ? route.ok : 403;
}

const table = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, label: `${route.method.toUpperCase()} ${route.needs}-route as ${caller}` })));

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
