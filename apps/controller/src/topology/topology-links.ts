import { canTunnel, isOverlay, type HostRecord, type NetworkRecord } from '@ovs-fleet/contracts';
import { fleetView, meshMembers } from '../desired-state';
import { compareStrings } from '../desired-state/ordering';

/** One tunnel of an overlay network's mesh, between hosts `a` and `b` (a < b). */
export interface TopologyLink {
  network: string;
  a: string;
  b: string;
}

/**
 * The links of every overlay network's mesh, one per pair of its members (meshMembers, as the
 * agents get them) that canTunnel, as resolveTunnels decides on both sides. Sorted by network,
 * then a, then b.
 */
export function overlayLinks(hosts: readonly HostRecord[], networks: readonly NetworkRecord[]): TopologyLink[] {
  const view = fleetView(hosts, networks);
  const links: TopologyLink[] = [];
  for (const network of view.networks) {
    if (!isOverlay(network.type)) continue;
    const members = meshMembers(view, network.name);
    for (const [i, a] of members.entries()) {
      for (const b of members.slice(i + 1)) if (canTunnel(a, b)) links.push({ network: network.name, a: a.host, b: b.host });
    }
  }
  return links.sort((x, y) => compareStrings(x.network, y.network) || compareStrings(x.a, y.a) || compareStrings(x.b, y.b));
}
