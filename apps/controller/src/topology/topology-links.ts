import { isOverlay, type HostRecord, type NetworkRecord } from '@ovs-fleet/contracts';
import { meshTunnels } from '../desired-state';
import { compareStrings } from '../desired-state/ordering';

/** One tunnel of an overlay network's mesh, between hosts `a` and `b` (a < b). */
export interface TopologyLink {
  network: string;
  a: string;
  b: string;
}

/**
 * The links of every overlay network's mesh, one per pair of hosts, taken from the same
 * meshTunnels the hosts' documents are built with (so hosts whose tunnel addresses are of
 * different families get no link, as they get no tunnel). Sorted by network, then a, then b.
 */
export function overlayLinks(hosts: readonly HostRecord[], networks: readonly NetworkRecord[]): TopologyLink[] {
  const overlays = networks.filter((n) => isOverlay(n.type));
  // local VLANs only decide the tunnels' tags, which a link does not show
  const anyVlans = Object.fromEntries(overlays.map((n) => [n.name, 0]));
  const links: TopologyLink[] = [];
  for (const host of hosts) {
    for (const tunnel of meshTunnels(host, overlays, hosts, anyVlans)) {
      if (compareStrings(host.id, tunnel.remoteHost) < 0) links.push({ network: tunnel.network, a: host.id, b: tunnel.remoteHost });
    }
  }
  return links.sort((x, y) => compareStrings(x.network, y.network) || compareStrings(x.a, y.a) || compareStrings(x.b, y.b));
}
