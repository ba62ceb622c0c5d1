import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import type { ReplicaEvent, ReplicaRow } from '@ovs-fleet/ovsdb';
import { netnsInode } from '@ovs-fleet/plumbing';
import { attachmentsFromReplica, type ReplicaReader } from '../planner';
import type { LinkLister } from './host-probe';

/** The columns the planner reads: a change elsewhere (statistics, status, ofport...) is never drift. */
const PLANNED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  Bridge: ['name', 'datapath_type', 'fail_mode', 'other_config', 'external_ids', 'ports'],
  Port: ['name', 'tag', 'trunks', 'vlan_mode', 'protected', 'external_ids', 'interfaces'],
  Interface: ['name', 'type', 'options', 'mtu_request', 'external_ids'],
};

/** What drift detection looks up in the replica: the Port holding an Interface's name (tunnel interfaces carry no mark of their own). */
export interface PortLookup {
  lookup(table: string, column: string, key: string): ReplicaRow | undefined;
}

/**
 * Why a replica event may be drift: a row we own (ovs-fleet-owner), or the interface of a
 * port we own, was added, deleted, or changed in a column the planner reads. Null when the
 * event cannot matter. A gap (events dropped) may have hidden anything.
 */
export function driftSignal(event: ReplicaEvent, replica: PortLookup): string | null {
  if (event.type === 'gap') return `replica events were dropped (${event.reason})`;
  const columns = PLANNED_COLUMNS[event.table];
  if (columns === undefined) return null;
  const changed = event.type === 'modify' ? columns.filter((column) => !sameValue(event.old[column], event.new[column])) : columns;
  if (changed.length === 0) return null;
  const row = event.new ?? event.old;
  const name = typeof row.name === 'string' ? row.name : row._uuid;
  const ours = isMarked(event.old) || isMarked(event.new) || (event.table === 'Interface' && isMarked(replica.lookup('Port', 'name', name)));
  if (!ours) return null;
  if (event.type === 'modify') return `${event.table} ${name}: ${changed.join(', ')} changed`;
  return `${event.table} ${name} ${event.type === 'insert' ? 'added' : 'deleted'}`;
}

/**
 * Drift outside OVSDB: a veth of ours gone from the host, or a container's namespace gone or
 * replaced (a restarted container). Lists the host's links only when it has attachments.
 */
export async function plumbingSignals(replica: ReplicaReader, listLinks: LinkLister, namespaceInode: (path: string) => Promise<number | null> = netnsInode): Promise<string[]> {
  const attachments = attachmentsFromReplica(replica).filter((attachment) => attachment.state === 'ready');
  if (attachments.length === 0) return [];
  const links = await listLinks();
  const signals: string[] = [];
  for (const attachment of attachments) {
    if (!links.has(attachment.hostIfname)) signals.push(`veth ${attachment.hostIfname} of attachment ${attachment.containerId} is gone`);
    const inode = await namespaceInode(attachment.netnsPath);
    if (inode !== attachment.netnsInode) signals.push(`namespace ${attachment.netnsPath} of attachment ${attachment.containerId} is ${inode === null ? 'gone' : 'a new one'}`);
  }
  return signals;
}

function isMarked(row: ReplicaRow | null | undefined): boolean {
  const ids = row?.external_ids;
  return ids instanceof Map && ids.get(owned.OWNER) === owned.OWNER_VALUE;
}

/** Replica values: atoms, sets as arrays (in no particular order), maps as Maps. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([key, value]) => b.has(key) && sameValue(value, b.get(key)));
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const x = a.map(String).sort();
    const y = b.map(String).sort();
    return x.every((value, i) => value === y[i]);
  }
  return false;
}
