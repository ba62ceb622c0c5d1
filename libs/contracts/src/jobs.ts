/**
 * The per-host job queue. A job never says "add port X": it says "converge to at least
 * revision N", so a retried, repeated or reordered job cannot corrupt a host.
 */

export const CONVERGE_JOB = 'converge';

/** BullMQ queue of one host (keys `bull:host-ID:*`, which the host's agent may use). */
export function hostQueueName(hostId: string): string {
  return `host-${hostId}`;
}

/** Jobs of one host collapse on this id: at most one waiting and one active. */
export const CONVERGE_DEDUPLICATION_ID = 'converge';

export interface ConvergeJob {
  hostId: string;
  /** Converge to this revision of the host's desired state, or to any later one. */
  revision: number;
  /** The request that caused it, carried into the agent's logs. */
  requestId: string | null;
  /** When the controller queued it (ms since the epoch): the `queued` receipt. */
  queuedAt: number;
}

/** Retry policy of converge jobs: exponential backoff, jitter added by the queue's backoff strategy. */
export const CONVERGE_ATTEMPTS = 5;
export const CONVERGE_BACKOFF_MS = 500;
