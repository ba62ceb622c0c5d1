/** Idempotency-Key on POST: a repeat returns the first answer, from any controller process. */
import { Redis } from 'ioredis';
import { RedisTestServer } from '../support/redis-server';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy';
import { startController, TestController } from './support/controller-app';

let redisServer: RedisTestServer;
let redis: Redis;
let first: TestController;
let second: TestController;

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  first = await startController(redisServer.url);
  second = await startController(redisServer.url);
  await first.as('admin').put('/v1/hosts/h1', { tunnelIp: '203.0.113.11' }).expect(202);
  await first.as('provisioner').post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] }).expect(202);
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

const body = { network: 'blue', host: 'h1', container: { netns: 'c1' } };

it('a repeated POST with the same key creates one attachment and answers the same, through another process too', async () => {
  const a = await first.as('provisioner').post('/v1/attachments', body).set('Idempotency-Key', 'create-c1');
  const b = await second.as('provisioner').post('/v1/attachments', body).set('Idempotency-Key', 'create-c1');
  expect(a.status).toBe(202);
  expect(b.status).toBe(202);
  expect(b.body).toEqual(a.body);
  const list = await first.as('viewer').get('/v1/attachments?network=blue');
  expect(list.body.items).toHaveLength(1);
});

it('concurrent repeats still run once', async () => {
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).as('provisioner').post('/v1/attachments', { ...body, container: { netns: 'c2' } }).set('Idempotency-Key', 'create-c2')),
  );
  expect(new Set(answers.map((a) => a.body.attachment?.id)).size).toBe(1);
  expect(answers.every((a) => a.status === 202)).toBe(true);
  expect((await first.as('viewer').get('/v1/attachments?network=blue')).body.items).toHaveLength(2);
});

it('the same key with another body is refused (409 naming Idempotency-Key)', async () => {
  const response = await first.as('provisioner').post('/v1/attachments', { ...body, container: { netns: 'c3' } }).set('Idempotency-Key', 'create-c1');
  expect(response.status).toBe(409);
  expect(response.body.error.field).toBe('Idempotency-Key');
});

it('a failed first request leaves no trace: the same key may be retried', async () => {
  const bad = { ...body, network: 'nope', container: { netns: 'c4' } };
  expect((await first.as('provisioner').post('/v1/attachments', bad).set('Idempotency-Key', 'retry-me')).status).toBe(404);
  await first.as('provisioner').post('/v1/networks', { name: 'nope', type: 'vxlan' }).expect(202);
  expect((await first.as('provisioner').post('/v1/attachments', bad).set('Idempotency-Key', 'retry-me')).status).toBe(202);
});

it('keys are per caller and must be well formed', async () => {
  const response = await first.as('provisioner').post('/v1/attachments', body).set('Idempotency-Key', 'bad key with spaces');
  expect(response.status).toBe(400);
  expect(response.body.error.field).toBe('Idempotency-Key');
});

it('a first request whose claim of the key lost its reply (ioredis sent it again) runs, and a repeat gets its answer', async () => {
  const proxy = await ReplyDroppingProxy.start(redisServer.port);
  const viaProxy = await startController(`redis://127.0.0.1:${proxy.port}`);
  try {
    const lost = proxy.loseNextReply('ovsf:idempotency:');
    const started = Date.now();
    const a = await viaProxy.as('provisioner').post('/v1/attachments', { ...body, container: { netns: 'c5' } }).set('Idempotency-Key', 'lost-reply');
    await lost;
    expect(proxy.lost).toBe(1);
    expect(a.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(10_000); // not after waiting out a claim it holds itself
    const b = await first.as('provisioner').post('/v1/attachments', { ...body, container: { netns: 'c5' } }).set('Idempotency-Key', 'lost-reply');
    expect(b.status).toBe(202);
    expect(b.body).toEqual(a.body);
  } finally {
    await viaProxy.close();
    await proxy.close();
  }
});
