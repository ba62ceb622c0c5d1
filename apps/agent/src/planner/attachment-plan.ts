import { diffSpecs, externalIds as plumbingIds, type AttachSpec } from '@ovs-fleet/plumbing';
import { causeOf, isOurs, sameNumbers, show } from './compare';
import type { WantedAttachment } from './desired-rows';
import type { ActualAttachment, ActualHostState, ActualPort, ChangeCause, ColumnValue, PlanConflict, PlannedAttach, PlannedDetach, PlannedOvsdbChange } from './types';

export interface AttachmentPlan {
  detach: PlannedDetach[];
  attach: PlannedAttach[];
  /** VLAN changes and repairs of attachment ports: plumbing's setVlan, done in the host's one transaction. */
  ovsdb: PlannedOvsdbChange[];
  conflicts: PlanConflict[];
}

const VLAN_FIELDS: ReadonlySet<string> = new Set(['tag', 'trunks']);

/**
 * The attachment part of convergence. A recorded attachment is matched to the desired one by
 * the container id it was recorded under (the fleet's attachment id) and its interface name.
 * It is plumbed again (detach, then attach) when its veth or namespace is gone, the container
 * moved to a new namespace, an attach was interrupted, or its request changed beyond the
 * VLAN; a VLAN change, or a port tag changed by hand, is set on its port instead.
 */
export function planAttachments(
  wanted: readonly WantedAttachment[],
  previous: readonly WantedAttachment[] | null,
  actual: ActualHostState,
  usableBridges: ReadonlySet<string>,
): AttachmentPlan {
  const plan: AttachmentPlan = { detach: [], attach: [], ovsdb: [], conflicts: [] };
  const ports = new Map(actual.ports.map((port) => [port.name, port]));
  const matched = new Set<ActualAttachment>();
  // In name order, so the plan does not depend on the order the snapshot lists them in.
  const sorted = [...actual.attachments].sort((a, b) => (a.record.hostIfname < b.record.hostIfname ? -1 : a.record.hostIfname > b.record.hostIfname ? 1 : 0));
  // A record whose Port row someone re-marked is on a row we must not touch: left as it is.
  const disowned = new Set(sorted.filter((a) => !isOurs(ports.get(a.record.hostIfname)?.externalIds ?? {})).map((a) => a.record.hostIfname));
  for (const { record } of sorted.filter((a) => disowned.has(a.record.hostIfname))) {
    plan.conflicts.push({ kind: 'name-taken', resource: 'attachment', name: record.containerId, message: `port ${record.hostIfname} of attachment ${record.containerId} is no longer marked as ours: left alone` });
  }
  const recorded = sorted.filter((a) => !disowned.has(a.record.hostIfname));
  for (const want of wanted) {
    if (disowned.has(want.hostIfname)) continue;
    const records = recorded.filter((a) => a.record.containerId === want.id);
    records.forEach((r) => matched.add(r));
    const current = records.find((r) => r.record.hostIfname === want.hostIfname);
    for (const stale of records) if (stale !== current) detach(plan, stale, 'changed', `interface ${stale.record.ifname} is now ${want.spec.ifname}`);
    if (!usableBridges.has(want.spec.bridge)) {
      plan.conflicts.push({ kind: 'missing-bridge', resource: 'attachment', name: want.id, message: `bridge ${want.spec.bridge} of attachment ${want.id} (${want.label}) neither exists nor is wanted` });
      if (current !== undefined) detach(plan, current, 'changed', `moved to bridge ${want.spec.bridge}, which is missing`);
      continue;
    }
    if (current === undefined) {
      const before = previous?.find((p) => p.id === want.id);
      const cause = causeOf(before && comparable(before), comparable(want), false);
      attach(plan, want, cause, cause === 'repaired' ? 'its port is gone' : want.label);
      continue;
    }
    planExisting(plan, want, current, ports.get(want.hostIfname)!);
  }
  for (const record of recorded) if (!matched.has(record)) detach(plan, record, 'removed', 'no longer wanted');
  return plan;
}

