import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import { externalIds as plumbingIds, isOurHostIfname, type Attachment, type PortRow } from '@ovs-fleet/plumbing';
import type { ActualBridge, ActualHostState, ActualInterface, ActualPort, StringMap } from './types';

type Row = Readonly<Record<string, unknown>>;

/** What the extractor reads: an OVSDB replica of Open_vSwitch (libs/ovsdb's `Replica`, e.g. `idl.replica`, fits). */
export interface ReplicaReader {
  table(name: string): ReadonlyMap<string, Row>;
}

/** Facts about the host outside OVSDB, gathered by the agent before extracting (`ip link`, stat of namespace files). */
export interface HostProbe {
  /** Whether a link of this name exists in the host's namespace. */
  vethPresent(hostIfname: string): boolean;
  /** Inode of the namespace file at this path now, null when it is gone. */
  namespaceInode(netnsPath: string): number | null;
}

/** The attachments libs/plumbing recorded on rows of ours (so the agent knows which veths and namespaces to probe). */
export function attachmentsFromReplica(replica: ReplicaReader): Attachment[] {
  return recordedAttachments(replica, bridgeOfPorts(replica)).map(({ attachment }) => attachment);
}

/** The host as the planner sees it: every Bridge and Port row (with their interfaces), and our attachments with the probe's facts. */
export function actualStateFromReplica(replica: ReplicaReader, probe: HostProbe): ActualHostState {
  const bridgeOf = bridgeOfPorts(replica);
  const interfaces = replica.table('Interface');
  const bridges: ActualBridge[] = [];
  for (const row of replica.table('Bridge').values()) {
    bridges.push({
      name: text(row.name),
      datapathType: text(row.datapath_type),
      failMode: row.fail_mode === 'standalone' || row.fail_mode === 'secure' ? row.fail_mode : null,
      otherConfig: stringMap(row.other_config),
      externalIds: stringMap(row.external_ids),
    });
  }
  const ports: ActualPort[] = [];
  for (const [uuid, row] of replica.table('Port')) {
    ports.push({
      name: text(row.name),
      bridge: bridgeOf.get(uuid) ?? null,
      tag: integerOrNull(row.tag),
      trunks: integers(row.trunks),
      vlanMode: typeof row.vlan_mode === 'string' ? row.vlan_mode : null,
      protected: row.protected === true,
      externalIds: stringMap(row.external_ids),
      interfaces: members(row.interfaces).flatMap((id) => {
        const iface = interfaces.get(id);
        return iface === undefined ? [] : [actualInterface(iface)];
      }),
    });
  }
  const attachments = recordedAttachments(replica, bridgeOf).map(({ attachment }) => ({
    record: attachment,
    vethPresent: probe.vethPresent(attachment.hostIfname),
    namespaceInode: probe.namespaceInode(attachment.netnsPath),
  }));
  return { bridges, ports, attachments };
}

function actualInterface(row: Row): ActualInterface {
  return {
    name: text(row.name),
    type: text(row.type),
    options: stringMap(row.options),
    mtuRequest: integerOrNull(row.mtu_request),
    externalIds: stringMap(row.external_ids),
  };
}

/** Port uuid → name of the bridge holding it. */
function bridgeOfPorts(replica: ReplicaReader): Map<string, string> {
  const out = new Map<string, string>();
  for (const bridge of replica.table('Bridge').values()) for (const port of members(bridge.ports)) out.set(port, text(bridge.name));
  return out;
}

/** Rows libs/plumbing made for us (our host-end names, our owner mark), decoded as it decodes them. */
function recordedAttachments(replica: ReplicaReader, bridgeOf: ReadonlyMap<string, string>): { attachment: Attachment }[] {
  const interfaces = replica.table('Interface');
  const out: { attachment: Attachment }[] = [];
  for (const [portUuid, port] of replica.table('Port')) {
    for (const interfaceUuid of members(port.interfaces)) {
      const iface = interfaces.get(interfaceUuid);
      if (iface === undefined || !isOurHostIfname(text(iface.name))) continue;
      const row: PortRow = {
        portUuid,
        interfaceUuid,
        name: text(iface.name),
        bridge: bridgeOf.get(portUuid) ?? null,
        tag: integerOrNull(port.tag),
        trunks: integers(port.trunks),
        externalIds: { ...stringMap(iface.external_ids) },
        ofport: integerOrNull(iface.ofport),
        linkState: typeof iface.link_state === 'string' ? iface.link_state : null,
        mtu: integerOrNull(iface.mtu),
        error: typeof iface.error === 'string' ? iface.error : null,
      };
      const attachment = plumbingIds.attachmentFromRow(row, owned.OWNER_VALUE);
      if (attachment !== null) out.push({ attachment });
    }
  }
  return out;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** Set columns are arrays in the replica (a one-member set too). */
function members(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
}

function integers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((m): m is number => typeof m === 'number').sort((a, b) => a - b) : [];
}

function stringMap(value: unknown): StringMap {
  const out: Record<string, string> = {};
  if (value instanceof Map) for (const [k, v] of value) if (typeof k === 'string' && typeof v === 'string') out[k] = v;
  return out;
}
