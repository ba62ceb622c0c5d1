/**
 * Operations and per-host queues against a real redis-server, with in-test host agents
 * (test/support/fake-agent.ts) consuming the queues as the real agent does.
 */
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { initApp } from './support/controller-app';
import { CONVERGE_JOB, ConvergeJob, ConvergeReport, hostQueueName, redisKeys } from '@ovs-fleet/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import request from 'supertest';
import { ApiExceptionFilter } from '../../apps/controller/src/common/api-exception.filter';
import { apiValidationPipe } from '../../apps/controller/src/common/validation';
import { ConfigModule } from '../../apps/controller/src/config/config.module';
import { HOST_QUEUES_KEY, HostQueues } from '../../apps/controller/src/jobs/host-queues';
import { readHostInputs, REPORTS_PAGE } from '../../apps/controller/src/operations/host-inputs-reader';
import { newOperation, OperationRecord, operationKey, stageOperations } from '../../apps/controller/src/operations/operation-record';
import { OperationView, TIMED_OUT } from '../../apps/controller/src/operations/operation-status';
import { OperationsModule } from '../../apps/controller/src/operations/operations.module';
import { OperationsService } from '../../apps/controller/src/operations/operations.service';
import { HostAppliedEvent } from '../../apps/controller/src/operations/host-applied-meter';
import { RedisModule } from '../../apps/controller/src/redis/redis.module';
import { ConcurrencyProbe, FakeAgent, FakeAgentOptions, desiredState } from '../support/fake-agent';
import { RedisTestServer } from '../support/redis-server';
import { storeWrites } from '../support/store-writes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One controller process: its connections, queues and operations service. */
interface Controller {
  redis: Redis;
  subscriber: Redis;
  queues: HostQueues;
  operations: OperationsService;
}

function startController(url: string): Controller {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(url, { maxRetriesPerRequest: 2 });
  return { redis, subscriber, queues: new HostQueues({ redisUrl: url }), operations: new OperationsService(redis, subscriber) };
}

async function stopController(controller: Controller): Promise<void> {
  await controller.queues.onApplicationShutdown();
  await Promise.allSettled([controller.redis.quit(), controller.subscriber.quit()]);
}

