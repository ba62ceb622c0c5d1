/**
 * What an agent tells the controller: a heartbeat and status (a Redis hash it alone writes)
 * and one report per convergence (a capped Redis stream), announced on its events channel.
 */

/** Fields of the status hash at `hostStatus(hostId)`; every value is a string in Redis. */
export interface HostStatusFields {
  /** ms since the epoch of the last heartbeat. */
  heartbeatAt: number;
  agentStartedAt: number;
  ovsVersion: string;
  /** True while the agent's OVSDB connection is up. */
  ovsdbConnected: boolean;
  /** Highest revision fully applied on the host (0 before the first). */
  appliedRevision: number;
}

/** When each step of applying a revision happened on the host (ms since the epoch). */
export interface AgentReceipts {
  pickedUpAt: number;
  committedAt: number | null;
  vswitchdAppliedAt: number | null;
  linkUpAt: number | null;
}

export interface ConvergeError {
  code: string;
  message: string;
  retryable: boolean;
}

/** One entry of the host's report stream (field `report`, JSON). */
export type ConvergeReport =
  | { kind: 'applied'; revision: number; at: number; receipts: AgentReceipts; changes: number; repaired: number; requestIds: string[] }
  | {
      kind: 'failed';
      revision: number;
      at: number;
      error: ConvergeError;
      /** True when no retry follows (attempts exhausted, or the error is not retryable). */
      final: boolean;
      attempt: number;
      requestIds: string[];
    };

/** Seconds without a heartbeat after which the controller reports a host as down. */
export const HEARTBEAT_INTERVAL_S = 5;
export const HOST_DOWN_AFTER_S = 3 * HEARTBEAT_INTERVAL_S;

/** Reports kept per host (XADD MAXLEN ~). */
export const REPORTS_KEPT = 200;
