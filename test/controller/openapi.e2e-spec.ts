/**
 * The checked-in OpenAPI document is what the code serves at /docs-json. After changing the
 * API, regenerate it with `npm run openapi` (this spec with UPDATE_API_DOCUMENTS=1 writes the
 * file; it runs under Jest because the document needs SWC's decorator metadata, which tsx lacks).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController } from './support/controller-app';

const OPENAPI_FILE = join(__dirname, '..', '..', 'apps', 'controller', 'openapi.json');
const format = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

let redis: RedisTestServer;
let controller: TestController;

beforeAll(async () => {
  redis = await RedisTestServer.start();
  controller = await startController(redis.url);
});

afterAll(async () => {
  await controller?.close();
  await redis?.dispose();
});

it('GET /docs-json serves the checked-in apps/controller/openapi.json (no token needed)', async () => {
  const response = await controller.anonymous.get('/docs-json');
  expect(response.status).toBe(200);
  if (process.env.UPDATE_API_DOCUMENTS === '1') writeFileSync(OPENAPI_FILE, format(response.body));
  expect(format(response.body)).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
});

it('GET /docs serves Swagger UI, its files included (no token needed)', async () => {
  const page = await controller.anonymous.get('/docs');
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  const script = /src="\.?\/?(?:docs\/)?(swagger-ui-bundle\.js)"/.exec(page.text)?.[1];
  expect(script).toBe('swagger-ui-bundle.js');
  const bundle = await controller.anonymous.get(`/docs/${script}`);
  expect(bundle.status).toBe(200);
  expect(bundle.text.length).toBeGreaterThan(100_000);
});

it('documents every route of the REST contract, each behind bearer auth', () => {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  for (const route of [
    'PUT /v1/hosts/{id}',
    'GET /v1/hosts',
    'GET /v1/hosts/{id}',
    'DELETE /v1/hosts/{id}',
    'POST /v1/networks',
    'GET /v1/networks',
    'GET /v1/networks/{name}',
    'PATCH /v1/networks/{name}',
    'DELETE /v1/networks/{name}',
    'POST /v1/attachments',
    'GET /v1/attachments',
    'GET /v1/attachments/{id}',
    'DELETE /v1/attachments/{id}',
    'GET /v1/operations/{id}',
    'GET /v1/topology',
    'GET /v1/hosts/{id}/bridges',
    'POST /v1/hosts/{id}/bridges',
    'GET /v1/hosts/{id}/ports',
    'POST /v1/hosts/{id}/ports',
    'GET /v1/hosts/{id}/tunnels',
    'POST /v1/hosts/{id}/tunnels',
  ]) {
    expect(routes).toContain(route);
  }
  const unprotected = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, methods]) => Object.entries(methods).filter(([, operation]) => JSON.stringify(operation.security) !== JSON.stringify([{ bearer: [] }])).map(([method]) => `${method} ${path}`));
  expect(unprotected).toEqual([]);
});
