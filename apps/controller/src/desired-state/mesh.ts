import { isOverlay, tunnelPortName, type DesiredTunnel, type HostRecord, type NetworkRecord, type OverlayType } from '@ovs-fleet/contracts';
import { addressFamily } from './address-family';
import { spans } from './host-selector';
import { indexUnique } from './index-unique';
import { localVlanOf } from './local-vlan-of';
import { compareStrings } from './ordering';

/**
 * The tunnels `host` needs: for each overlay network spanning it, one port to every other
 * spanned host whose tunnel address has the same family (an IPv4 endpoint cannot reach an
 * IPv6 one), keyed with the segment id and tagged with the network's local VLAN. Every host
 * computes its side from the same records, so the mesh is symmetric. Sorted by network, then
 * remote host.
 */
export function meshTunnels(
  host: HostRecord,
  networks: readonly NetworkRecord[],
  hosts: readonly HostRecord[],
  localVlans: Readonly<Record<string, number>>,
): DesiredTunnel[] {
  const family = addressFamily(host.tunnelIp, `host ${host.id} tunnelIp`);
  const remotes = [...indexUnique(hosts, (h) => h.id, 'host').values()].filter(
    (remote) => remote.id !== host.id && addressFamily(remote.tunnelIp, `host ${remote.id} tunnelIp`) === family,
  );
  const overlays = [...indexUnique(networks, (n) => n.name, 'network').values()].filter((network) => isOverlay(network.type) && spans(network, host));

  const tunnels: DesiredTunnel[] = [];
  for (const network of overlays) {
    const tag = localVlanOf(localVlans, network.name, host.id);
    for (const remote of remotes) {
      if (!spans(network, remote)) continue;
      tunnels.push({
        port: tunnelPortName(network.name, remote.id),
        network: network.name,
        type: network.type as OverlayType,
        remoteHost: remote.id,
        remoteIp: remote.tunnelIp,
        localIp: host.tunnelIp,
        key: network.segmentId,
        tag,
      });
    }
  }
  return tunnels.sort((a, b) => compareStrings(a.network, b.network) || compareStrings(a.remoteHost, b.remoteHost));
}
