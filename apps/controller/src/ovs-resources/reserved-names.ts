import { HOST_IF_PREFIX } from '@ovs-fleet/plumbing';

/**
 * Name prefixes of the ports the fleet makes on its own: the mesh's tunnel ports
 * (tunnelPortName: `ovt-` and a hash) and the host-side veth end of every attachment
 * (libs/plumbing's hostIfname). Which names they take depends on networks, hosts and
 * containers yet to come, so an operator resource may take none of them.
 */
export const GENERATED_NAME_PREFIXES: readonly { prefix: string; what: string }[] = [
  { prefix: 'ovt-', what: 'the tunnel ports of overlay networks' },
  { prefix: HOST_IF_PREFIX, what: 'the host-side veths of container attachments' },
];

/** Why `name` belongs to the fleet's generated ports, or null when an operator may use it. */
export function generatedNameProblem(name: string): string | null {
  const taken = GENERATED_NAME_PREFIXES.find(({ prefix }) => name.startsWith(prefix));
  return taken ? `names starting with "${taken.prefix}" are reserved for ${taken.what}` : null;
}
