import {
  DESIRED_STATE_SCHEMA,
  tunnelPortName,
  type ContainerRef,
  type DesiredAttachment,
  type ResolvedHostState,
  type DesiredNetwork,
  type DesiredTunnel,
  type OverlayType,
} from '@ovs-fleet/contracts';

/** Test documents: overlay subnets from 198.18.0.0/15, underlay 203.0.113.0/24 (the project's rule). */
export const HOST_IP = '203.0.113.1';

export function hostIp(n: number): string {
  return `203.0.113.${n}`;
}

export function desiredHost(parts: Partial<ResolvedHostState> = {}): ResolvedHostState {
  return {
    schema: DESIRED_STATE_SCHEMA,
    hostId: 'h1',
    revision: 1,
    integrationBridge: { name: 'br-int', datapathType: 'netdev' },
    tunnelIp: HOST_IP,
    networks: [],
    tunnels: [],
    attachments: [],
    operator: { bridges: [], ports: [], tunnels: [] },
    ...parts,
  };
}

export function network(name: string, segmentId: number, tag: number, type: OverlayType = 'vxlan'): DesiredNetwork {
  return { name, type, segmentId, mtu: type === 'gre' ? 1462 : 1450, bridge: 'br-int', tag, meshRevision: 1 };
}

/** The tunnel of `net` to remote host `remote` (reached at hostIp(remoteIndex)). */
export function tunnel(net: DesiredNetwork, remote: string, remoteIndex: number): DesiredTunnel {
  return {
    port: tunnelPortName(net.name, remote),
    network: net.name,
    type: net.type === 'vlan' ? 'vxlan' : net.type,
    remoteHost: remote,
    remoteIp: hostIp(remoteIndex),
    localIp: HOST_IP,
    key: net.segmentId,
    tag: net.tag,
  };
}

/** Attachment `index` of `net` (its addresses 198.18.<tag>.<index + 10>/24, gateway .1). */
export function attachment(id: string, net: DesiredNetwork, container: ContainerRef, index: number, ifname = 'eth1'): DesiredAttachment {
  const octet = net.tag % 256;
  const host = index + 10;
  return {
    id,
    network: net.name,
    container,
    ifname,
    mac: `02:00:00:00:${octet.toString(16).padStart(2, '0')}:${host.toString(16).padStart(2, '0')}`,
    mtu: net.mtu,
    bridge: net.bridge,
    tag: net.tag,
    addresses: [`198.18.${octet}.${host}/24`],
    gateway: `198.18.${octet}.1`,
    gateway6: null,
    routes: [],
  };
}
