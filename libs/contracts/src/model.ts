/**
 * The fleet's desired state as the controller stores it in Redis (one JSON record each).
 * Plain data: no behaviour, no framework types.
 */

export type DatapathType = 'system' | 'netdev';
export type OverlayType = 'vxlan' | 'geneve' | 'gre';
export type NetworkType = OverlayType | 'vlan';

export const NETWORK_TYPES: readonly NetworkType[] = ['vxlan', 'geneve', 'gre', 'vlan'];
export const OVERLAY_TYPES: readonly OverlayType[] = ['vxlan', 'geneve', 'gre'];

export function isOverlay(type: NetworkType): type is OverlayType {
  return type !== 'vlan';
}

export interface HostRecord {
  /** 1-63 lowercase letters, digits and '-' (see HOST_ID_PATTERN). */
  id: string;
  /** The host's tunnel endpoint on the underlay (IPv4 or IPv6). */
  tunnelIp: string;
  /** MTU of the underlay path between hosts; overlay MTUs are derived from it. */
  underlayMtu: number;
  labels: Record<string, string>;
  integrationBridge: string;
  datapathType: DatapathType;
  createdAt: string;
  updatedAt: string;
}

/** Which hosts a network spans: every host, or those whose labels include all of these. */
export type HostSelector = { all: true } | { labels: Record<string, string> };

export interface AllocationPool {
  /** First and last address (inclusive) the IPAM may hand out. */
  start: string;
  end: string;
}

export interface SubnetRecord {
  /** Canonical CIDR (network address, lowercase IPv6): also the subnet's IPAM identity. */
  cidr: string;
  /** The gateway address (never handed out), or null for a subnet without one. */
  gateway: string | null;
  /** Where addresses are allocated from; empty means the whole subnet less reserved addresses. */
  allocationPools: AllocationPool[];
}

export interface NetworkRecord {
  name: string;
  type: NetworkType;
  /** VNI (vxlan, geneve: 1..16777215), GRE key (1..4294967295) or VLAN id (1..4094). */
  segmentId: number;
  subnets: SubnetRecord[];
  mtu: number;
  /** True when the MTU was derived from the underlay (and follows it), false when given. */
  mtuDerived: boolean;
  hosts: HostSelector;
  /** `vlan` networks: the OVS bridge on each host that carries the provider segment. */
  providerBridge: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How the agent finds a container's network namespace (libs/plumbing's NamespaceRef). */
export type ContainerRef = { dockerContainer: string } | { pid: number } | { path: string } | { netns: string };

export interface RouteSpec {
  to: string;
  via: string | null;
}

export interface AttachmentRecord {
  id: string;
  network: string;
  host: string;
  container: ContainerRef;
  /** Interface name inside the container. */
  ifname: string;
  /** Unicast, locally administered unless given; stable for the attachment's life. */
  mac: string;
  /** Addresses with the subnet's prefix length, e.g. 198.18.0.5/24. */
  addresses: string[];
  /** Whether the container's default route goes through the subnets' gateways. */
  gateway: boolean;
  routes: RouteSpec[];
  createdAt: string;
}

/** Operator-managed OVS resources on one host (outside networks and attachments). */
export interface BridgeSpec {
  name: string;
  datapathType: DatapathType;
  failMode: 'standalone' | 'secure' | null;
  otherConfig: Record<string, string>;
}

export type PortKind = 'access' | 'trunk' | 'internal' | 'patch';
export type VlanMode = 'trunk' | 'access' | 'native-tagged' | 'native-untagged';

export interface PortSpec {
  name: string;
  bridge: string;
  kind: PortKind;
  tag: number | null;
  trunks: number[];
  vlanMode: VlanMode | null;
  /** `patch` ports: the peer port's name. */
  peer: string | null;
}

export interface TunnelSpec {
  name: string;
  bridge: string;
  type: OverlayType;
  remoteIp: string;
  localIp: string | null;
  key: number | null;
  dstPort: number | null;
  csum: boolean | null;
  tos: string | null;
  ttl: number | null;
}

export interface OperatorResources {
  bridges: BridgeSpec[];
  ports: PortSpec[];
  tunnels: TunnelSpec[];
}
