import type { VlanMode } from '@ovs-fleet/contracts';
import type { Attachment, AttachRequest } from '@ovs-fleet/plumbing';

/** String maps (`external_ids`, `options`, `other_config`) as plain records: snapshots and plans are plain data. */
export type StringMap = Readonly<Record<string, string>>;

// ---- what is on the host ---------------------------------------------------------------

export interface ActualBridge {
  name: string;
  /** As stored: '' is OVS's default, the same as 'system'. */
  datapathType: string;
  failMode: 'standalone' | 'secure' | null;
  otherConfig: StringMap;
  externalIds: StringMap;
}

export interface ActualInterface {
  name: string;
  /** As stored: '' is a system interface. */
  type: string;
  options: StringMap;
  mtuRequest: number | null;
  externalIds: StringMap;
}

export interface ActualPort {
  name: string;
  /** The bridge holding the port (null: none does). */
  bridge: string | null;
  tag: number | null;
  trunks: readonly number[];
  vlanMode: string | null;
  protected: boolean;
  externalIds: StringMap;
  interfaces: readonly ActualInterface[];
}

/** An attachment libs/plumbing recorded on an OVS row of ours, and whether its pieces still exist. */
export interface ActualAttachment {
  record: Attachment;
  /** The host end of the veth (`record.hostIfname`) exists in the host's namespace. */
  vethPresent: boolean;
  /** Inode of the namespace found now at `record.netnsPath` (null: gone); differs from `record.netnsInode` once the container was restarted. */
  namespaceInode: number | null;
}

/** A plain snapshot of one host: every bridge and port (ours or not), and the attachments recorded as ours. */
export interface ActualHostState {
  bridges: readonly ActualBridge[];
  ports: readonly ActualPort[];
  attachments: readonly ActualAttachment[];
}

// ---- what to do ------------------------------------------------------------------------

/** Why a resource is in the plan: new, asked differently, no longer asked for, or put back after someone else changed it. */
export type ChangeCause = 'added' | 'changed' | 'removed' | 'repaired';

/** The fleet's resources, as their rows' `ovs-fleet-role` names them (attachments: libs/plumbing's rows). */
export type PlannedResource = 'bridge' | 'tunnel' | 'port' | 'operator-tunnel' | 'attachment';

/** A column value in a `set`: null empties an optional column; a record is a whole map. */
export type ColumnValue = string | number | boolean | null | readonly number[] | StringMap;

export interface PlannedInterface {
  name: string;
  /** 'system' for a plain device, 'internal', 'patch', 'vxlan', 'gre', 'geneve'. */
  type: string;
  options: StringMap;
}

/** One ovs-vsctl-like command of the host's single OVSDB transaction (see toCommandBatch). */
export type OvsdbCommand =
  | { command: 'add-br'; bridge: string; datapathType: string; failMode: 'standalone' | 'secure' | null; otherConfig: StringMap; externalIds: StringMap }
  | { command: 'del-br'; bridge: string }
  | {
      command: 'add-port';
      bridge: string;
      port: string;
      tag: number | null;
      trunks: readonly number[];
      vlanMode: VlanMode | null;
      protected: boolean;
      externalIds: StringMap;
      iface: PlannedInterface;
    }
  /** Wherever the port is (its bridge may go in the same transaction). */
  | { command: 'del-port'; port: string }
  /** `'column:key'` writes one key of a map column; other keys stay. */
  | { command: 'set'; table: 'Bridge' | 'Port' | 'Interface'; record: string; values: Readonly<Record<string, ColumnValue>> };

export interface PlannedOvsdbChange {
  resource: PlannedResource;
  /** Row name (bridge, port), or the attachment id for an attachment's port. */
  name: string;
  cause: ChangeCause;
  /** Human-readable: what differs, or what the resource is for. */
  reason: string;
  commands: OvsdbCommand[];
}

/** A plumber.attach() to run; `request.containerId` is the fleet's attachment id, so the record names it. */
export interface PlannedAttach {
  attachmentId: string;
  cause: ChangeCause;
  reason: string;
  /** Host end of the veth and OVS port name the plumbing derives from (attachment id, ifname). */
  hostIfname: string;
  request: AttachRequest;
}

/** A plumber.detach(selector) to run. */
export interface PlannedDetach {
  /** The fleet's attachment id the record was made for (its container id). */
  attachmentId: string;
  cause: ChangeCause;
  reason: string;
  hostIfname: string;
  /** libs/plumbing's own id of the record. */
  selector: { attachmentId: string };
}

export type ConflictKind =
  /** A row we did not make (or one we must not touch) holds a name we want: left alone, resource not created. */
  | 'name-taken'
  /** A bridge we did not make has the name we want but other settings: used as it is. */
  | 'foreign-bridge-differs'
  /** The bridge a port or attachment needs neither exists nor is wanted. */
  | 'missing-bridge'
  /** A bridge of ours is no longer wanted but holds ports we did not make: kept. */
  | 'bridge-in-use';

export interface PlanConflict {
  kind: ConflictKind;
  resource: PlannedResource;
  name: string;
  message: string;
}

export interface PlanSummary {
  added: number;
  changed: number;
  removed: number;
  repaired: number;
}

/**
 * What converging a host takes. Run in this order: `namespace.detach` (their ports leave
 * before any bridge of theirs goes), then `ovsdb` as ONE transaction (toCommandBatch), then
 * `namespace.attach` (their bridges exist by then).
 */
export interface ConvergencePlan {
  hostId: string;
  revision: number;
  ovsdb: PlannedOvsdbChange[];
  namespace: { detach: PlannedDetach[]; attach: PlannedAttach[] };
  /** Not errors of the plan: things it will not do, and why. They stay until someone resolves them. */
  conflicts: PlanConflict[];
  /** One count per resource (a replaced tunnel, or an attachment detached and attached again, counts once). */
  summary: PlanSummary;
  /** Nothing to do (conflicts may remain). */
  empty: boolean;
}
