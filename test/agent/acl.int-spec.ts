/**
 * Least privilege on a real redis-server: each agent has its own ACL user made with
 * agentAclRules (libs/contracts). Host h1's credentials run a BullMQ Worker on h1's queue, read
 * h1's desired state and write h1's status, reports and announcements, exactly as the agent
 * does (its own HostReporter and worker), and are refused everything of h2, the controller's
 * keys and dangerous commands. A worker pointed at a queue it may not use is closed on the first
 * NOPERM (no spin), and the agent process exits non-zero saying why.
 */
import { randomBytes } from 'node:crypto';
import { agentAclRules, CONVERGE_JOB, hostQueueName, redisKeys, type ConvergeJob } from '@ovs-fleet/contracts';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startConvergeWorker } from '../../apps/agent/src/runtime/converge-worker';
import { readDesiredState } from '../../apps/agent/src/runtime/desired-state-reader';
import { HostReporter } from '../../apps/agent/src/runtime/host-reporter';
import { createAgentLogger } from '../../apps/agent/src/observability/logger';
import { CONVERGE_JOB_OPTIONS } from '../../apps/controller/src/jobs/converge-job-options';
import { desiredState } from '../support/fake-agent';
import { RedisTestServer } from '../support/redis-server';
import { AgentProcess } from './support/agent-process';

jest.setTimeout(60_000);

const HOSTS = ['h1', 'h2'] as const;
const passwords = Object.fromEntries(HOSTS.map((h) => [h, randomBytes(18).toString('hex')])) as Record<(typeof HOSTS)[number], string>;
const logger = createAgentLogger('h1', 'silent');

let server: RedisTestServer;
let admin: Redis;
let h1: Redis;
const closers: (() => Promise<unknown>)[] = [];

const agentUrl = (login: (typeof HOSTS)[number]): string => `redis://agent-${login}:${passwords[login]}@127.0.0.1:${server.port}`;
const noperm = /NOPERM/;
/** Redis 7 words a script's refusal of an undeclared key differently. */
const refused = /NOPERM|can't access at least one of the keys/;

/** Everything in the database, to show a refused command changed nothing. */
async function dump(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await admin.keys('*')).sort()) {
    const type = await admin.type(key);
    if (type === 'string') out[key] = (await admin.get(key)) ?? '';
    else if (type === 'hash') out[key] = JSON.stringify(await admin.hgetall(key));
    else if (type === 'stream') out[key] = JSON.stringify(await admin.xrange(key, '-', '+'));
    else if (type === 'zset') out[key] = JSON.stringify(await admin.call('ZRANGE', key, '0', '-1', 'WITHSCORES'));
    else out[key] = type;
  }
  return out;
}

/** Denials Redis logged for a user (ACL LOG counts repeats in one entry). */
async function denials(user: string): Promise<number> {
  const entries = (await admin.call('ACL', 'LOG', '128')) as unknown[][];
  let total = 0;
  for (const entry of entries) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
    if (fields.get('username') === user) total += Number(fields.get('count'));
  }
  return total;
}

