/**
 * A controller started on a Redis whose desired-state documents an older controller wrote in
 * another schema rewrites them all in its own, as one operation, and queues a job for each
 * host: the agents (which refuse an unknown schema) converge again without waiting for a change.
 */
import { Redis } from 'ioredis';
import { DESIRED_STATE_SCHEMA, hostQueueName, redisKeys, type DesiredHostState } from '@ovs-fleet/contracts';
import { Queue } from 'bullmq';
import { readDesiredState } from '../../apps/agent/src/runtime/desired-state-reader';
import { RedisTestServer } from '../support/redis-server';
import { startController, type TestController } from './support/controller-app';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
const controllers: TestController[] = [];

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  for (const controller of controllers) await controller.close();
  await redis?.quit();
  await redisServer?.dispose();
});

const stored = async (hostId: string) => JSON.parse((await redis.get(redisKeys.hostDesired(hostId))) as string) as DesiredHostState & { tunnels?: unknown };

it('rewrites documents of another schema at start, once, with a job per host; current ones are left alone', async () => {
  const first = await startController(redisServer.url);
  controllers.push(first);
  for (const [id, ip] of [['h1', '203.0.113.11'], ['h2', '203.0.113.12']]) expect((await first.as('admin').put(`/v1/hosts/${id}`, { tunnelIp: ip })).status).toBe(202);
  expect((await first.as('admin').post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] })).status).toBe(202);
  const current = await stored('h1');

  // As an older controller left them: schema 1, tunnels listed in the document.
  const { tunnels } = (await readDesiredState(redis, 'h1'))!;
  for (const id of ['h1', 'h2']) await redis.set(redisKeys.hostDesired(id), JSON.stringify({ ...(await stored(id)), schema: 1, tunnels }));
  const queue = new Queue(hostQueueName('h1'), { connection: redis });
  await queue.drain(); // the jobs of the changes above, which no agent took

  const second = await startController(redisServer.url);
  controllers.push(second);
  for (const id of ['h1', 'h2']) {
    const doc = await stored(id);
    expect(doc.schema).toBe(DESIRED_STATE_SCHEMA);
    expect(doc.tunnels).toBeUndefined();
    expect(doc.revision).toBe(current.revision + 1);
  }
  expect((await readDesiredState(redis, 'h1'))?.tunnels.map((t) => t.remoteHost)).toEqual(['h2']);
  expect((await queue.getWaiting()).map((job) => job.data.revision)).toEqual([current.revision + 1]);
  await queue.close();

  // A third start finds every document current: nothing is rewritten.
  const third = await startController(redisServer.url);
  controllers.push(third);
  expect((await stored('h1')).revision).toBe(current.revision + 1);
});
