/** Documents with their tunnels resolved as an agent resolves them, for specs that look at tunnels. */
import { isOverlay, resolveHostState, type DesiredTunnel, type HostRecord, type NetworkMesh, type NetworkRecord, type ResolvedHostState } from '@ovs-fleet/contracts';
import { buildDesiredState, type DesiredStateInput } from '../build-desired-state';
import { fleetView } from '../fleet-view';
import { meshMembers } from '../mesh';
import { noOperatorResources } from './records';

/** Mesh revision 1 for every overlay network: what a fleet's first change gives them. */
export function firstMeshRevisions(networks: readonly NetworkRecord[]): Record<string, number> {
  return Object.fromEntries(networks.filter((n) => isOverlay(n.type)).map((n) => [n.name, 1]));
}

export type ResolvedInput = Omit<DesiredStateInput, 'meshRevisions'> & { meshRevisions?: DesiredStateInput['meshRevisions'] };

/** buildDesiredState (mesh revisions 1 unless given), then its tunnels from the meshes of the same records. */
export function resolvedDesiredState(input: ResolvedInput): ResolvedHostState {
  const meshRevisions = input.meshRevisions ?? firstMeshRevisions(input.networks);
  const doc = buildDesiredState({ ...input, meshRevisions });
  const view = fleetView([...input.hosts.filter((h) => h.id !== input.host.id), input.host], input.networks);
  const meshes = new Map<string, NetworkMesh>(
    Object.entries(meshRevisions).map(([network, revision]) => [network, { network, revision, members: meshMembers(view, network) }]),
  );
  return resolveHostState(doc, meshes);
}

/**
 * The tunnels `host` gets among `hosts` (with or without it) from the overlay networks
 * spanning it, as its agent resolves them: for the mesh specs, which vary only these inputs.
 */
export function meshTunnels(host: HostRecord, networks: readonly NetworkRecord[], hosts: readonly HostRecord[], localVlans: Readonly<Record<string, number>>): DesiredTunnel[] {
  return resolvedDesiredState({ host, revision: 1, hosts, networks, attachments: [], localVlans, operator: noOperatorResources() }).tunnels;
}
