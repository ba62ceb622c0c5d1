import { isOverlay, type MeshMember, type NetworkMesh } from '@ovs-fleet/contracts';
import type { FleetView } from './fleet-view';

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