describe('operations over per-host queues (real redis, fake agents)', () => {
  let server: RedisTestServer;
  let a: Controller;
  let b: Controller;
  const agents: FakeAgent[] = [];
  let testNo = 0;
  let prefix = '';

  beforeAll(async () => {
    server = await RedisTestServer.start();
    a = startController(server.url);
    b = startController(server.url);
  });

  afterAll(async () => {
    for (const controller of [a, b]) if (controller) await stopController(controller);
    await server?.dispose();
  });

  beforeEach(() => {
    prefix = `t${++testNo}`;
  });

  afterEach(async () => {
    await Promise.allSettled(agents.splice(0).map((agent) => agent.close()));
  });

  /** Host ids unique to the running test, so no test sees another's queues or reports. */
  const host = (n: number) => `${prefix}-h${n}`;

  async function agent(hostId: string, options: Omit<FakeAgentOptions, 'redisUrl' | 'hostId'> = {}): Promise<FakeAgent> {
    const started = await FakeAgent.start({ redisUrl: server.url, hostId, ...options });
    agents.push(started);
    return started;
  }

  /** What the state store does for a change: desired states and the operation in one commit, then the jobs. */
  async function commit(targets: Record<string, number>, options: { timeoutMs?: number; via?: Controller } = {}): Promise<OperationRecord> {
    const via = options.via ?? a;
    const operation = newOperation({
      kind: 'test.change',
      resource: { type: 'network', id: 'blue' },
      requestId: `req-${prefix}`,
      createdAt: Date.now(),
      timeoutMs: options.timeoutMs ?? 30_000,
      targets,
    });
    await storeWrites(via.redis, (commands) => {
      for (const [hostId, revision] of Object.entries(targets)) commands.set(redisKeys.hostDesired(hostId), JSON.stringify(desiredState(hostId, revision)));
      stageOperations(commands, [operation]);
    });
    const queuedAt = await via.queues.enqueue(
      Object.entries(targets).map(([hostId, revision]) => ({ hostId, revision, requestIds: operation.requestId === null ? [] : [operation.requestId] })),
    );
    await via.operations.markQueued([{ id: operation.id, queuedAt }]);
    return operation;
  }

  const lastAppliedAt = (...fakeAgents: FakeAgent[]) => Math.max(...fakeAgents.flatMap((x) => x.runs.filter((r) => r.outcome === 'applied').map((r) => r.endedAt)));

  it('an operation over 3 hosts completes when their agents apply it, with every receipt in order', async () => {
    const fleet = [await agent(host(1), { delayMs: 20 }), await agent(host(2), { delayMs: 60 }), await agent(host(3), { delayMs: 100 })];
    const operation = await commit({ [host(1)]: 1, [host(2)]: 4, [host(3)]: 2 });

    const view = await a.operations.wait(operation.id, 10);

    expect(view.state).toBe('applied');
    expect(view.message).toBeNull();
    expect(view.counts).toEqual({ pending: 0, applied: 3, failed: 0 });
    expect(view.hosts.map((h) => [h.hostId, h.targetRevision, h.appliedRevision])).toEqual([
      [host(1), 1, 1],
      [host(2), 4, 4],
      [host(3), 2, 2],
    ]);
    for (const h of view.hosts) {
      const r = h.receipts;
      const steps = [r.acceptedAt, r.queuedAt, r.pickedUpAt, r.committedAt, r.vswitchdAppliedAt, r.linkUpAt, r.appliedAt].map((t) => Date.parse(t as string));
      expect(steps.every((t) => Number.isFinite(t))).toBe(true);
      expect([...steps].sort((x, y) => x - y)).toEqual(steps);
    }
    // the request id follows the operation into each host's job
    for (const fake of fleet) expect(fake.runs.map((run) => run.job.requestIds)).toEqual([[`req-${prefix}`]]);
    // markQueued changed queuedAt and nothing else in the stored record
    const stored = JSON.parse((await a.redis.get(operationKey(operation.id))) as string) as OperationRecord;
    expect({ ...stored, hosts: {} }).toEqual({ ...operation, hosts: {} });
    for (const [hostId, entry] of Object.entries(stored.hosts)) {
      expect(entry).toEqual({ ...operation.hosts[hostId], queuedAt: expect.any(Number) });
      expect(entry.queuedAt).toBeGreaterThanOrEqual(operation.createdAt);
    }
    expect(await a.redis.ttl(operationKey(operation.id))).toBeGreaterThan(6 * 24 * 3600);
  });

  it('wait returns right after the last host applies: woken by the agents\' events, not by the 1 s poll', async () => {
    // The slow host applies about 1.1 s after the others, just past a poll: waking by
    // polling alone would return up to 0.9 s late; the event wakes it within milliseconds.
    const fleet = [await agent(host(1), { delayMs: 50 }), await agent(host(2), { delayMs: 100 }), await agent(host(3), { delayMs: 1250 })];
    const operation = await commit({ [host(1)]: 1, [host(2)]: 1, [host(3)]: 1 });

    const view = await a.operations.wait(operation.id, 10);
    const returnedAt = Date.now();

    expect(view.state).toBe('applied');
    const lag = returnedAt - lastAppliedAt(...fleet);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(300);
  });

  it('fails with the host\'s error when one host\'s agent fails finally, without waiting for the deadline', async () => {
    await agent(host(1));
    const failing = await agent(host(2), { behaviour: { kind: 'fail', code: 'BRIDGE_MISSING', message: 'bridge br-phys does not exist', retryable: false } });
    await agent(host(3), { delayMs: 200 });
    const operation = await commit({ [host(1)]: 1, [host(2)]: 1, [host(3)]: 1 });

    const started = Date.now();
    const view = await a.operations.wait(operation.id, 20);

    expect(Date.now() - started).toBeLessThan(5000);
    expect(view.state).toBe('failed');
    expect(view.message).toBe(`1 of 3 hosts failed: host ${host(2)} failed: BRIDGE_MISSING: bridge br-phys does not exist`);
    const failed = view.hosts.find((h) => h.hostId === host(2));
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'BRIDGE_MISSING', message: 'bridge br-phys does not exist', retryable: false } });
    expect(failing.runs.map((run) => run.outcome)).toEqual(['failed']); // a final error is not retried
  });

  it('a retryable failure is retried with backoff, shown while pending, then the operation is applied (watch)', async () => {
    const flaky = await agent(host(1), { behaviour: { kind: 'flaky', times: 1, code: 'OVSDB_UNREACHABLE', message: 'connection refused' } });
    const operation = await commit({ [host(1)]: 3 });

    const views: OperationView[] = [];
    for await (const view of a.operations.watch(operation.id)) views.push(view);

    expect(views.at(-1)?.state).toBe('applied');
    expect(views.slice(0, -1).every((view) => view.state === 'pending')).toBe(true);
    expect(views.some((view) => view.hosts[0].error?.code === 'OVSDB_UNREACHABLE' && view.hosts[0].error.retryable)).toBe(true);
    expect(views.at(-1)?.hosts[0].error).toBeNull();
    // consecutive views differ: watch yields changes only
    for (let i = 1; i < views.length; i++) expect(views[i]).not.toEqual(views[i - 1]);
    const [first, second] = flaky.runs;
    expect([first.outcome, first.attempt, second.outcome, second.attempt]).toEqual(['failed', 1, 'applied', 2]);
    expect(second.startedAt - first.endedAt).toBeGreaterThanOrEqual(200); // exponential backoff: 500 ms less up to 50 % jitter
  });

  it('times out naming the silent host, soon after the deadline', async () => {
    await agent(host(1));
    await agent(host(2));
    await agent(host(3), { behaviour: { kind: 'silent' } });
    const operation = await commit({ [host(1)]: 1, [host(2)]: 1, [host(3)]: 1 }, { timeoutMs: 1000 });

    const view = await a.operations.wait(operation.id, 20);

    expect(Date.now()).toBeGreaterThan(operation.deadline);
    expect(Date.now() - operation.deadline).toBeLessThan(1500);
    expect(view.state).toBe('failed');
    expect(view.message).toBe(`1 of 3 hosts failed: host ${host(3)} did not answer within 1 s`);
    expect(view.hosts.map((h) => [h.hostId, h.state, h.error?.code ?? null])).toEqual([
      [host(1), 'applied', null],
      [host(2), 'applied', null],
      [host(3), 'failed', TIMED_OUT],
    ]);
  });

  it('wait gives up after the seconds asked and returns the pending view', async () => {
    await agent(host(1), { behaviour: { kind: 'silent' } });
    const operation = await commit({ [host(1)]: 1 });
    const started = Date.now();
    const view = await a.operations.wait(operation.id, 0.3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(view.state).toBe('pending');
  });

  it('a burst of 50 changes to one busy host runs at most 2 jobs, the second at the newest revision', async () => {
    const busy = await agent(host(1));
    const release = busy.hold();
    const pickedUp = busy.nextPickUp();
    await commit({ [host(1)]: 1 });
    await pickedUp;

    let last: OperationRecord | null = null;
    for (let revision = 2; revision <= 51; revision++) last = await commit({ [host(1)]: revision });
    release();
    const view = await a.operations.wait((last as OperationRecord).id, 20);
    await sleep(300); // time for a third job to show up, were there one

    expect(view.state).toBe('applied');
    expect(busy.runs.map((run) => run.revision)).toEqual([1, 51]);
    expect(busy.runs[1].job.revision).toBe(51); // keepLastIfActive keeps the newest job data
    const counts = await a.queues.queueFor(host(1)).getJobCounts('completed', 'waiting', 'active', 'delayed');
    expect(counts).toEqual({ completed: 2, waiting: 0, active: 0, delayed: 0 });
  });

  it('serves one job at a time per host even with two workers on its queue (global concurrency)', async () => {
    // Jobs without deduplication, so several wait at once and only the global concurrency serialises them.
    const addPlainJobs = async (queue: Queue, hostId: string) => {
      await a.redis.set(redisKeys.hostDesired(hostId), JSON.stringify(desiredState(hostId, 1)));
      await Promise.all(Array.from({ length: 6 }, () => queue.add(CONVERGE_JOB, { hostId, revision: 1, requestIds: [], queuedAt: Date.now() } satisfies ConvergeJob)));
    };

    const serialised = new ConcurrencyProbe();
    await commit({ [host(1)]: 1 }); // through HostQueues: sets the queue's global concurrency
    await addPlainJobs(a.queues.queueFor(host(1)), host(1));
    const first = await agent(host(1), { concurrency: 2, delayMs: 100, probe: serialised });
    const second = await agent(host(1), { concurrency: 2, delayMs: 100, probe: serialised });
    while (first.runs.length + second.runs.length < 7) await sleep(50);

    // The control: the same two workers on a queue HostQueues did not set up do overlap.
    const unlimited = new ConcurrencyProbe();
    const raw = new Queue(hostQueueName(host(2)), { connection: { url: server.url } });
    try {
      await addPlainJobs(raw, host(2));
      const third = await agent(host(2), { concurrency: 2, delayMs: 100, probe: unlimited });
      const fourth = await agent(host(2), { concurrency: 2, delayMs: 100, probe: unlimited });
      while (third.runs.length + fourth.runs.length < 6) await sleep(50);
    } finally {
      await raw.close();
    }

    expect(serialised.max).toBe(1);
    expect(first.runs.length + second.runs.length).toBe(7);
    expect(unlimited.max).toBeGreaterThan(1);
  });

  it('watch yields each change until the final state, for a change made and applied through a second process', async () => {
    await agent(host(1), { delayMs: 100 });
    await agent(host(2), { delayMs: 400 });
    const operation = await commit({ [host(1)]: 1, [host(2)]: 1 }, { via: b });

    const views: OperationView[] = [];
    for await (const view of a.operations.watch(operation.id)) views.push(view);

    expect(views.length).toBeGreaterThanOrEqual(2);
    expect(views[0].state).toBe('pending');
    expect(views.at(-1)).toMatchObject({ id: operation.id, state: 'applied', counts: { applied: 2, pending: 0, failed: 0 } });
  });

  it('a watcher that leaves is released at once, not at the next change', async () => {
    await agent(host(1), { behaviour: { kind: 'silent' } });
    const operation = await commit({ [host(1)]: 1 });
    const watch = a.operations.watch(operation.id);

    expect((await watch.next()).value).toMatchObject({ state: 'pending' });
    const waiting = watch.next();
    await sleep(50);
    const left = Date.now();
    await watch.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(Date.now() - left).toBeLessThan(200);
    expect(await watch.next()).toEqual({ done: true, value: undefined });
  });

  it('tells onHostApplied listeners once per host over both processes, with the latency', async () => {
    const seen: HostAppliedEvent[] = [];
    const stopA = a.operations.onHostApplied((event) => seen.push(event));
    const stopB = b.operations.onHostApplied((event) => seen.push(event));
    try {
      await agent(host(1), { delayMs: 50 });
      await agent(host(2), { delayMs: 50 });
      const operation = await commit({ [host(1)]: 1, [host(2)]: 1 });
      await Promise.all([a.operations.wait(operation.id, 10), b.operations.wait(operation.id, 10)]);
      await a.operations.get(operation.id);
      await b.operations.get(operation.id);

      expect(seen.map((event) => event.hostId).sort()).toEqual([host(1), host(2)]);
      for (const event of seen) {
        expect(event).toMatchObject({ operationId: operation.id, kind: 'test.change', createdAt: operation.createdAt });
        expect(event.latencyMs).toBe(event.appliedAt - operation.createdAt);
        expect(event.latencyMs).toBeGreaterThanOrEqual(50);
      }
    } finally {
      stopA();
      stopB();
    }
  });

  it('reads a host\'s reports back page by page to the first that decides, skipping malformed entries', async () => {
    const hostId = host(1);
    const applied = (revision: number, at: number): ConvergeReport => ({
      kind: 'applied',
      revision,
      at,
      receipts: { pickedUpAt: at - 3, committedAt: at - 2, vswitchdAppliedAt: at - 1, linkUpAt: null },
      changes: 0,
      repaired: 0,
      requestIds: [],
    });
    const stream = redisKeys.hostReports(hostId);
    const writes = a.redis.pipeline();
    writes.xadd(stream, '*', 'report', JSON.stringify(applied(2, 2_000)));
    writes.xadd(stream, '*', 'report', JSON.stringify(applied(3, 3_000)));
    writes.xadd(stream, '*', 'report', '{not json');
    writes.xadd(stream, '*', 'other', 'field');
    const later = Array.from({ length: 3 * REPORTS_PAGE }, (_, i) => 4 + i);
    for (const revision of later) writes.xadd(stream, '*', 'report', JSON.stringify(applied(revision, revision * 1000)));
    writes.hset(redisKeys.hostStatus(hostId), 'appliedRevision', later.at(-1) as number);
    await writes.exec();

    const inputs = (await readHostInputs(a.redis, [{ hostId, targetRevision: 3 }])).get(hostId);
    expect(inputs?.appliedRevision).toBe(later.at(-1));
    expect(inputs?.reports.map((report) => report.revision)).toEqual([3, ...later]);

    const operation = newOperation({ kind: 'test.read', resource: null, requestId: null, createdAt: Date.now(), timeoutMs: 30_000, targets: { [hostId]: 3 } });
    await storeWrites(a.redis, (commands) => stageOperations(commands, [operation]));
    const view = await a.operations.get(operation.id);
    expect(view.hosts[0]).toMatchObject({ state: 'applied', receipts: { appliedAt: new Date(3_000).toISOString(), pickedUpAt: new Date(2_997).toISOString() } });
  });

  it('marks when several operations were queued in one call, and passes over one that has expired', async () => {
    const first = await commit({ [host(1)]: 1 });
    const second = await commit({ [host(2)]: 1, [host(3)]: 1 });
    await a.operations.markQueued([
      { id: first.id, queuedAt: { [host(1)]: 1111 } },
      { id: 'op-expired-long-ago', queuedAt: { [host(1)]: 2222 } },
      { id: second.id, queuedAt: { [host(2)]: 3333, [host(3)]: 4444, [host(9)]: 5555 } },
    ]);
    const stored = async (id: string) => JSON.parse((await a.redis.get(operationKey(id))) as string) as OperationRecord;
    const queuedAt = async (id: string) => Object.entries((await stored(id)).hosts).map(([hostId, entry]) => [hostId, entry.queuedAt]).sort();
    expect(await queuedAt(first.id)).toEqual([[host(1), 1111]]);
    expect(await queuedAt(second.id)).toEqual([[host(2), 3333], [host(3), 4444]]);
    expect(await a.redis.exists(operationKey('op-expired-long-ago'))).toBe(0);
  });

  it('an unknown operation is a 404 naming id', async () => {
    await expect(a.operations.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404, field: 'id' });
    await expect(a.operations.wait('00000000-0000-4000-8000-000000000000', 1)).rejects.toMatchObject({ status: 404, field: 'id' });
  });

  // How fast a fan-out is queued is the benchmark's to say (npm run bench:controller), not a timed test's.
  it('enqueues to 1,000 hosts; backlog and job counts cover every host queue from any process; dropHost removes one', async () => {
    const targets = Array.from({ length: 1000 }, (_, i) => ({ hostId: host(i), revision: 1, requestIds: ['req-fanout'] }));
    const queuedAt = await a.queues.enqueue(targets);

    expect(Object.keys(queuedAt).sort()).toEqual(targets.map((t) => t.hostId).sort());
    // b never touched these queues: it counts them through Redis
    const before = await b.queues.backlog();
    expect(before).toBeGreaterThanOrEqual(1000);
    expect((await b.queues.jobCounts()).waiting).toBeGreaterThanOrEqual(1000);
    const job = (await a.queues.queueFor(host(7)).getWaiting())[0];
    expect(job.data).toEqual({ hostId: host(7), revision: 1, requestIds: ['req-fanout'], queuedAt: queuedAt[host(7)] });
    expect(job.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 500, jitter: 0.5 }, deduplication: { id: 'converge', keepLastIfActive: true } });

    await a.queues.dropHost(host(7));
    expect(await b.queues.backlog()).toBe(before - 1);
    expect(await a.redis.sismember(HOST_QUEUES_KEY, host(7))).toBe(0);
    expect(await a.redis.keys(`bull:${hostQueueName(host(7))}:*`)).toEqual([]);

    await Promise.all(targets.map((t) => a.queues.dropHost(t.hostId)));
  });

  describe('GET /v1/operations/:id', () => {
    let app: INestApplication;

    beforeAll(async () => {
      process.env.OVS_FLEET_REDIS_URL = server.url;
      try {
        const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, RedisModule, OperationsModule] }).compile();
        app = await initApp(moduleRef, { logger: false }, (created) => created.useGlobalPipes(apiValidationPipe()).useGlobalFilters(new ApiExceptionFilter(pino({ level: 'silent' }))));
      } finally {
        delete process.env.OVS_FLEET_REDIS_URL;
      }
    });

    afterAll(async () => {
      await app?.close();
    });

    it('answers the view, waiting when asked', async () => {
      await agent(host(1), { delayMs: 300 });
      const operation = await commit({ [host(1)]: 2 });

      const now = await request(app.getHttpServer()).get(`/v1/operations/${operation.id}`).expect(200);
      expect(now.body).toMatchObject({ id: operation.id, state: 'pending', kind: 'test.change', resource: { type: 'network', id: 'blue' } });

      const waited = await request(app.getHttpServer()).get(`/v1/operations/${operation.id}?wait=10`).expect(200);
      expect(waited.body).toMatchObject({ id: operation.id, state: 'applied', hosts: [{ hostId: host(1), targetRevision: 2, state: 'applied', appliedRevision: 2 }] });
    });

    it.each([
      ['abc', 'wait'],
      ['-1', 'wait'],
      ['61', 'wait'],
      ['1e3', 'wait'],
      ['', 'wait'],
    ])('refuses wait=%j with a 400 naming %s', async (wait, field) => {
      const response = await request(app.getHttpServer()).get(`/v1/operations/00000000-0000-4000-8000-000000000000?wait=${encodeURIComponent(wait)}`).expect(400);
      expect(response.body.error).toMatchObject({ status: 400, field, message: `${field}: must be a number of seconds from 0 to 60` });
    });

    it('refuses a repeated wait with a 400 naming wait', async () => {
      const response = await request(app.getHttpServer()).get('/v1/operations/00000000-0000-4000-8000-000000000000?wait=1&wait=2').expect(400);
      expect(response.body.error.field).toBe('wait');
    });

    it('refuses an id that is not a UUID with a 400 naming id, and an unknown one with a 404 naming id', async () => {
      const bad = await request(app.getHttpServer()).get('/v1/operations/not-a-uuid').expect(400);
      expect(bad.body.error.field).toBe('id');
      const unknown = await request(app.getHttpServer()).get('/v1/operations/00000000-0000-4000-8000-000000000000').expect(404);
      expect(unknown.body.error).toMatchObject({ status: 404, code: 'NOT_FOUND', field: 'id' });
    });
  });
});
