/** POST /v1/hosts/{id}/agent-credentials: a Redis user per agent, confined to its own host's keys; DELETE removes it (and a deleted host's queue; what the host left then expires). */
import { Redis } from 'ioredis';
import { hostQueueName, redisKeys } from '@ovs-fleet/contracts';
import { HOST_QUEUES_KEY } from '../../apps/controller/src/jobs/host-queues';
import { OPERATION_TTL_S } from '../../apps/controller/src/operations/operation-record';
import { stateKeys } from '../../apps/controller/src/state/state-keys';
import { RedisTestServer } from '../support/redis-server';
import { waitUntil } from '../support/wait-until';
import { startController, TestController } from './support/controller-app';

let redisServer: RedisTestServer;
let controller: TestController;
const clients: Redis[] = [];

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  controller = await startController(redisServer.url);
  for (const [i, id] of ['h1', 'h2'].entries()) await controller.as('admin').put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}` }).expect(202);
});

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await controller?.close();
  await redisServer?.dispose();
});

/** AUTH on a fresh connection: resolves OK or rejects with Redis's own answer (WRONGPASS). */
async function auth(username: string, password: string): Promise<unknown> {
  const client = new Redis({ port: redisServer.port, maxRetriesPerRequest: 0 });
  clients.push(client);
  return client.call('AUTH', username, password);
}

function connectAs(username: string, password: string): Redis {
  const client = new Redis({ port: redisServer.port, username, password, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  clients.push(client);
  return client;
}

it('issues credentials that read the host\'s own desired state and nothing of another host', async () => {
  const response = await controller.as('admin').post('/v1/hosts/h1/agent-credentials');
  expect(response.status).toBe(201);
  expect(response.body).toEqual({ username: 'agent-h1', password: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/) });
  const agent = connectAs(response.body.username, response.body.password);
  await agent.connect();
  expect(JSON.parse((await agent.get(redisKeys.hostDesired('h1'))) as string).hostId).toBe('h1');
  await expect(agent.get(redisKeys.hostDesired('h2'))).rejects.toThrow(/NOPERM/);
  await expect(agent.set(redisKeys.hostDesired('h1'), 'x')).rejects.toThrow(/NOPERM/);
  await expect(agent.hset(redisKeys.hostStatus('h2'), 'appliedRevision', 99)).rejects.toThrow(/NOPERM/);
  await expect(agent.get('ovsf:network:blue')).rejects.toThrow(/NOPERM/);
  expect(await agent.hset(redisKeys.hostStatus('h1'), 'heartbeatAt', Date.now())).toBe(1);
});

it('issuing again rotates the password; the old one stops working', async () => {
  const first = (await controller.as('admin').post('/v1/hosts/h2/agent-credentials')).body;
  const second = (await controller.as('admin').post('/v1/hosts/h2/agent-credentials')).body;
  expect(second.password).not.toBe(first.password);
  await expect(auth(first.username, first.password)).rejects.toThrow(/WRONGPASS/);
  expect(await auth(second.username, second.password)).toBe('OK');
});

it('only admins issue credentials, never for an unknown host, and never through Idempotency-Key (the answer is a secret)', async () => {
  expect((await controller.as('provisioner').post('/v1/hosts/h1/agent-credentials')).status).toBe(403);
  const unknown = await controller.as('admin').post('/v1/hosts/h9/agent-credentials');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.field).toBe('id');
  const keyed = await controller.as('admin').post('/v1/hosts/h1/agent-credentials').set('Idempotency-Key', 'k1');
  expect(keyed.status).toBe(400);
  expect(keyed.body.error.field).toBe('Idempotency-Key');
});

it('revoking removes the user', async () => {
  const issued = (await controller.as('admin').post('/v1/hosts/h1/agent-credentials')).body;
  expect(await auth(issued.username, issued.password)).toBe('OK');
  expect((await controller.as('admin').delete('/v1/hosts/h1/agent-credentials')).status).toBe(204);
  await expect(auth(issued.username, issued.password)).rejects.toThrow(/WRONGPASS/);
});

/** Whether the host's queue has keys in Redis, and whether it is in the set of host queues. */
async function queueOf(hostId: string): Promise<{ keys: boolean; listed: boolean }> {
  const redis = new Redis({ port: redisServer.port, maxRetriesPerRequest: 0 });
  try {
    return { keys: (await redis.keys(`bull:${hostQueueName(hostId)}:*`)).length > 0, listed: (await redis.sismember(HOST_QUEUES_KEY, hostId)) === 1 };
  } finally {
    redis.disconnect();
  }
}

it('revoking the credentials of a deleted host also removes its queue (a registered host keeps its own)', async () => {
  await controller.as('admin').put('/v1/hosts/h3', { tunnelIp: '203.0.113.13' }).expect(202);
  await controller.as('admin').post('/v1/hosts/h3/agent-credentials').expect(201);
  await controller.as('admin').delete('/v1/hosts/h3').expect(202);
  // No agent runs here: the host's converge jobs (registered, then drained) wait in its queue.
  expect(await queueOf('h3')).toEqual({ keys: true, listed: true });

  await controller.as('admin').delete('/v1/hosts/h3/agent-credentials').expect(204);
  expect(await queueOf('h3')).toEqual({ keys: false, listed: false });

  await controller.as('admin').post('/v1/hosts/h2/agent-credentials').expect(201);
  await controller.as('admin').delete('/v1/hosts/h2/agent-credentials').expect(204);
  expect(await queueOf('h2')).toEqual({ keys: true, listed: true });

  // A host never registered has no queue to remove: revoking is still answered, and leaves none behind.
  await controller.as('admin').delete('/v1/hosts/h8/agent-credentials').expect(204);
  expect(await queueOf('h8')).toEqual({ keys: false, listed: false });
});

it("a deleted host's queue is removed under the write lock, so a registration committed meanwhile keeps its first job", async () => {
  const redis = new Redis({ port: redisServer.port, maxRetriesPerRequest: 0 });
  clients.push(redis);
  await controller.as('admin').put('/v1/hosts/h4', { tunnelIp: '203.0.113.14' }).expect(202);
  await controller.as('admin').post('/v1/hosts/h4/agent-credentials').expect(201);
  await controller.as('admin').delete('/v1/hosts/h4').expect(202);
  await redis.set(stateKeys.writeLock, 'another controller process', 'PX', 10_000);
  const revoked = controller.as('admin').delete('/v1/hosts/h4/agent-credentials').then((response) => response.status);
  // The user is gone (the step before the queue's): the revoke now waits for the lock, the queue with it.
  await waitUntil('the agent user to be gone', async () => (await redis.call('ACL', 'GETUSER', 'agent-h4')) === null, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await queueOf('h4')).toEqual({ keys: true, listed: true });
  await redis.del(stateKeys.writeLock);
  expect(await revoked).toBe(204);
  expect(await queueOf('h4')).toEqual({ keys: false, listed: false });
});

it("revoking a deleted host's credentials lets what it left expire with the operations that read it; registering it again keeps it", async () => {
  const redis = new Redis({ port: redisServer.port, maxRetriesPerRequest: 0 });
  clients.push(redis);
  const traces = stateKeys.hostTraces('h5');
  const ttls = () => Promise.all(traces.map((key) => redis.ttl(key)));
  await controller.as('admin').put('/v1/hosts/h5', { tunnelIp: '203.0.113.15' }).expect(202);
  const issued = (await controller.as('admin').post('/v1/hosts/h5/agent-credentials').expect(201)).body;
  // What its agent writes: a status and a report.
  const agent = connectAs(issued.username, issued.password);
  await agent.connect();
  await agent.hset(redisKeys.hostStatus('h5'), 'heartbeatAt', Date.now());
  await agent.xadd(redisKeys.hostReports('h5'), '*', 'report', '{}');
  const deleted = await controller.as('admin').delete('/v1/hosts/h5').expect(202);
  const revisionAfterDelete = Number(await redis.get(stateKeys.hostRevision('h5')));
  const operationBefore = (await controller.as('viewer').get(`/v1/operations/${deleted.body.operation.id}`).expect(200)).body;
  expect(await ttls()).toEqual([-1, -1, -1, -1]);

  await controller.as('admin').delete('/v1/hosts/h5/agent-credentials').expect(204);
  for (const ttl of await ttls()) {
    expect(ttl).toBeGreaterThan(OPERATION_TTL_S - 60);
    expect(ttl).toBeLessThanOrEqual(OPERATION_TTL_S);
  }
  // The deletion's operation still reads what it read.
  expect((await controller.as('viewer').get(`/v1/operations/${deleted.body.operation.id}`).expect(200)).body).toEqual(operationBefore);

  // Registered again, with the same (empty) document as its drained one, so nothing rewrites it: none of it expires.
  await controller.as('admin').put('/v1/hosts/h5', { tunnelIp: '203.0.113.15' }).expect(202);
  expect(await ttls()).toEqual([-1, -1, -1, -1]);
  expect(Number(await redis.get(stateKeys.hostRevision('h5')))).toBe(revisionAfterDelete);

  // A registered host's revoke sets no time to live.
  await controller.as('admin').delete('/v1/hosts/h5/agent-credentials').expect(204);
  expect(await ttls()).toEqual([-1, -1, -1, -1]);
});
