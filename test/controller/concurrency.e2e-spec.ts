/**
 * Many controller processes on one Redis: 1,000 concurrent attachment requests split between
 * this process's app and a second controller PROCESS never get the same address, and a
 * static address requested many times at once is granted exactly once; a process that lost
 * the write lock before its commit writes nothing.
 */
import { Redis } from 'ioredis';
import { ControllerProcess } from '../support/controller-process';
import { stateKeys } from '../../apps/controller/src/state/state-keys';
import { RedisTestServer } from '../support/redis-server';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy';
import { startController, TestController, TOKENS, TOKENS_SETTING } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

jest.setTimeout(180_000);

let redisServer: RedisTestServer;
let redis: Redis;
let inProcess: TestController;
let other: ControllerProcess;


beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  inProcess = await startController(redisServer.url);
  other = await ControllerProcess.start({ redisUrl: redisServer.url, tokens: TOKENS_SETTING, env: { OVS_FLEET_RATE_LIMIT_PER_MIN: '1000000' } });
  await inProcess.as('admin').put('/v1/hosts/h1', { tunnelIp: '203.0.113.11' }).expect(202);
  await inProcess.as('admin').put('/v1/hosts/h2', { tunnelIp: '203.0.113.12' }).expect(202);
  await inProcess.as('provisioner').post('/v1/networks', { name: 'big', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/22' }] }).expect(202);
});

afterAll(async () => {
  await other?.stop();
  await inProcess?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

async function postToOther(body: object): Promise<{ status: number; body: { attachment?: { addresses: string[] } } }> {
  const response = await fetch(`${other.url}/v1/attachments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.provisioner}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { attachment?: { addresses: string[] } } };
}

it('1,000 concurrent attachments across two controller processes get 1,000 distinct addresses', async () => {
  const requests = Array.from({ length: 1000 }, (_, i) => {
    const body = { network: 'big', host: i % 2 ? 'h1' : 'h2', container: { netns: `c${i}` } };
    return i % 2 ? postToOther(body) : inProcess.as('provisioner').post('/v1/attachments', body).then((r) => ({ status: r.status, body: r.body }));
  });
  const answers = await Promise.all(requests);
  const statuses = answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});
  expect(statuses).toEqual({ 202: 1000 });
  const addresses = answers.map((a) => a.body.attachment?.addresses[0]);
  expect(new Set(addresses).size).toBe(1000);
  const listed = [
    ...(await inProcess.as('viewer').get('/v1/attachments?host=h1&limit=500')).body.items,
    ...(await inProcess.as('viewer').get('/v1/attachments?host=h2&limit=500')).body.items,
  ];
  expect(listed).toHaveLength(1000);
  expect(new Set(listed.map((a: { addresses: string[] }) => a.addresses[0])).size).toBe(1000);
  const docs = await Promise.all(['h1', 'h2'].map(async (h) => JSON.parse((await redis.get(`ovsf:host:${h}:desired`)) as string) as { attachments: unknown[] }));
  expect(docs.map((d) => d.attachments.length)).toEqual([500, 500]);
});

it('one static address requested 20 times at once, from both processes, is granted once; the others are 409s naming the address', async () => {
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) => {
      const body = { network: 'big', host: 'h1', container: { netns: `s${i}` }, addresses: ['198.18.3.250'] };
      return i % 2 ? postToOther(body) : inProcess.as('provisioner').post('/v1/attachments', body).then((r) => ({ status: r.status, body: r.body }));
    }),
  );
  expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
  const refused = answers.filter((a) => a.status !== 202);
  expect(refused.map((a) => a.status)).toEqual(Array(19).fill(409));
  expect(refused.map((a) => (a.body as { error?: { field: string } }).error?.field)).toEqual(Array(19).fill('addresses[0]'));
});

it('a process carries its reads from one batch to the next only while no other process has committed: it sees what the other wrote since', async () => {
  const attach = (container: string) => ({ network: 'big', host: 'h1', container: { netns: container } });
  // This process reads h1's attachments (and keeps them); the other process then adds one.
  await inProcess.as('provisioner').post('/v1/attachments', attach('seq-a')).expect(202);
  expect((await postToOther(attach('seq-b'))).status).toBe(202);
  // The container the other process attached is known here: a second eth0 is refused.
  const twin = await inProcess.as('provisioner').post('/v1/attachments', attach('seq-b')).expect(409);
  expect(twin.body.error.field).toBe('ifname');
  // And the document this process builds next still holds the other process's attachment.
  await inProcess.as('provisioner').post('/v1/attachments', attach('seq-c')).expect(202);
  const doc = JSON.parse((await redis.get('ovsf:host:h1:desired')) as string) as { attachments: Array<{ container: { netns?: string } }> };
  expect(doc.attachments.map((a) => a.container.netns).filter((name) => name?.startsWith('seq-')).sort()).toEqual(['seq-a', 'seq-b', 'seq-c']);
});

it('a process whose write lock another process took over before its commit (its lease ran out) answers 503 and changes nothing', async () => {
  const proxy = await ReplyDroppingProxy.start(redisServer.port);
  const viaProxy = await startController(`redis://127.0.0.1:${proxy.port}`);
  try {
    const attach = { network: 'big', host: 'h2', container: { netns: 'lease-lost' } };
    const before = await redisSnapshot(redis);
    // Once the batch has begun under this process's lock (it reads the generation), another process holds it.
    const takenOver = proxy.beforeCommand(stateKeys.generation, () => redis.set(stateKeys.writeLock, 'another process', 'PX', 60_000));
    const refused = await viaProxy.as('provisioner').post('/v1/attachments', attach);
    await takenOver;
    expect(refused.status).toBe(503);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([`added ${stateKeys.writeLock}`]);
    // The other process is done: the same request now commits.
    await redis.del(stateKeys.writeLock);
    await viaProxy.as('provisioner').post('/v1/attachments', attach).expect(202);
  } finally {
    await viaProxy.close();
    await proxy.close();
  }
});
