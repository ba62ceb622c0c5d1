/**
 * Operations through the REST API with in-test host agents (test/support/fake-agent.ts,
 * real BullMQ workers on the hosts' queues): a change fanned out to several hosts completes
 * when each applies it, fails with the host's error when one fails, times out naming a host
 * that never answers; Redis restarted mid-way loses no desired state.
 */
import { Redis } from 'ioredis';
import { redisKeys } from '@ovs-fleet/contracts';
import { ipamKeys } from '../../apps/controller/src/ipam/ipam-keys';
import { stateKeys } from '../../apps/controller/src/state/state-keys';
import { FakeAgent } from '../support/fake-agent';
import { RedisTestServer } from '../support/redis-server';
import { waitUntil } from '../support/wait-until';
import { startController, TestController } from './support/controller-app';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;
const agents = new Map<string, FakeAgent>();

async function agent(hostId: string, options: Partial<Parameters<typeof FakeAgent.start>[0]> = {}): Promise<void> {
  await agents.get(hostId)?.close();
  agents.set(hostId, await FakeAgent.start({ redisUrl: redisServer.url, hostId, ...options }));
}

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  controller = await startController(redisServer.url, { OVS_FLEET_OPERATION_TIMEOUT_S: '3' });
  for (const [i, id] of ['h1', 'h2', 'h3'].entries()) {
    await controller.as('admin').put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}` }).expect(202);
    await agent(id);
  }
});

afterAll(async () => {
  for (const a of agents.values()) await a.close();
  await controller?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

async function waitFor(operationId: string, seconds = 10) {
  const response = await controller.as('viewer').get(`/v1/operations/${operationId}?wait=${seconds}`);
  expect(response.status).toBe(200);
  return response.body;
}

it('a network change fans out to every host and completes when all have applied it, with receipts', async () => {
  const created = await controller.as('provisioner').post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] }).expect(202);
  const started = Date.now();
  const operation = await waitFor(created.body.operation.id);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(operation.state).toBe('applied');
  expect(operation.hosts.map((h: { hostId: string; state: string }) => [h.hostId, h.state])).toEqual([
    ['h1', 'applied'],
    ['h2', 'applied'],
    ['h3', 'applied'],
  ]);
  for (const host of operation.hosts) {
    const r = host.receipts;
    for (const step of ['acceptedAt', 'queuedAt', 'pickedUpAt', 'committedAt', 'appliedAt']) expect(r[step]).toEqual(expect.any(String));
    expect(Date.parse(r.acceptedAt)).toBeLessThanOrEqual(Date.parse(r.queuedAt));
    expect(Date.parse(r.queuedAt)).toBeLessThanOrEqual(Date.parse(r.pickedUpAt));
    expect(Date.parse(r.pickedUpAt)).toBeLessThanOrEqual(Date.parse(r.appliedAt));
  }
  const h1 = await controller.as('viewer').get('/v1/hosts/h1');
  expect(h1.body.status).toMatchObject({ connected: true, appliedRevision: 2, desiredRevision: 2 });
});

it("requests committed together each reach the agent: a host's job carries the ids of every request in it that changed the host", async () => {
  await agent('h1', { delayMs: 200 }); // the first batch's job is still running when the next batches are queued
  try {
    const ids = Array.from({ length: 20 }, (_, i) => `batched-req-${String(i).padStart(2, '0')}`);
    // Another process holds the write lock while the requests arrive, so they wait for it together.
    await redis.set(stateKeys.writeLock, 'another controller process', 'PX', 10_000);
    const held = () => redis.hlen(ipamKeys.addresses('blue', '198.18.0.0/24'));
    const heldBefore = await held();
    const pending = Promise.all(
      ids.map((id, i) => controller.as('provisioner').post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: `batched-${i}` } }).set('X-Request-Id', id)),
    );
    // Each request has its address (reserved just before it waits for the lock): let the other process go.
    await waitUntil('every request to hold its address', async () => (await held()) === heldBefore + ids.length, 10_000);
    await redis.del(stateKeys.writeLock);
    const answers = await pending;
    expect(answers.map((answer) => answer.status)).toEqual(ids.map(() => 202));
    for (const answer of answers) expect((await waitFor(answer.body.operation.id)).state).toBe('applied');
    const carried = (agents.get('h1') as FakeAgent).runs.map((run) => run.job.requestIds);
    expect(carried.flat().every((id) => ids.includes(id))).toBe(true);
    // Several requests were committed in one batch (group commit); each of its jobs names all of them.
    expect(Math.max(...carried.map((requestIds) => requestIds.length))).toBeGreaterThan(1);
    // An attachment's observed status: pending when accepted (its host takes 200 ms), applied once its host has applied it.
    const last = answers[answers.length - 1].body.attachment;
    expect(last.status).toMatchObject({ state: 'pending', hostConnected: true });
    expect((await controller.as('viewer').get(`/v1/attachments/${last.id}`).expect(200)).body.status).toEqual({ state: 'applied', hostConnected: true });
  } finally {
    await agent('h1');
  }
});

it('a host whose agent falls silent is shown down, and up again when it returns', async () => {
  await redis.hset(redisKeys.hostStatus('h2'), 'heartbeatAt', Date.now() - 60_000);
  const silent = await controller.as('viewer').get('/v1/hosts/h2');
  expect(silent.body.status).toMatchObject({ connected: false });
  expect(silent.body.status.heartbeatAgeSeconds).toBeGreaterThanOrEqual(60);
  const health = await controller.anonymous.get('/health');
  expect(health.body.hosts).toContainEqual({ id: 'h2', ageSeconds: expect.any(Number) });
  await redis.hset(redisKeys.hostStatus('h2'), 'heartbeatAt', Date.now());
  expect((await controller.as('viewer').get('/v1/hosts/h2')).body.status).toMatchObject({ connected: true });
});

it('/metrics shows per-host operation latency, hosts converged, job states and IPAM usage', async () => {
  const text = (await controller.anonymous.get('/metrics')).text;
  expect(text).toMatch(/ovsfleet_operation_host_latency_seconds_count\{host="h1"\} [1-9]/);
  expect(text).toMatch(/^ovsfleet_hosts 3$/m);
  expect(text).toMatch(/^ovsfleet_hosts_converged 3$/m);
  expect(text).toMatch(/^ovsfleet_jobs\{state="completed"\} [1-9]/m);
  expect(text).toMatch(/^ovsfleet_ipam_addresses\{network="blue",subnet="198.18.0.0\/24",kind="capacity"\} 253$/m);
});

it('fails with the host\'s error when one host fails', async () => {
  await agent('h3', { behaviour: { kind: 'fail', code: 'OVSDB_CONSTRAINT', message: 'bridge br-int is missing', retryable: false } });
  const changed = await controller.as('provisioner').patch('/v1/networks/blue', { mtu: 1400 }).expect(202);
  const operation = await waitFor(changed.body.operation.id);
  expect(operation.state).toBe('failed');
  expect(operation.message).toContain('h3');
  expect(operation.message).toContain('bridge br-int is missing');
  const h3 = operation.hosts.find((h: { hostId: string }) => h.hostId === 'h3');
  expect(h3).toMatchObject({ state: 'failed', error: { code: 'OVSDB_CONSTRAINT', message: 'bridge br-int is missing' } });
  // Failed as soon as h3 said so; the others go on and apply it.
  const appliedHosts = async () => {
    const now = (await controller.as('viewer').get(`/v1/operations/${changed.body.operation.id}`).expect(200)).body;
    return now.hosts.filter((h: { state: string }) => h.state === 'applied').map((h: { hostId: string }) => h.hostId) as string[];
  };
  await waitUntil('h1 and h2 to apply', async () => (await appliedHosts()).length === 2, 10_000);
  expect(await appliedHosts()).toEqual(['h1', 'h2']);
  // The host's observed status says so too, with what its agent reports of itself.
  const status = (await controller.as('viewer').get('/v1/hosts/h3').expect(200)).body.status;
  expect(status).toMatchObject({
    connected: true,
    ovsVersion: '3.1.0',
    error: { revision: h3.targetRevision, code: 'OVSDB_CONSTRAINT', message: 'bridge br-int is missing', final: true },
  });
  expect(status.appliedRevision).toBeLessThan(h3.targetRevision);
  expect(Date.now() - Date.parse(status.lastHeartbeat)).toBeLessThan(60_000);
  const h1 = (await controller.as('viewer').get('/v1/hosts/h1').expect(200)).body.status;
  expect(h1).toMatchObject({ error: null, appliedRevision: h1.desiredRevision });
});

it('a host that never answers times out, and the operation names it', async () => {
  await agent('h3', { behaviour: { kind: 'silent' } });
  const changed = await controller.as('provisioner').patch('/v1/networks/blue', { mtu: 1300 }).expect(202);
  const operation = await waitFor(changed.body.operation.id, 10);
  expect(operation.state).toBe('failed');
  expect(operation.message).toMatch(/h3.*did not answer/);
  expect(operation.hosts.find((h: { hostId: string }) => h.hostId === 'h3').error.code).toBe('TIMED_OUT');
});

it('a host that comes back converges to the latest revision', async () => {
  await agent('h3');
  const changed = await controller.as('provisioner').patch('/v1/networks/blue', { mtu: 1350 }).expect(202);
  expect((await waitFor(changed.body.operation.id)).state).toBe('applied');
});

it('Redis killed and restarted mid-way loses no desired state; the controller and the agents reconnect', async () => {
  const before = await redis.get(redisKeys.hostDesired('h1'));
  await redisServer.restart();
  expect(await redis.get(redisKeys.hostDesired('h1'))).toBe(before);
  const network = await controller.as('viewer').get('/v1/networks/blue');
  expect(network.status).toBe(200);
  expect(network.body).toMatchObject({ name: 'blue', mtu: 1350 });
  const created = await controller.as('provisioner').post('/v1/attachments', { network: 'blue', host: 'h2', container: { netns: 'c1' } }).expect(202);
  expect((await waitFor(created.body.operation.id)).state).toBe('applied');
});

it('Redis killed with writes in flight: every attachment answered 202 is in its host\'s document and holds its address; none is half made', async () => {
  const answers = Array.from({ length: 60 }, (_, i) =>
    controller
      .as('provisioner')
      .post('/v1/attachments', { network: 'blue', host: `h${(i % 3) + 1}`, container: { netns: `crash-${i}` } })
      .then((response) => response),
  );
  await Promise.race(answers); // the first batch is answered: the others are being decided or written
  await redisServer.restart(); // SIGKILL, then a start on the same append-only file
  const settled = await Promise.all(answers.map((answer) => answer.then((response) => response, () => null)));
  const accepted = settled.filter((response) => response?.status === 202).map((response) => response!.body.attachment);
  expect(accepted.length).toBeGreaterThan(0);
  for (const response of settled) if (response && response.status !== 202) expect(response.status).toBeGreaterThanOrEqual(500);

  const stored = (await controller.as('viewer').get('/v1/attachments?network=blue&limit=500').expect(200)).body.items as { id: string; host: string; addresses: string[] }[];
  const byId = new Map(stored.map((attachment) => [attachment.id, attachment]));
  for (const attachment of accepted) expect(byId.get(attachment.id)).toMatchObject({ host: attachment.host, addresses: attachment.addresses });
  // Each stored attachment is in its host's document, and holds its address in the IPAM (no address twice).
  const held = await redis.hgetall(ipamKeys.addresses('blue', '198.18.0.0/24'));
  const owners = Object.values(held);
  expect(new Set(owners).size).toBe(owners.length);
  for (const attachment of stored) {
    expect(owners).toContain(attachment.id);
    const document = JSON.parse((await redis.get(redisKeys.hostDesired(attachment.host))) as string) as { attachments: { id: string }[] };
    expect(document.attachments.map((a) => a.id)).toContain(attachment.id);
  }
});


it('a change that affects no host is applied as it is accepted, in its answer as in GET', async () => {
  const created = await controller.as('provisioner').post('/v1/networks', { name: 'nowhere', type: 'geneve', hosts: { labels: { rack: 'none' } } }).expect(202);
  expect(created.body.operation).toMatchObject({ targets: {}, state: 'applied', hosts: [] });
  expect((await controller.as('viewer').get(`/v1/operations/${created.body.operation.id}`).expect(200)).body).toMatchObject({ state: 'applied', hosts: [] });
});
