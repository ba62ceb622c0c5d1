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
import { fleetView, type FleetView } from './fleet-view';
import { spans } from './host-selector';
import { indexUnique } from './index-unique';
import { localVlanOf } from './local-vlan-of';
import { canonicalOperatorResources } from './operator-resources';
import { byKey } from './ordering';

/** What one host's document is built from, beside the fleet (FleetView). */
export interface HostDocumentInput {
  host: HostRecord;
  revision: number;
  /** This host's attachments. */
  attachments: readonly AttachmentRecord[];
  /** This host's local VLANs (assignLocalVlans), one for each overlay network spanning it. */
  localVlans: Readonly<Record<string, number>>;
  /** The revision of each overlay network's mesh (nextMeshes), by network name. */
  meshRevisions: Readonly<Record<string, number>>;
  operator: OperatorResources;
}

export interface DesiredStateInput extends HostDocumentInput {
  /** Every host of the fleet (`host` included or not: `host` wins over a record with its id). */
  hosts: readonly HostRecord[];
  /** Every network of the fleet. */
  networks: readonly NetworkRecord[];
}

/** The fleet's hosts with `host` as given, so that a host being registered or changed counts as it will be. */
function fleetWith(hosts: readonly HostRecord[], host: HostRecord): HostRecord[] {
  return [...indexUnique(hosts, (h) => h.id, 'host').values()].filter((h) => h.id !== host.id).concat(host);
}

function meshRevisionOf(meshRevisions: Readonly<Record<string, number>>, network: string): number {
  if (!Object.hasOwn(meshRevisions, network)) throw new DesiredStateInputError(`network "${network}" has no mesh revision`);
  return meshRevisions[network];
}

function desiredNetwork(network: NetworkRecord, view: FleetView, input: HostDocumentInput): DesiredNetwork {
  const { host } = input;
  const common = { name: network.name, type: network.type, segmentId: network.segmentId, mtu: view.mtus.get(network.name) as number };
  if (isOverlay(network.type)) {
    return { ...common, bridge: host.integrationBridge, tag: localVlanOf(input.localVlans, network.name, host.id), meshRevision: meshRevisionOf(input.meshRevisions, network.name) };
  }
  if (network.providerBridge === null) throw new DesiredStateInputError(`vlan network "${network.name}" has no provider bridge`);
  return { ...common, bridge: network.providerBridge, tag: network.segmentId, meshRevision: null };
}

interface BuiltAttachment {
  record: NetworkRecord;
  network: Pick<DesiredNetwork, 'mtu' | 'bridge' | 'tag'>;
  built: DesiredAttachment;
}

/**
 * The last document entry built for each attachment record object, with what it was built
 * from. The controller keeps the records it has read from one batch to the next, so a host's
 * document is rebuilt at the cost of its changed attachments, not of all of them. Entries are
 * frozen: documents share them.
 */
const builtAttachments = new WeakMap<AttachmentRecord, BuiltAttachment>();

function desiredAttachment(attachment: AttachmentRecord, host: HostRecord, view: FleetView, placed: ReadonlyMap<string, DesiredNetwork>): DesiredAttachment {
  if (attachment.host !== host.id) throw new DesiredStateInputError(`attachment "${attachment.id}" belongs to host "${attachment.host}", not "${host.id}"`);
  const record = view.networkByName.get(attachment.network);
  if (!record) throw new DesiredStateInputError(`attachment "${attachment.id}" is on network "${attachment.network}", which does not exist`);
  const network = placed.get(attachment.network);
  if (!network) throw new DesiredStateInputError(`attachment "${attachment.id}" is on network "${attachment.network}", which does not span host "${host.id}"`);
  const last = builtAttachments.get(attachment);
  if (last && last.record === record && last.network.mtu === network.mtu && last.network.bridge === network.bridge && last.network.tag === network.tag) return last.built;
  const built = deepFreeze(attachmentEntry(attachment, record, network));
  builtAttachments.set(attachment, { record, network: { mtu: network.mtu, bridge: network.bridge, tag: network.tag }, built });
  return built;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function attachmentEntry(attachment: AttachmentRecord, record: NetworkRecord, network: DesiredNetwork): DesiredAttachment {
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
 * Everything `input.host` must look like at `input.revision`, in a fleet described by `view`
 * (which must hold the host as given): the networks spanning it (overlays on its integration
 * bridge with their local VLAN and mesh revision, vlan networks on their provider bridge with
 * their VLAN id), its attachments and its operator resources. Its tunnels are not listed:
 * the agent resolves them from the meshes (resolveTunnels). A pure function of its input, in
 * one canonical form (lists sorted, fields in a fixed order), so equal inputs, in any order,
 * give byte-identical JSON. Throws DesiredStateInputError when the records contradict each other.
 */
export function buildHostDocument(view: FleetView, input: HostDocumentInput): DesiredHostState {
  const { host, revision } = input;
  if (!Number.isSafeInteger(revision) || revision < 1) throw new DesiredStateInputError(`revision ${revision} is not a positive integer`);
  const networks = view.networks.filter((network) => spans(network, host)).map((network) => desiredNetwork(network, view, input));
  const placed = new Map(networks.map((network) => [network.name, network]));
  const attachments = [...indexUnique(input.attachments, (a) => a.id, 'attachment').values()];
  return {
    schema: DESIRED_STATE_SCHEMA,
    hostId: host.id,
    revision,
    integrationBridge: { name: host.integrationBridge, datapathType: host.datapathType },
    tunnelIp: host.tunnelIp,
    networks,
    attachments: attachments.map((a) => desiredAttachment(a, host, view, placed)).sort(byKey((a) => a.id)),
    operator: canonicalOperatorResources(input.operator),
  };
}

/** One host's document with the fleet given as records (buildHostDocument over a view made for it). */
export function buildDesiredState(input: DesiredStateInput): DesiredHostState {
  return buildHostDocument(fleetView(fleetWith(input.hosts, input.host), input.networks), input);
}
