import { isIP } from 'node:net';
import { FleetError } from '@ovs-fleet/errors';
import type { DesiredHostState, DesiredTunnel, ResolvedHostState } from './desired-state';
import { isOverlay, type OverlayType } from './model';
import { tunnelPortName } from './names';

/** One host of an overlay network's mesh: every host the network spans. */
export interface MeshMember {
  host: string;
  /** The host's tunnel endpoint on the underlay. */
  tunnelIp: string;
}

/**
 * The members of one overlay network's tunnel mesh, written once by the controller at
 * `networkMesh(name)` and read by the agent of every member, instead of every host's document
 * listing its tunnels to every other host (a 1,000-host mesh would be a million entries).
 * `revision` grows whenever the members or their addresses change; a host's document names
 * the revision it was built with (`DesiredNetwork.meshRevision`), so a change of the mesh is
 * a change of every member's document, and a job for each.
 */
export interface NetworkMesh {
  network: string;
  revision: number;
  /** Sorted by host id. */
  members: MeshMember[];
}

/** Why a document's tunnels cannot be resolved from the meshes read with it: read both again. */
export class MeshResolutionError extends FleetError {
  readonly code = 'MESH_UNRESOLVED';
  override readonly retryable = true;

  constructor(readonly network: string, message: string) {
    super(message);
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The tunnels `doc`'s host needs: for each overlay network of the document, one port to every
 * other member of its mesh whose tunnel address has the same family (an IPv4 endpoint cannot
 * reach an IPv6 one), keyed with the segment id and tagged with the network's local VLAN.
 * Every member computes its side from the same mesh, so the mesh is symmetric. Sorted by
 * network, then remote host. A mesh older than the document's `meshRevision`, or missing, is
 * a MeshResolutionError (the document and the mesh were read across a change: read again).
 */
/** Whether two members of a mesh get a tunnel between them: only if their tunnel addresses are of one family (IPv4 or IPv6). */
export function canTunnel(a: Pick<MeshMember, 'tunnelIp'>, b: Pick<MeshMember, 'tunnelIp'>): boolean {
  return isIP(a.tunnelIp) === isIP(b.tunnelIp);
}

export function resolveTunnels(doc: Pick<DesiredHostState, 'hostId' | 'tunnelIp' | 'networks'>, meshes: ReadonlyMap<string, NetworkMesh>): DesiredTunnel[] {
  const tunnels: DesiredTunnel[] = [];
  for (const network of doc.networks) {
    if (!isOverlay(network.type)) continue;
    const mesh = meshes.get(network.name);
    if (!mesh) throw new MeshResolutionError(network.name, `network "${network.name}" has no mesh`);
    if (network.meshRevision !== null && mesh.revision < network.meshRevision) {
      throw new MeshResolutionError(network.name, `network "${network.name}": mesh revision ${mesh.revision} is older than the document's ${network.meshRevision}`);
    }
    for (const member of mesh.members) {
      if (member.host === doc.hostId || !canTunnel(member, doc)) continue;
      tunnels.push({
        port: tunnelPortName(network.name, member.host),
        network: network.name,
        type: network.type as OverlayType,
        remoteHost: member.host,
        remoteIp: member.tunnelIp,
        localIp: doc.tunnelIp,
        key: network.segmentId,
        tag: network.tag,
      });
    }
  }
  return tunnels.sort((a, b) => compare(a.network, b.network) || compare(a.remoteHost, b.remoteHost));
}

/** The document with its tunnels resolved from the meshes of its overlay networks. */
export function resolveHostState(doc: DesiredHostState, meshes: ReadonlyMap<string, NetworkMesh>): ResolvedHostState {
  return { ...doc, tunnels: resolveTunnels(doc, meshes) };
}

/** The overlay networks whose meshes `doc` needs. */
export function meshNetworks(doc: DesiredHostState): string[] {
  return doc.networks.filter((network) => isOverlay(network.type)).map((network) => network.name);
}
