/**
 * An operation's status, derived (never stored) from its record and what each host's agent
 * reported. Pure: the same inputs and `now` always give the same view.
 *
 * Per host, in this order:
 *  - applied:  the first decisive report with revision >= target is `applied` (a later revision
 *              satisfies an earlier target); its receipts are the host's. When the reports
 *              were trimmed away, the status hash's appliedRevision >= target still says applied.
 *  - failed:   the first decisive report with revision >= target is a `failed` one with final=true.
 *  - failed (TIMED_OUT): neither, and `now` is past the deadline.
 *  - pending:  otherwise, showing the last retryable error for revision >= target, if any.
 * A report for a lower revision never decides (a failure at 4 does not fail target 5).
 */
import type { ConvergeError, ConvergeReport } from '@ovs-fleet/contracts';
import type { OperationHostEntry, OperationRecord, ResourceRef } from './operation-record';

export type OperationState = 'pending' | 'applied' | 'failed';
export type HostOperationState = OperationState;
/** Every state, for API documents. */
export const OPERATION_STATES: readonly OperationState[] = ['pending', 'applied', 'failed'];

export const TIMED_OUT = 'TIMED_OUT';

/** What was read about one host: the status hash's applied revision and its recent reports. */
export interface HostInputs {
  /** `appliedRevision` of the host's status hash; null when the hash does not exist. */
  appliedRevision: number | null;
  /** Oldest first. Reports below the target revision may be left out. */
  reports: ConvergeReport[];
}

export interface HostErrorView {
  code: string;
  message: string;
  retryable: boolean;
}

/** ISO 8601 instants of each step for one host; null for a step that has not happened (or is not known). */
export interface HostReceiptsView {
  acceptedAt: string;
  queuedAt: string | null;
  pickedUpAt: string | null;
  committedAt: string | null;
  vswitchdAppliedAt: string | null;
  linkUpAt: string | null;
  appliedAt: string | null;
}

export interface HostOperationView {
  hostId: string;
  targetRevision: number;
  state: HostOperationState;
  /** The revision the host last reported applied (null before its agent first reported). */
  appliedRevision: number | null;
  /** failed: why; pending: the last retryable error, if any; applied: null. */
  error: HostErrorView | null;
  receipts: HostReceiptsView;
}

export interface OperationView {
  id: string;
  kind: string;
  state: OperationState;
  /** failed: every failed host and why; otherwise null. */
  message: string | null;
  createdAt: string;
  deadline: string;
  requestId: string | null;
  resource: ResourceRef | null;
  counts: Record<HostOperationState, number>;
  /** Sorted by host id. */
  hosts: HostOperationView[];
}

export const NO_INPUTS: HostInputs = { appliedRevision: null, reports: [] };

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function isFinal(state: OperationState): boolean {
  return state !== 'pending';
}

/** The report that decides a host's state for a target: the first applied or final failure at or above it. */
export function decisiveReport(reports: readonly ConvergeReport[], targetRevision: number): ConvergeReport | null {
  for (const report of reports) {
    if (report.revision < targetRevision) continue;
    if (report.kind === 'applied' || report.final) return report;
  }
  return null;
}

function lastRetryableError(reports: readonly ConvergeReport[], targetRevision: number): ConvergeError | null {
  for (let i = reports.length - 1; i >= 0; i--) {
    const report = reports[i];
    if (report.kind === 'failed' && report.revision >= targetRevision) return report.error;
  }
  return null;
}

export function timeoutMessage(hostId: string, timeoutMs: number, lastError: ConvergeError | null): string {
  const base = `host ${hostId} did not answer within ${Math.round(timeoutMs / 1000)} s`;
  return lastError ? `${base}; last error: ${lastError.code}: ${lastError.message}` : base;
}

export function deriveHostView(
  hostId: string,
  entry: OperationHostEntry,
  inputs: HostInputs,
  timing: { createdAt: number; deadline: number },
  now: number,
): HostOperationView {
  const receipts: HostReceiptsView = {
    acceptedAt: new Date(entry.acceptedAt).toISOString(),
    queuedAt: iso(entry.queuedAt),
    pickedUpAt: null,
    committedAt: null,
    vswitchdAppliedAt: null,
    linkUpAt: null,
    appliedAt: null,
  };
  const view = (state: HostOperationState, error: HostErrorView | null): HostOperationView => ({
    hostId,
    targetRevision: entry.targetRevision,
    state,
    appliedRevision: inputs.appliedRevision,
    error,
    receipts,
  });

  const decisive = decisiveReport(inputs.reports, entry.targetRevision);
  if (decisive?.kind === 'applied') {
    receipts.pickedUpAt = iso(decisive.receipts.pickedUpAt);
    receipts.committedAt = iso(decisive.receipts.committedAt);
    receipts.vswitchdAppliedAt = iso(decisive.receipts.vswitchdAppliedAt);
    receipts.linkUpAt = iso(decisive.receipts.linkUpAt);
    receipts.appliedAt = iso(decisive.at);
    return view('applied', null);
  }
  if (decisive?.kind === 'failed') return view('failed', { ...decisive.error });
  if (inputs.appliedRevision !== null && inputs.appliedRevision >= entry.targetRevision) return view('applied', null);

  const lastError = lastRetryableError(inputs.reports, entry.targetRevision);
  if (now > timing.deadline) {
    return view('failed', { code: TIMED_OUT, message: timeoutMessage(hostId, timing.deadline - timing.createdAt, lastError), retryable: false });
  }
  return view('pending', lastError ? { ...lastError } : null);
}

function failureLine(host: HostOperationView): string {
  if (host.error?.code === TIMED_OUT) return host.error.message;
  return `host ${host.hostId} failed: ${host.error?.code}: ${host.error?.message}`;
}

/** `inputs` by host id; a host missing from it is read as "nothing reported yet". */
export function deriveOperationView(record: OperationRecord, inputs: ReadonlyMap<string, HostInputs>, now: number): OperationView {
  const timing = { createdAt: record.createdAt, deadline: record.deadline };
  const hosts = Object.keys(record.hosts)
    .sort()
    .map((hostId) => deriveHostView(hostId, record.hosts[hostId], inputs.get(hostId) ?? NO_INPUTS, timing, now));
  return operationViewOf(record, hosts);
}

/** The operation's view from the views of all its hosts (sorted by host id). */
export function operationViewOf(record: OperationRecord, hosts: HostOperationView[]): OperationView {
  const counts: Record<HostOperationState, number> = { pending: 0, applied: 0, failed: 0 };
  for (const host of hosts) counts[host.state]++;
  const failed = hosts.filter((host) => host.state === 'failed');
  const state: OperationState = failed.length > 0 ? 'failed' : counts.pending > 0 ? 'pending' : 'applied';
  return {
    id: record.id,
    kind: record.kind,
    state,
    message: failed.length > 0 ? `${failed.length} of ${hosts.length} hosts failed: ${failed.map(failureLine).join('; ')}` : null,
    createdAt: new Date(record.createdAt).toISOString(),
    deadline: new Date(record.deadline).toISOString(),
    requestId: record.requestId,
    resource: record.resource,
    counts,
    hosts,
  };
}
