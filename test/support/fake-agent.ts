/**
 * In-test host agents that behave like the real agent at the contract level (libs/contracts):
 * a BullMQ Worker on the host's queue that reads the host's desired state, then writes the
 * status hash, appends a ConvergeReport to the host's report stream and announces it on the
 * host's events channel. What it does is chosen per agent: apply, fail (finally or retryably),
 * stay silent (never pick a job up), and how long converging takes.
 *
 *   const agent = await FakeAgent.start({ redisUrl, hostId: 'h1', delayMs: 100 });
 *   try { ... agent.runs ... } finally { await agent.close(); }
 */
import {
  ConvergeJob,
  ConvergeReport,
  DESIRED_STATE_SCHEMA,
  DesiredHostState,
  REPORTS_KEPT,
  hostQueueName,
  redisKeys,
} from '@ovs-fleet/contracts';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';

export type FakeAgentBehaviour =
  | { kind: 'apply' }
  /** Fails every attempt: final at once when not retryable, else once BullMQ's attempts run out. */
  | { kind: 'fail'; code: string; message: string; retryable: boolean }
  /** Fails the first `times` attempts with a retryable error, then applies. */
  | { kind: 'flaky'; times: number; code: string; message: string }
  /** Never picks a job up: no worker at all. */
  | { kind: 'silent' };

/** Jobs being processed at once, shared by the agents that serve one queue. */
export class ConcurrencyProbe {
  current = 0;
  max = 0;

  enter(): void {
    this.current++;
    this.max = Math.max(this.max, this.current);
  }

  leave(): void {
    this.current--;
  }
}

export interface FakeAgentOptions {
  redisUrl: string;
  hostId: string;
  behaviour?: FakeAgentBehaviour;
  /** How long converging takes, between picking the job up and reporting (ms). */
  delayMs?: number;
  /** Worker concurrency (default 1, as the real agent). */
  concurrency?: number;
  probe?: ConcurrencyProbe;
}

export interface FakeAgentRun {
  jobId: string;
  job: ConvergeJob;
  /** The desired revision the agent read when it picked the job up. */
  revision: number;
  attempt: number;
  outcome: 'applied' | 'failed';
  startedAt: number;
  endedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeAgent {
  readonly runs: FakeAgentRun[] = [];
  private worker: Worker<ConvergeJob> | null = null;
  private readonly started: Array<() => void> = [];
  private gate: Promise<void> | null = null;

  private constructor(
    readonly hostId: string,
    private readonly redis: Redis,
    private readonly options: FakeAgentOptions,
  ) {}

  static async start(options: FakeAgentOptions): Promise<FakeAgent> {
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    const agent = new FakeAgent(options.hostId, redis, options);
    const now = Date.now();
    await redis.hset(redisKeys.hostStatus(options.hostId), { heartbeatAt: now, agentStartedAt: now, ovsVersion: '3.1.0', ovsdbConnected: 'true' });
    if (agent.behaviour.kind !== 'silent') {
      agent.worker = new Worker<ConvergeJob>(hostQueueName(options.hostId), (job) => agent.process(job), {
        connection: { url: options.redisUrl, maxRetriesPerRequest: null },
        concurrency: options.concurrency ?? 1,
      });
      agent.worker.on('error', () => undefined); // connection errors at close
      await agent.worker.waitUntilReady();
    }
    return agent;
  }

  get behaviour(): FakeAgentBehaviour {
    return this.options.behaviour ?? { kind: 'apply' };
  }

  /** Resolves when the agent next picks a job up (and has read the desired revision). */
  nextPickUp(): Promise<void> {
    return new Promise((resolve) => this.started.push(resolve));
  }

  /**
   * Holds every job that is being converged, before it reports, until the returned release
   * is called: the agent stays busy for as long as a test needs.
   */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  async close(): Promise<void> {
    await this.worker?.close(true);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async process(job: Job<ConvergeJob>): Promise<void> {
    const startedAt = Date.now();
    this.options.probe?.enter();
    try {
      const revision = await this.desiredRevision();
      for (const resolve of this.started.splice(0)) resolve();
      const attempt = job.attemptsMade + 1;
      // Recorded before the report is written: whoever the report wakes finds the run listed.
      const run = (outcome: FakeAgentRun['outcome']): void => {
        this.runs.push({ jobId: String(job.id), job: job.data, revision, attempt, outcome, startedAt, endedAt: Date.now() });
      };
      const committedAt = startedAt + Math.floor((this.options.delayMs ?? 0) / 2);
      if (this.options.delayMs) await sleep(this.options.delayMs);
      if (this.gate) await this.gate;

      const behaviour = this.behaviour;
      const failure =
        behaviour.kind === 'fail'
          ? { code: behaviour.code, message: behaviour.message, retryable: behaviour.retryable }
          : behaviour.kind === 'flaky' && attempt <= behaviour.times
            ? { code: behaviour.code, message: behaviour.message, retryable: true }
            : null;
      if (failure) {
        const final = !failure.retryable || attempt >= (job.opts.attempts ?? 1);
        run('failed');
        await this.report({ kind: 'failed', revision, at: Date.now(), error: failure, final, attempt, requestIds: job.data.requestIds }, null);
        throw failure.retryable ? new Error(failure.message) : new UnrecoverableError(failure.message);
      }
      run('applied');
      const at = Date.now();
      await this.report(
        {
          kind: 'applied',
          revision,
          at,
          receipts: { pickedUpAt: startedAt, committedAt, vswitchdAppliedAt: committedAt + 1, linkUpAt: at },
          changes: 1,
          repaired: 0,
          requestIds: job.data.requestIds,
        },
        revision,
      );
    } finally {
      this.options.probe?.leave();
    }
  }

  private async desiredRevision(): Promise<number> {
    const text = await this.redis.get(redisKeys.hostDesired(this.hostId));
    if (text === null) throw new UnrecoverableError(`no desired state for host ${this.hostId}`);
    return (JSON.parse(text) as DesiredHostState).revision;
  }

  /** Status hash, then the report, then the announcement: a reader woken by it sees both. */
  private async report(report: ConvergeReport, appliedRevision: number | null): Promise<void> {
    const status: Record<string, string | number> = { heartbeatAt: Date.now() };
    if (appliedRevision !== null) status.appliedRevision = appliedRevision;
    await this.redis
      .multi()
      .hset(redisKeys.hostStatus(this.hostId), status)
      .xadd(redisKeys.hostReports(this.hostId), 'MAXLEN', '~', REPORTS_KEPT, '*', 'report', JSON.stringify(report))
      .publish(redisKeys.hostEvents(this.hostId), this.hostId)
      .exec();
  }
}

/** A minimal valid desired-state document for `hostId` at `revision` (no networks), as the controller writes it. */
export function desiredState(hostId: string, revision: number, tunnelIp = '203.0.113.10'): DesiredHostState {
  return {
    schema: DESIRED_STATE_SCHEMA,
    hostId,
    revision,
    integrationBridge: { name: 'br-int', datapathType: 'netdev' },
    tunnelIp,
    networks: [],
    attachments: [],
    operator: { bridges: [], ports: [], tunnels: [] },
  };
}

export async function writeDesired(redis: Redis, hostId: string, revision: number): Promise<void> {
  await redis.set(redisKeys.hostDesired(hostId), JSON.stringify(desiredState(hostId, revision)));
}
