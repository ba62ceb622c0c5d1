import { LocalVlansExhaustedError } from './errors';
import { compareStrings } from './ordering';

export const LOCAL_VLAN_MIN = 1;
export const LOCAL_VLAN_MAX = 4094;

function inVlanRange(vlan: number): boolean {
  return Number.isInteger(vlan) && vlan >= LOCAL_VLAN_MIN && vlan <= LOCAL_VLAN_MAX;
}

/**
 * One host's local VLANs (network name to VLAN id on its integration bridge), as Neutron's
 * OVS agent keeps them: an id, once given, stays with its network for as long as the network
 * is on the host, so that its ports and tunnels are never re-tagged. Networks no longer in
 * `networks` lose theirs; each new one (in name order) gets the lowest id not in use and not
 * in `reserved` (the VLAN ids of `vlan` networks).
 *
 * An existing id is given up only when it cannot be kept: out of 1..4094, reserved since, or
 * held by two networks (the one first by name keeps it). The result has its keys in name order.
 * Throws LocalVlansExhaustedError when the ids run out.
 */
export function assignLocalVlans(current: Readonly<Record<string, number>>, networks: readonly string[], reserved: ReadonlySet<number>): Record<string, number> {
  const wanted = [...new Set(networks)].sort(compareStrings);
  const present = new Set(wanted);
  const assigned = new Map<string, number>();
  const used = new Set<number>();

  for (const [network, vlan] of Object.entries(current).sort(([a], [b]) => compareStrings(a, b))) {
    if (!present.has(network) || !inVlanRange(vlan) || reserved.has(vlan) || used.has(vlan)) continue;
    assigned.set(network, vlan);
    used.add(vlan);
  }

  let candidate = LOCAL_VLAN_MIN;
  for (const network of wanted) {
    if (assigned.has(network)) continue;
    while (candidate <= LOCAL_VLAN_MAX && (used.has(candidate) || reserved.has(candidate))) candidate += 1;
    if (candidate > LOCAL_VLAN_MAX) {
      throw new LocalVlansExhaustedError(network, used.size, [...reserved].filter(inVlanRange).length);
    }
    assigned.set(network, candidate);
    used.add(candidate);
  }

  return Object.fromEntries(wanted.map((network) => [network, assigned.get(network) as number]));
}
