import { Writable } from 'node:stream';
import type { ConvergeJob, ConvergeReport, ResolvedHostState } from '@ovs-fleet/contracts';
import { FleetError } from '@ovs-fleet/errors';
import { UnrecoverableError, type Job } from 'bullmq';
import { DesiredStateError } from '../planner';
import { desiredHost } from '../planner/testing/fixtures';
import { createAgentLogger } from '../observability/logger';
import { AgentMetrics } from '../observability/metrics';
import { convergeJobProcessor } from './job-processor';
import type { ReconcileOutcome } from './reconciler';

class FlakyOvsdb extends FleetError {
  readonly code = 'OVSDB_DISCONNECTED';
  override readonly retryable = true;
}

type Applied = Extract<ConvergeReport, { kind: 'applied' }>;
type Failed = Extract<ConvergeReport, { kind: 'failed' }>;

function job(data: Partial<ConvergeJob> = {}, attemptsMade = 0, attempts = 5): Job<ConvergeJob> {
  return { id: '17', data: { hostId: 'h1', revision: 3, requestIds: ['req-abc'], queuedAt: 1, ...data }, attemptsMade, opts: { attempts } } as Job<ConvergeJob>;
}

function outcome(revision: number): ReconcileOutcome {
  return {
    revision,
    plan: {} as ReconcileOutcome['plan'],
    receipts: { committedAt: 1000, vswitchdAppliedAt: 1005, linkUpAt: 1010, interfaceErrors: [] },
    changes: 4,
    repaired: 1,
    advanced: true,
  };
}

function setup(options: { desired?: ResolvedHostState | null; converge?: (desired: ResolvedHostState) => Promise<ReconcileOutcome> } = {}) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const reports: ConvergeReport[] = [];
  const converged: ResolvedHostState[] = [];
  const settled: boolean[] = [];
  const metrics = new AgentMetrics();
  const process = convergeJobProcessor({
    hostId: 'h1',
    readDesired: async () => (options.desired === undefined ? desiredHost({ revision: 4 }) : options.desired),
    reconciler: {
      converge: async (desired) => {
        converged.push(desired);
        return (options.converge ?? (async (d: ResolvedHostState) => outcome(d.revision)))(desired);
      },
    },
    reporter: {
      applied: async (report: Applied) => void reports.push(report),
      failed: async (report: Failed) => void reports.push(report),
    },
    metrics,
    logger: createAgentLogger('h1', 'info', sink),
    onSettled: (applied) => settled.push(applied),
  });
  const jobCount = async (outcome: string) => (await metrics.jobs.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { process, lines, reports, converged, settled, jobCount };
}

describe('convergeJobProcessor', () => {
  it('converges to the document read now (any revision >= the job\'s) and reports it applied with its receipts', async () => {
    const t = setup();
    const before = Date.now();
    await t.process(job({ revision: 3 }));
    expect(t.converged.map((d) => d.revision)).toEqual([4]);
    expect(t.reports).toHaveLength(1);
    const report = t.reports[0] as Applied;
    expect(report).toEqual({
      kind: 'applied',
      revision: 4,
      at: expect.any(Number),
      receipts: { pickedUpAt: expect.any(Number), committedAt: 1000, vswitchdAppliedAt: 1005, linkUpAt: 1010 },
      changes: 4,
      repaired: 1,
      requestIds: ['req-abc'],
    });
    expect(report.receipts.pickedUpAt).toBeGreaterThanOrEqual(before);
    expect(report.at).toBeGreaterThanOrEqual(report.receipts.pickedUpAt);
    expect(t.settled).toEqual([true]);
    expect(await t.jobCount('applied')).toBe(1);
  });

  it("carries the job's request ids on its log lines and its report", async () => {
    const t = setup();
    await t.process(job({ requestIds: ['req-xyz', 'req-uvw'] }));
    const applied = t.lines.find((line) => line.msg === 'job applied');
    expect(applied).toMatchObject({ requestIds: ['req-xyz', 'req-uvw'], jobId: '17', revision: 4, hostId: 'h1' });
    expect(t.reports).toEqual([expect.objectContaining({ kind: 'applied', requestIds: ['req-xyz', 'req-uvw'] })]);
  });

  it('a bad document: reported failed and final with the field named, and the job fails without retries', async () => {
    const t = setup({ converge: () => Promise.reject(new DesiredStateError('tunnels[0].key', 'must be 1-16777215')) });
    const thrown = await t.process(job()).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe('DESIRED_STATE_INVALID: tunnels[0].key: must be 1-16777215');
    expect(t.reports).toEqual([
      {
        kind: 'failed',
        revision: 4,
        at: expect.any(Number),
        error: { code: 'DESIRED_STATE_INVALID', message: 'tunnels[0].key: must be 1-16777215', retryable: false },
        final: true,
        attempt: 1,
        requestIds: ['req-abc'],
      },
    ]);
    expect(t.settled).toEqual([false]);
    expect(await t.jobCount('failed')).toBe(1);
    expect(t.lines.find((line) => line.msg === 'job failed')).toMatchObject({ requestIds: ['req-abc'], code: 'DESIRED_STATE_INVALID', final: true });
  });

  it('a retryable error: not final before the last attempt, and BullMQ may retry (a plain Error)', async () => {
    const t = setup({ converge: () => Promise.reject(new FlakyOvsdb('connection closed')) });
    const thrown = await t.process(job({}, 1, 5)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
    expect(t.reports[0]).toMatchObject({ kind: 'failed', final: false, attempt: 2, error: { code: 'OVSDB_DISCONNECTED', retryable: true } });
  });

  it('a retryable error on the last attempt is final', async () => {
    const t = setup({ converge: () => Promise.reject(new FlakyOvsdb('connection closed')) });
    await expect(t.process(job({}, 4, 5))).rejects.toThrow('OVSDB_DISCONNECTED: connection closed');
    expect(t.reports[0]).toMatchObject({ kind: 'failed', final: true, attempt: 5 });
  });

  it('no document: final failure at the job\'s revision, nothing converged', async () => {
    const t = setup({ desired: null });
    await expect(t.process(job({ revision: 7 }))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(t.converged).toEqual([]);
    expect(t.reports[0]).toMatchObject({ kind: 'failed', revision: 7, final: true, error: { code: 'NO_DESIRED_STATE', message: 'no desired state for host h1' } });
  });

  it('a document older than the job (a lagging replica): retryable, nothing converged', async () => {
    const t = setup({ desired: desiredHost({ revision: 2 }) });
    await expect(t.process(job({ revision: 3 }))).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(t.converged).toEqual([]);
    expect(t.reports[0]).toMatchObject({ kind: 'failed', revision: 3, final: false, error: { code: 'DESIRED_STATE_BEHIND', retryable: true } });
  });

  it('Redis refusing a command (NOPERM) is final', async () => {
    const t = setup({ converge: () => Promise.reject(new Error('NOPERM this user has no permissions to access one of the keys used as arguments')) });
    await expect(t.process(job())).rejects.toBeInstanceOf(UnrecoverableError);
    expect(t.reports[0]).toMatchObject({ final: true, error: { code: 'NOPERM', retryable: false } });
  });
});
