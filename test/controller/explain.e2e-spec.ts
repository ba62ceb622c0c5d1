/**
 * `?dryRun=true&explain=true`: the dry run also asks each affected host's agent what it would
 * do. Here the agents are in-test BullMQ workers on the hosts' queues (the real agent's
 * answer is in test/agent/agent.int-spec.ts); one host has no agent and is answered with why.
 */
import { AgentPlan, DesiredHostState, hostQueueName, PLAN_JOB, PlanJob } from '@ovs-fleet/contracts';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;
let planner: Worker<PlanJob>;
const asked: DesiredHostState[] = [];

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  controller = await startController(redisServer.url);
  for (const [i, id] of ['h1', 'h2'].entries()) await controller.as('admin').put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}` }).expect(202);
  // h1's "agent" answers plan questions; its converge jobs are not the point here (acknowledged, nothing reported).
  planner = new Worker<PlanJob>(
    hostQueueName('h1'),
    async (job): Promise<AgentPlan | void> => {
      if (job.name !== PLAN_JOB) return;
      asked.push(job.data.document);
      return { hostId: 'h1', revision: job.data.document.revision, steps: [`# planned ${job.data.document.tunnels.length} tunnel(s)`], ovsdbOperations: [{ op: 'insert', table: 'Port' }], conflicts: [], empty: false };
    },
    { connection: { host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: null }, drainDelay: 1 },
  );
  await planner.waitUntilReady();
});

afterAll(async () => {
  await planner?.close(true);
  await controller?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

it('asks each affected host\'s agent for its plan to reach the would-be document; a host with no agent is answered with why; no state changes', async () => {
  const before = await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/);
  const response = await controller.as('provisioner').post('/v1/networks?dryRun=true&explain=true', { name: 'blue', type: 'vxlan' });
  expect(response.status).toBe(202);
  const byHost = Object.fromEntries(response.body.changes.map((c: { hostId: string }) => [c.hostId, c]));
  expect(byHost.h1.agentPlan).toEqual({ answered: true, plan: expect.objectContaining({ hostId: 'h1', revision: byHost.h1.toRevision, steps: ['# planned 1 tunnel(s)'] }) });
  expect(asked.at(-1)).toMatchObject({ hostId: 'h1', revision: byHost.h1.toRevision, tunnels: [expect.objectContaining({ remoteHost: 'h2', key: 1 })] });
  expect(byHost.h2.agentPlan).toEqual({ answered: false, reason: 'the agent of host h2 did not answer within 5 s' });
  expect(snapshotDifference(before, await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/))).toEqual([]);
  // The unanswered question was withdrawn: no job is left waiting for h2's agent.
  const waiting = await redis.lrange(`bull:${hostQueueName('h2')}:wait`, 0, -1);
  const names = await Promise.all(waiting.map((id) => redis.hget(`bull:${hostQueueName('h2')}:${id}`, 'name')));
  expect(names).not.toContain(PLAN_JOB);
});

it('explain only goes with a dry run (400 naming explain)', async () => {
  const response = await controller.as('provisioner').post('/v1/networks?explain=true', { name: 'red', type: 'vxlan' });
  expect(response.status).toBe(400);
  expect(response.body.error.field).toBe('explain');
  const bad = await controller.as('provisioner').post('/v1/networks?dryRun=true&explain=yes', { name: 'red', type: 'vxlan' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.field).toBe('explain');
});

describe('over GraphQL', () => {
  const CREATE = 'mutation ($dryRun: Boolean, $explain: Boolean) { createNetwork(input: { name: "green", type: vxlan }, dryRun: $dryRun, explain: $explain) { dryRun changes { hostId toRevision agentPlan } } }';

  it('a dry run with explain: true carries each host\'s agent plan, as REST\'s explain=true does, and changes nothing', async () => {
    const before = await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/);
    const response = await controller.as('provisioner').post('/graphql', { query: CREATE, variables: { dryRun: true, explain: true } });
    expect(response.body.errors).toBeUndefined();
    const byHost = Object.fromEntries(response.body.data.createNetwork.changes.map((c: { hostId: string }) => [c.hostId, c]));
    expect(byHost.h1.agentPlan).toEqual({ answered: true, plan: expect.objectContaining({ hostId: 'h1', revision: byHost.h1.toRevision }) });
    expect(byHost.h2.agentPlan).toEqual({ answered: false, reason: 'the agent of host h2 did not answer within 5 s' });
    expect(snapshotDifference(before, await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/))).toEqual([]);
    // without explain, no agent is asked
    const plain = await controller.as('provisioner').post('/graphql', { query: CREATE, variables: { dryRun: true } });
    expect(plain.body.data.createNetwork.changes.map((c: { agentPlan: unknown }) => c.agentPlan)).toEqual([null, null]);
  });

  it('explain without a dry run is refused naming explain, and nothing changes', async () => {
    const before = await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/);
    const response = await controller.as('provisioner').post('/graphql', { query: CREATE, variables: { explain: true } });
    expect(response.body.data).toBeNull();
    expect(response.body.errors[0].extensions).toMatchObject({ status: 400, field: 'explain' });
    expect(snapshotDifference(before, await redisSnapshot(redis, /^(ovsf:ratelimit:|bull:)/))).toEqual([]);
  });
});
