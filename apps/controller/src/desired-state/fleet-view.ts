import type { HostRecord, NetworkRecord } from '@ovs-fleet/contracts';
import { addressFamily } from './address-family';
import { spannedHosts } from './host-selector';
import { indexUnique } from './index-unique';
import { effectiveMtu } from './mtu';
import { byKey } from './ordering';

/**
 * What every host's document is built from that does not depend on the host: computed once
 * per change, so that building the documents of N hosts costs N times a host's own share and
 * not N times the fleet.
 */
export interface FleetView {
  hosts: ReadonlyMap<string, HostRecord>;
  /** Sorted by name. */
  networks: readonly NetworkRecord[];
  networkByName: ReadonlyMap<string, NetworkRecord>;
  /** Per network, the hosts it spans, sorted by id. */
  spanned: ReadonlyMap<string, readonly HostRecord[]>;
  /** Per network, the MTU of its interfaces (given, or derived from the spanned hosts' underlay). */
  mtus: ReadonlyMap<string, number>;
}

/** Throws DesiredStateInputError when two records share a key or a tunnel address is not an IP address. */
export function fleetView(hosts: readonly HostRecord[], networks: readonly NetworkRecord[]): FleetView {
  const byId = indexUnique(hosts, (h) => h.id, 'host');
  const sortedHosts = [...byId.values()].sort(byKey((h) => h.id));
  for (const host of sortedHosts) addressFamily(host.tunnelIp, `host ${host.id} tunnelIp`);
  const networkByName = indexUnique(networks, (n) => n.name, 'network');
  const sortedNetworks = [...networkByName.values()].sort(byKey((n) => n.name));
  const spanned = new Map(sortedNetworks.map((network) => [network.name, spannedHosts(network, sortedHosts)]));
  const mtus = new Map(sortedNetworks.map((network) => [network.name, effectiveMtu(network, spanned.get(network.name) ?? [])]));
  return { hosts: byId, networks: sortedNetworks, networkByName, spanned, mtus };
}