beforeAll(async () => {
  server = await RedisTestServer.start();
  admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
  for (const host of HOSTS) await admin.call('ACL', 'SETUSER', `agent-${host}`, ...agentAclRules(host, passwords[host]));
  // What the controller keeps: both hosts' documents, h2's status and reports, its own records.
  for (const host of HOSTS) await admin.set(redisKeys.hostDesired(host), JSON.stringify(desiredState(host, 3)));
  await admin.hset(redisKeys.hostStatus('h2'), { heartbeatAt: 1, appliedRevision: 2 });
  await admin.xadd(redisKeys.hostReports('h2'), '*', 'report', '{"kind":"applied"}');
  await admin.set('ovsf:network:blue', '{"name":"blue"}');
  await admin.set(redisKeys.networkMesh('blue'), JSON.stringify({ network: 'blue', revision: 1, members: [{ host: 'h1', tunnelIp: '203.0.113.1' }, { host: 'h2', tunnelIp: '203.0.113.2' }] }));
  await admin.set('ovsf:host:h1', '{"id":"h1"}');
  await admin.set('ovsf:host:h1:revision', '3');
  await admin.zadd('ovsf:hosts', 0, 'h1', 0, 'h2');
  h1 = new Redis(agentUrl('h1'), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await h1?.quit().catch(() => h1.disconnect());
  await admin?.quit().catch(() => admin.disconnect());
  await server?.dispose();
});

describe("an agent's own keys", () => {
  it("h1's credentials run a BullMQ Worker on h1's queue: the job is processed and completes", async () => {
    const queue = new Queue<ConvergeJob>(hostQueueName('h1'), { connection: { url: server.url, maxRetriesPerRequest: null } });
    const events = new QueueEvents(hostQueueName('h1'), { connection: { url: server.url, maxRetriesPerRequest: null } });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    const seen: ConvergeJob[] = [];
    const refused: Error[] = [];
    const worker = startConvergeWorker({
      redisUrl: agentUrl('h1'),
      hostId: 'h1',
      processor: async (job: Job<ConvergeJob>) => void seen.push(job.data),
      lockMs: 30_000,
      stalledIntervalMs: 30_000,
      logger,
      onNoPermission: (error) => refused.push(error),
    });
    closers.push(() => worker.close());
    const job = await queue.add(CONVERGE_JOB, { hostId: 'h1', revision: 3, requestIds: ['req-acl'], queuedAt: Date.now() }, CONVERGE_JOB_OPTIONS);
    await job.waitUntilFinished(events, 15_000);
    expect(await job.getState()).toBe('completed');
    expect(seen).toEqual([{ hostId: 'h1', revision: 3, requestIds: ['req-acl'], queuedAt: expect.any(Number) }]);
    expect(refused).toEqual([]);
  });

  it("h1 reads its desired document, writes its status and reports and announces on its channel, as the agent does; its document is read-only", async () => {
    expect((await readDesiredState(h1, 'h1'))?.revision).toBe(3);
    const subscriber = new Redis(server.url);
    closers.push(() => subscriber.quit());
    const announced: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => announced.push(message));
    await subscriber.subscribe(redisKeys.hostEvents('h1'));

    const reporter = new HostReporter(h1, 'h1');
    await reporter.status({ heartbeatAt: 5, agentStartedAt: 4, ovsVersion: '3.1.0', ovsdbConnected: true });
    await reporter.applied({ kind: 'applied', revision: 3, at: 6, receipts: { pickedUpAt: 1, committedAt: 2, vswitchdAppliedAt: 3, linkUpAt: 4 }, changes: 1, repaired: 0, requestIds: ['req-acl'] });
    expect(await admin.hgetall(redisKeys.hostStatus('h1'))).toEqual({ heartbeatAt: expect.any(String), agentStartedAt: '4', ovsVersion: '3.1.0', ovsdbConnected: 'true', appliedRevision: '3' });
    const [[, fields]] = await admin.xrange(redisKeys.hostReports('h1'), '-', '+');
    expect(JSON.parse(fields[1])).toMatchObject({ kind: 'applied', revision: 3, requestIds: ['req-acl'] });
    for (let i = 0; i < 50 && announced.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(announced).toEqual(['h1']);

    await expect(h1.set(redisKeys.hostDesired('h1'), '{}')).rejects.toThrow(noperm);
    await expect(h1.del(redisKeys.hostDesired('h1'))).rejects.toThrow(noperm);
  });

  it('h1 reads the networks\' meshes (its tunnels come from them), and may not change one', async () => {
    expect(JSON.parse((await h1.get(redisKeys.networkMesh('blue'))) as string)).toMatchObject({ network: 'blue', revision: 1 });
    await expect(h1.set(redisKeys.networkMesh('blue'), '{}')).rejects.toThrow(noperm);
    await expect(h1.del(redisKeys.networkMesh('blue'))).rejects.toThrow(noperm);
    await expect(h1.set(redisKeys.networkMesh('evil'), '{}')).rejects.toThrow(noperm);
  });
});

describe("everything else is refused, and refusing changes nothing", () => {
  const h2Keys: [string, (r: Redis) => Promise<unknown>][] = [
    ["GET h2's desired state", (r) => r.get(redisKeys.hostDesired('h2'))],
    ["SET h2's desired state", (r) => r.set(redisKeys.hostDesired('h2'), '{}')],
    ["HGETALL h2's status", (r) => r.hgetall(redisKeys.hostStatus('h2'))],
    ["HSET h2's status", (r) => r.hset(redisKeys.hostStatus('h2'), 'appliedRevision', '99')],
    ["DEL h2's status", (r) => r.del(redisKeys.hostStatus('h2'))],
    ["XRANGE h2's reports", (r) => r.xrange(redisKeys.hostReports('h2'), '-', '+')],
    ["XADD to h2's reports", (r) => r.xadd(redisKeys.hostReports('h2'), '*', 'report', '{}')],
    ["PUBLISH on h2's channel", (r) => r.publish(redisKeys.hostEvents('h2'), 'h2')],
    ["LRANGE h2's queue", (r) => r.lrange(`bull:${hostQueueName('h2')}:wait`, 0, -1)],
    ["HGETALL a job of h2's queue", (r) => r.hgetall(`bull:${hostQueueName('h2')}:1`)],
    ['a script reading h2 keys it declares', (r) => r.eval("return redis.call('GET', KEYS[1])", 1, redisKeys.hostDesired('h2'))],
    ['a script reading h2 keys it does not declare', (r) => r.eval(`return redis.call('GET', '${redisKeys.hostDesired('h2')}')`, 0)],
    ["GET a network (the controller's)", (r) => r.get('ovsf:network:blue')],
    ['SET a network', (r) => r.set('ovsf:network:evil', '{}')],
    ["GET h1's host record (the controller's)", (r) => r.get('ovsf:host:h1')],
    ["GET h1's desired revision counter (the controller's)", (r) => r.get('ovsf:host:h1:revision')],
    ['ZRANGE the host index', (r) => r.zrange('ovsf:hosts', '0', '-1')],
    ["SET the controller's write lock", (r) => r.set('ovsf:lock:write', 'x')],
  ];
  const dangerous: [string, (r: Redis) => Promise<unknown>][] = [
    ['KEYS', (r) => r.keys('*')],
    ['SCAN', (r) => r.scan('0')],
    ['RANDOMKEY', (r) => r.randomkey()],
    ['DBSIZE', (r) => r.dbsize()],
    ['FLUSHALL', (r) => r.flushall()],
    ['FLUSHDB', (r) => r.flushdb()],
    ['CONFIG GET', (r) => r.config('GET', '*')],
    ['CONFIG SET', (r) => r.config('SET', 'appendonly', 'no')],
    ['SAVE', (r) => r.call('SAVE')],
    ['REPLICAOF', (r) => r.call('REPLICAOF', '127.0.0.1', '1')],
    ['ACL LIST', (r) => r.call('ACL', 'LIST')],
    ['CLIENT LIST', (r) => r.call('CLIENT', 'LIST')],
    ['CLIENT KILL', (r) => r.call('CLIENT', 'KILL', 'TYPE', 'normal')],
    ['SHUTDOWN', (r) => r.call('SHUTDOWN', 'NOSAVE')],
    ['SCRIPT FLUSH', (r) => r.call('SCRIPT', 'FLUSH')],
  ];

  it.each([...h2Keys, ...dangerous])('h1 cannot: %s', async (_what, command) => {
    const before = await dump();
    await expect(command(h1)).rejects.toThrow(refused);
    expect(await dump()).toEqual(before);
  });

  it("h1 cannot add to h2's queue, nor subscribe to h2's channel", async () => {
    const before = await dump();
    const queue = new Queue<ConvergeJob>(hostQueueName('h2'), { connection: { url: agentUrl('h1'), maxRetriesPerRequest: 1 } });
    closers.push(() => queue.close());
    await expect(queue.add(CONVERGE_JOB, { hostId: 'h2', revision: 9, requestIds: [], queuedAt: Date.now() })).rejects.toThrow(noperm);
    const subscriber = new Redis(agentUrl('h1'), { maxRetriesPerRequest: 1 });
    closers.push(() => subscriber.quit());
    await expect(subscriber.subscribe(redisKeys.hostEvents('h2'))).rejects.toThrow(noperm);
    expect(await dump()).toEqual(before);
  });
});

describe('the NOPERM spin', () => {
  it("a worker with h1's credentials on h2's queue is closed at the first NOPERM, and the refusals stop", async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const refused: Error[] = [];
    const worker = startConvergeWorker({
      redisUrl: agentUrl('h1'),
      hostId: 'h2',
      processor: async () => undefined,
      lockMs: 30_000,
      stalledIntervalMs: 30_000,
      logger,
      onNoPermission: (error) => refused.push(error),
    });
    closers.push(() => worker.close(true));
    for (let i = 0; i < 250 && refused.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refused).toHaveLength(1);
    expect(refused[0].message).toMatch(noperm);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(worker.isRunning()).toBe(false);
    const settled = await denials('agent-h1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A spinning worker is refused thousands of times a second; a closed one not at all.
    expect(await denials('agent-h1')).toBe(settled);
    expect(settled).toBeLessThan(50);
  });

  it("the agent started as h2 with h1's credentials exits non-zero (3), saying what is wrong", async () => {
    const agent = AgentProcess.start({
      OVS_FLEET_HOST_ID: 'h2',
      OVS_FLEET_REDIS_URL: agentUrl('h1'),
      OVS_FLEET_OVSDB: 'unix:/nonexistent/db.sock',
      OVS_FLEET_AGENT_HTTP_PORT: 'off',
    });
    closers.push(() => agent.stop(2000));
    const exit = await agent.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    expect(agent.other).toMatch(/Redis refused the agent of host h2 access to its own keys or queue \(NOPERM/);
    expect(agent.other).toContain("agentAclRules('h2', ...)");
    expect(agent.other).not.toContain(passwords.h1);
  });

  it('an agent whose user was made before the meshes existed (its document readable, the meshes not) exits 3 at start', async () => {
    const legacy = agentAclRules('h1', 'legacy-password-0123456789').filter((rule) => rule !== `%R~${redisKeys.allNetworkMeshes}`);
    expect(legacy).toHaveLength(agentAclRules('h1', 'x').length - 1);
    await admin.call('ACL', 'SETUSER', 'agent-h1-legacy', ...legacy);
    closers.push(() => admin.call('ACL', 'DELUSER', 'agent-h1-legacy'));
    const legacyUrl = `redis://agent-h1-legacy:legacy-password-0123456789@127.0.0.1:${server.port}`;
    const client = new Redis(legacyUrl, { maxRetriesPerRequest: 1 });
    closers.push(() => client.quit());
    expect(await client.get(redisKeys.hostDesired('h1'))).not.toBeNull();
    await expect(client.get(redisKeys.networkMesh('blue'))).rejects.toThrow(noperm);
    const agent = AgentProcess.start({
      OVS_FLEET_HOST_ID: 'h1',
      OVS_FLEET_REDIS_URL: legacyUrl,
      OVS_FLEET_OVSDB: 'unix:/nonexistent/db.sock',
      OVS_FLEET_AGENT_HTTP_PORT: 'off',
    });
    closers.push(() => agent.stop(2000));
    expect(await agent.exited).toEqual({ code: 3, signal: null });
    expect(agent.other).toMatch(/Redis refused the agent of host h1 access to its own keys or queue \(NOPERM/);
  });
});
