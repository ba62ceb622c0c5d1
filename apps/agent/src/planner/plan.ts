import type { ResolvedHostState } from '@ovs-fleet/contracts';
import { planAttachments } from './attachment-plan';
import { wantedHost, type WantedHost } from './desired-rows';
import { planOvsdb } from './ovsdb-plan';
import type { ActualHostState, ChangeCause, ConvergencePlan, PlanSummary } from './types';

export interface PlanOptions {
  /**
   * The document last applied on this host, when known. A resource it already asked for,
   * unchanged since, that is missing or different on the host is drift: counted as
   * `repaired` instead of `added`/`changed`. The plan's steps are the same either way.
   */
  applied?: ResolvedHostState | null;
}

/**
 * What it takes to bring the host from `actual` to `desired`: a pure function. Only rows
 * marked as ours (ovs-fleet-owner) are changed or removed; a wanted name held by anything
 * else is a conflict, not an overwrite. Planning again against the state the plan produces
 * gives an empty plan. Throws DesiredStateError (naming the field) for a document it cannot plan.
 */
export function planConvergence(desired: ResolvedHostState, actual: ActualHostState, options: PlanOptions = {}): ConvergencePlan {
  const wanted = wantedHost(desired);
  const previous = options.applied ? previousWanted(options.applied) : null;
  const keepBridges = new Set([...wanted.ports.map((port) => port.bridge), ...wanted.attachments.map((a) => a.spec.bridge)]);
  const ovsdb = planOvsdb(wanted, previous, actual, keepBridges);
  const attachments = planAttachments(wanted.attachments, previous?.attachments ?? null, actual, ovsdb.usableBridges);
  const plan: ConvergencePlan = {
    hostId: desired.hostId,
    revision: desired.revision,
    ovsdb: [...ovsdb.changes, ...attachments.ovsdb],
    namespace: { detach: attachments.detach, attach: attachments.attach },
    conflicts: [...ovsdb.conflicts, ...attachments.conflicts],
    summary: { added: 0, changed: 0, removed: 0, repaired: 0 },
    empty: false,
  };
  plan.summary = summarize(plan);
  plan.empty = plan.ovsdb.length === 0 && plan.namespace.detach.length === 0 && plan.namespace.attach.length === 0;
  return plan;
}

/** An applied document that no longer validates (it was valid when applied) only loses the drift/change distinction. */
function previousWanted(applied: ResolvedHostState): WantedHost | null {
  try {
    return wantedHost(applied);
  } catch {
    return null;
  }
}

/** One count per resource: an attachment plumbed again (detach + attach) counts once, as its attach. */
function summarize(plan: ConvergencePlan): PlanSummary {
  const causes = new Map<string, ChangeCause>();
  for (const change of plan.ovsdb) causes.set(`${change.resource} ${change.name}`, change.cause);
  for (const attach of plan.namespace.attach) causes.set(`attachment ${attach.attachmentId}`, attach.cause);
  for (const detach of plan.namespace.detach) {
    const key = `attachment ${detach.attachmentId}`;
    if (!causes.has(key)) causes.set(key, detach.cause);
  }
  const summary: PlanSummary = { added: 0, changed: 0, removed: 0, repaired: 0 };
  for (const cause of causes.values()) summary[cause]++;
  return summary;
}
