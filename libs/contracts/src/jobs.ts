import type { ResolvedHostState } from './desired-state';

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
  /**
   * The requests whose changes to this host it carries (requests committed together share a
   * job), carried into the agent's logs and reports. Empty when no request caused it.
   */
  requestIds: string[];
  /** When the controller queued it (ms since the epoch): the `queued` receipt. */
  queuedAt: number;
}

/** Retry policy of converge jobs: exponential backoff, jitter added by the queue's backoff strategy. */
export const CONVERGE_ATTEMPTS = 5;
export const CONVERGE_BACKOFF_MS = 500;

/**
 * A dry run's question to an agent: what would you do to bring your host to this document?
 * The agent answers with its plan (the job's return value) and applies nothing.
 */
export const PLAN_JOB = 'plan';

export interface PlanJob {
  hostId: string;
  /** The dry run's document with its tunnels resolved (the dry run's meshes are not stored). */
  document: ResolvedHostState;
  requestId: string | null;
}

export interface AgentPlan {
  hostId: string;
  revision: number;
  /** ovs-vsctl-like and `ip` lines, in the order they would run. */
  steps: string[];
  /** The exact OVSDB operations of the one transaction it would send. */
  ovsdbOperations: unknown[];
  /** Rows it would not touch because they are not the fleet's (a hand-made port holding our name). */
  conflicts: string[];
  empty: boolean;
}
