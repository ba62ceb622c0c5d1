import { CONVERGE_ATTEMPTS, CONVERGE_BACKOFF_MS, CONVERGE_DEDUPLICATION_ID } from '@ovs-fleet/contracts';
import type { JobsOptions } from 'bullmq';

/** Finished jobs kept per host queue (for inspection); older ones are removed by BullMQ. */
export const COMPLETED_JOBS_KEPT = 100;
export const FAILED_JOBS_KEPT = 500;
const FAILED_JOBS_MAX_AGE_S = 7 * 24 * 3600;

/**
 * Options of every converge job. Deduplication with keepLastIfActive collapses a burst into
 * at most one active and one waiting job per host; the job is level-triggered ("converge to
 * at least revision N"), so the agent reads the newest desired state whichever job runs.
 */
export const CONVERGE_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  deduplication: { id: CONVERGE_DEDUPLICATION_ID, keepLastIfActive: true },
  attempts: CONVERGE_ATTEMPTS,
  backoff: { type: 'exponential', delay: CONVERGE_BACKOFF_MS, jitter: 0.5 },
  removeOnComplete: { count: COMPLETED_JOBS_KEPT },
  removeOnFail: { count: FAILED_JOBS_KEPT, age: FAILED_JOBS_MAX_AGE_S },
});
