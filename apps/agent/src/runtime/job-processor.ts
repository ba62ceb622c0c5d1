import { PLAN_JOB, type AgentPlan, type ConvergeJob, type ResolvedHostState, type PlanJob } from '@ovs-fleet/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import type { AgentLogger } from '../observability/logger';
import type { AgentMetrics } from '../observability/metrics';
import { classifyError, DesiredStateBehindError, NoDesiredStateError } from './errors';
import type { HostReporter } from './host-reporter';
import type { Reconciler } from './reconciler';

export interface JobProcessorOptions {
  hostId: string;
  /** The host's current desired-state document (null: none). */
  readDesired: () => Promise<ResolvedHostState | null>;
  reconciler: Pick<Reconciler, 'converge'>;
  reporter: Pick<HostReporter, 'applied' | 'failed'>;
  metrics: AgentMetrics;
  logger: AgentLogger;
  /** Around every job (drift watching ignores what the agent does meanwhile). */
  onStart?: () => void;
  onSettled?: (applied: boolean) => void;
}

/**
 * The BullMQ processor of a host's converge jobs. A job asks for revision N "or later": the
 * document read now (any revision >= N) is converged to, then reported applied with its
 * receipts. A failure is reported with its code; `final` when it is not retryable or this was
 * the last attempt, and the job fails so that BullMQ retries it (UnrecoverableError: no retry).
 */
export function convergeJobProcessor(options: JobProcessorOptions): (job: Job<ConvergeJob>) => Promise<void> {
  const { hostId, reconciler, reporter, metrics } = options;
  return async (job) => {
    const pickedUpAt = Date.now();
    const attempt = job.attemptsMade + 1;
    const { requestIds } = job.data;
    let logger = options.logger.child({ requestIds, jobId: job.id, attempt });
    let revision = job.data.revision;
    let applied = false;
    logger.info({ wantedRevision: job.data.revision }, 'job picked up');
    options.onStart?.();
    try {
      const desired = await options.readDesired();
      if (desired === null) throw new NoDesiredStateError(hostId);
      if (desired.revision < job.data.revision) throw new DesiredStateBehindError(desired.revision, job.data.revision);
      revision = desired.revision;
      logger = logger.child({ revision });
      const outcome = await reconciler.converge(desired, 'job', logger);
      const { committedAt, vswitchdAppliedAt, linkUpAt } = outcome.receipts;
      await reporter.applied({
        kind: 'applied',
        revision,
        at: Date.now(),
        receipts: { pickedUpAt, committedAt, vswitchdAppliedAt, linkUpAt },
        changes: outcome.changes,
        repaired: outcome.repaired,
        requestIds,
      });
      applied = true;
      metrics.jobs.inc({ outcome: 'applied' });
      logger.info({ changes: outcome.changes, repaired: outcome.repaired, ms: Date.now() - pickedUpAt }, 'job applied');
    } catch (error) {
      metrics.jobs.inc({ outcome: 'failed' });
      const described = classifyError(error);
      const final = !described.retryable || attempt >= (job.opts.attempts ?? 1);
      logger.warn({ err: error, code: described.code, final }, 'job failed');
      try {
        await reporter.failed({ kind: 'failed', revision, at: Date.now(), error: described, final, attempt, requestIds });
      } catch (reportError) {
        logger.error({ err: reportError }, 'could not report the failure');
      }
      throw described.retryable ? new Error(`${described.code}: ${described.message}`) : new UnrecoverableError(`${described.code}: ${described.message}`);
    } finally {
      options.onSettled?.(applied);
    }
  };
}

/** One processor for the host's queue: converge jobs, and the plans a controller's dry run asks for. */
export function jobsByName(processors: {
  converge: (job: Job<ConvergeJob>) => Promise<void>;
  plan: (job: Job<PlanJob>) => Promise<AgentPlan>;
}): (job: Job<ConvergeJob>) => Promise<void> {
  return async (job) => {
    if (job.name === PLAN_JOB) return (await processors.plan(job as unknown as Job<PlanJob>)) as unknown as void;
    return processors.converge(job);
  };
}
