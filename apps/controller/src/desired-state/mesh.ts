import {
  isOverlay,
  resolveTunnels,
  type DesiredNetwork,
  type DesiredTunnel,
  type HostRecord,
  type MeshMember,
  type NetworkMesh,
  type NetworkRecord,
} from '@ovs-fleet/contracts';
import { addressFamily } from './address-family';
import { fleetView, type FleetView } from './fleet-view';
import { spans } from './host-selector';
import { localVlanOf } from './local-vlan-of';

/** The members of an overlay network's mesh: every host it spans, sorted by id. */
export function meshMembers(view: FleetView, network: string): MeshMember[] {
  return (view.spanned.get(network) ?? []).map((host) => ({ host: host.id, tunnelIp: host.tunnelIp }));
}

/** Whether two member lists are the same (both sorted by host id). */
export function sameMembers(a: readonly MeshMember[], b: readonly MeshMember[]): boolean {
  return a.length === b.length && a.every((member, i) => member.host === b[i].host && member.tunnelIp === b[i].tunnelIp);
}

/**
 * The meshes of every overlay network of the view, each at the revision it will carry: the
 * stored one when its members did not change, one more when they did (1 for a new network).
 */
export function nextMeshes(view: FleetView, stored: ReadonlyMap<string, NetworkMesh>): Map<string, NetworkMesh> {
  const meshes = new Map<string, NetworkMesh>();
  for (const network of view.networks) {
    if (!isOverlay(network.type)) continue;
    const members = meshMembers(view, network.name);
    const before = stored.get(network.name);
    const revision = before === undefined ? 1 : sameMembers(before.members, members) ? before.revision : before.revision + 1;
    meshes.set(network.name, { network: network.name, revision, members });
  }
  return meshes;
}

/**
 * The tunnels `host` needs (the agent resolves the same from the stored meshes, with
 * resolveTunnels): for each overlay network spanning it, one port to every other spanned host
 * whose tunnel address has the same family, keyed with the segment id and tagged with the
 * network's local VLAN. Sorted by network, then remote host.
 */
export function meshTunnels(
  host: HostRecord,
  networks: readonly NetworkRecord[],
  hosts: readonly HostRecord[],
  localVlans: Readonly<Record<string, number>>,
): DesiredTunnel[] {
  addressFamily(host.tunnelIp, `host ${host.id} tunnelIp`);
  const view = fleetView(hosts, networks);
  const overlays = view.networks.filter((network) => isOverlay(network.type) && spans(network, host));
  const placed: DesiredNetwork[] = overlays.map((network) => ({
    name: network.name,
    type: network.type,
    segmentId: network.segmentId,
    mtu: view.mtus.get(network.name) ?? 0,
    bridge: host.integrationBridge,
    tag: localVlanOf(localVlans, network.name, host.id),
    meshRevision: null,
  }));
  const meshes = new Map(overlays.map((network) => [network.name, { network: network.name, revision: 0, members: meshMembers(view, network.name) }]));
  return resolveTunnels({ hostId: host.id, tunnelIp: host.tunnelIp, networks: placed }, meshes);
}
