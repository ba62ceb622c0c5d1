import {
  DESIRED_STATE_SCHEMA,
  isOverlay,
  type AttachmentRecord,
  type DesiredAttachment,
  type DesiredHostState,
  type DesiredNetwork,
  type HostRecord,
  type NetworkRecord,
  type OperatorResources,
} from '@ovs-fleet/contracts';
import { attachmentGateway } from './attachment-gateways';
import { DesiredStateInputError } from './errors';
import { spannedHosts, spans } from './host-selector';
import { indexUnique } from './index-unique';
import { localVlanOf } from './local-vlan-of';
import { meshTunnels } from './mesh';
import { effectiveMtu } from './mtu';
import { canonicalOperatorResources } from './operator-resources';
import { byKey } from './ordering';

export interface DesiredStateInput {
  host: HostRecord;
  revision: number;
  /** Every host of the fleet (`host` included or not: `host` wins over a record with its id). */
  hosts: readonly HostRecord[];
  /** Every network of the fleet. */
  networks: readonly NetworkRecord[];
  /** This host's attachments. */
  attachments: readonly AttachmentRecord[];
  /** This host's local VLANs (assignLocalVlans), one for each overlay network spanning it. */
  localVlans: Readonly<Record<string, number>>;
  operator: OperatorResources;
}

/** The fleet's hosts with `host` as given, so that a host being registered or changed counts as it will be. */
function fleetWith(hosts: readonly HostRecord[], host: HostRecord): HostRecord[] {
  return [...indexUnique(hosts, (h) => h.id, 'host').values()].filter((h) => h.id !== host.id).concat(host);
}

function desiredNetwork(network: NetworkRecord, host: HostRecord, fleet: readonly HostRecord[], localVlans: Readonly<Record<string, number>>): DesiredNetwork {
  const mtu = effectiveMtu(network, spannedHosts(network, fleet));
  const common = { name: network.name, type: network.type, segmentId: network.segmentId, mtu };
  if (isOverlay(network.type)) return { ...common, bridge: host.integrationBridge, tag: localVlanOf(localVlans, network.name, host.id) };
  if (network.providerBridge === null) throw new DesiredStateInputError(`vlan network "${network.name}" has no provider bridge`);
  return { ...common, bridge: network.providerBridge, tag: network.segmentId };
}

function desiredAttachment(attachment: AttachmentRecord, host: HostRecord, records: ReadonlyMap<string, NetworkRecord>, placed: ReadonlyMap<string, DesiredNetwork>): DesiredAttachment {
  if (attachment.host !== host.id) throw new DesiredStateInputError(`attachment "${attachment.id}" belongs to host "${attachment.host}", not "${host.id}"`);
  const record = records.get(attachment.network);
  if (!record) throw new DesiredStateInputError(`attachment "${attachment.id}" is on network "${attachment.network}", which does not exist`);
  const network = placed.get(attachment.network);
  if (!network) throw new DesiredStateInputError(`attachment "${attachment.id}" is on network "${attachment.network}", which does not span host "${host.id}"`);
  return {
    id: attachment.id,
    network: attachment.network,
    container: { ...attachment.container },
    ifname: attachment.ifname,
    mac: attachment.mac,
    mtu: network.mtu,
    bridge: network.bridge,
    tag: network.tag,
    addresses: [...attachment.addresses],
    gateway: attachmentGateway(attachment, record, 4),
    gateway6: attachmentGateway(attachment, record, 6),
    routes: attachment.routes.map((route) => ({ to: route.to, via: route.via })),
  };
}

/**
 * Everything `host` must look like at `revision`: the networks spanning it (overlays on its
 * integration bridge with their local VLAN, vlan networks on their provider bridge with
 * their VLAN id), its side of each overlay's tunnel mesh, its attachments and its operator
 * resources. A pure function of its input, in one canonical form (lists sorted, fields in a
 * fixed order), so equal inputs, in any order, give byte-identical JSON.
 * Throws DesiredStateInputError when the records contradict each other.
 */
export function buildDesiredState(input: DesiredStateInput): DesiredHostState {
  const { host, revision, localVlans } = input;
  if (!Number.isSafeInteger(revision) || revision < 1) throw new DesiredStateInputError(`revision ${revision} is not a positive integer`);
  const fleet = fleetWith(input.hosts, host);
  const records = indexUnique(input.networks, (n) => n.name, 'network');
  const spanning = [...records.values()].filter((network) => spans(network, host)).sort(byKey((n) => n.name));
  const networks = spanning.map((network) => desiredNetwork(network, host, fleet, localVlans));
  const placed = new Map(networks.map((network) => [network.name, network]));
  const attachments = [...indexUnique(input.attachments, (a) => a.id, 'attachment').values()];

  return {
    schema: DESIRED_STATE_SCHEMA,
    hostId: host.id,
    revision,
    integrationBridge: { name: host.integrationBridge, datapathType: host.datapathType },
    tunnelIp: host.tunnelIp,
    networks,
    tunnels: meshTunnels(host, spanning, fleet, localVlans),
    attachments: attachments.map((a) => desiredAttachment(a, host, records, placed)).sort(byKey((a) => a.id)),
    operator: canonicalOperatorResources(input.operator),
  };
}