/** `port` is the record's Port row, marked as ours. */
function planExisting(plan: AttachmentPlan, want: WantedAttachment, current: ActualAttachment, port: ActualPort): void {
  const { record } = current;
  const changed: string[] = diffSpecs(record.spec, want.spec);
  if (record.containerRef !== want.containerRef) changed.push('container');
  const broken = brokenBecause(current, want);
  const vlanOnly = changed.length > 0 && changed.every((field) => VLAN_FIELDS.has(field));
  if (broken.length > 0 || (changed.length > 0 && !vlanOnly)) {
    const cause: ChangeCause = changed.length > 0 ? 'changed' : 'repaired';
    const reason = [...(changed.length > 0 ? [`${changed.join(', ')} changed`] : []), ...broken].join('; ');
    detach(plan, current, cause, reason);
    attach(plan, want, cause, reason);
    return;
  }
  if (vlanOnly) {
    // As plumbing's setVlan: the port's VLAN, and the record's spec so it stays the truth.
    const spec: AttachSpec = { ...record.spec, tag: want.spec.tag, trunks: want.spec.trunks };
    const values = vlanDifference(port, spec);
    plan.ovsdb.push({
      resource: 'attachment',
      name: want.id,
      cause: 'changed',
      reason: `${want.label}: VLAN ${vlanText(record.spec)}, wanted ${vlanText(spec)}`,
      commands: [
        ...(Object.keys(values).length > 0 ? [{ command: 'set' as const, table: 'Port' as const, record: record.hostIfname, values }] : []),
        { command: 'set', table: 'Interface', record: record.hostIfname, values: { [`external_ids:${plumbingIds.SPEC}`]: JSON.stringify(spec) } },
      ],
    });
    return;
  }
  const values = vlanDifference(port, record.spec);
  if (Object.keys(values).length === 0) return;
  plan.ovsdb.push({
    resource: 'attachment',
    name: want.id,
    cause: 'repaired',
    reason: `${want.label}: port VLAN is ${vlanText(port)}, wanted ${vlanText(record.spec)}`,
    commands: [{ command: 'set', table: 'Port', record: record.hostIfname, values }],
  });
}

/** What a record keeps of a request: the spec, and how the container was named. */
function comparable(want: WantedAttachment): unknown {
  return { spec: want.spec, containerRef: want.containerRef };
}

/** What about a recorded attachment no longer works, whatever was asked. */
function brokenBecause({ record, vethPresent, namespaceInode }: ActualAttachment, want: WantedAttachment): string[] {
  const reasons: string[] = [];
  if (record.state !== 'ready') reasons.push('an attach was interrupted');
  if (!vethPresent) reasons.push(`veth ${record.hostIfname} is gone`);
  if (namespaceInode === null) reasons.push(`namespace ${record.netnsPath} is gone`);
  else if (namespaceInode !== record.netnsInode) reasons.push(`container ${want.containerRef} is in a new namespace (inode ${namespaceInode}, recorded ${record.netnsInode})`);
  if (record.bridge !== record.spec.bridge) reasons.push(`port is on bridge ${record.bridge}, recorded on ${record.spec.bridge}`);
  return reasons;
}

/** The port's VLAN columns that differ from the spec's. */
function vlanDifference(port: ActualPort, spec: AttachSpec): Record<string, ColumnValue> {
  const values: Record<string, ColumnValue> = {};
  if (port.tag !== spec.tag) values.tag = spec.tag;
  if (!sameNumbers(port.trunks, spec.trunks)) values.trunks = [...spec.trunks];
  return values;
}

function vlanText(vlan: { tag: number | null; trunks: readonly number[] }): string {
  return vlan.trunks.length > 0 ? `trunks ${show(vlan.trunks)}` : `tag ${show(vlan.tag)}`;
}

function attach(plan: AttachmentPlan, want: WantedAttachment, cause: ChangeCause, reason: string): void {
  plan.attach.push({ attachmentId: want.id, cause, reason, hostIfname: want.hostIfname, request: want.request });
}

function detach(plan: AttachmentPlan, { record }: ActualAttachment, cause: ChangeCause, reason: string): void {
  plan.detach.push({ attachmentId: record.containerId, cause, reason, hostIfname: record.hostIfname, selector: { attachmentId: record.attachmentId } });
}
