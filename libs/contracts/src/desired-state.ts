import type { ContainerRef, DatapathType, NetworkType, OperatorResources, OverlayType, RouteSpec } from './model';

/** Bumped when the document's shape changes incompatibly; an agent refuses a version it does not know. */
export const DESIRED_STATE_SCHEMA = 2;

/**
 * Everything one host must look like, at one revision: what the agent converges to.
 * Written whole by the controller at `hostDesired(hostId)`; the agent only reads it. Its
 * tunnels are not listed: they follow from the meshes of its overlay networks
 * (`NetworkMesh`, `resolveHostState`).
 */
export interface DesiredHostState {
  schema: typeof DESIRED_STATE_SCHEMA;
  hostId: string;
  /** Grows by one with every change that affects this host. */
  revision: number;
  integrationBridge: { name: string; datapathType: DatapathType };
  tunnelIp: string;
  networks: DesiredNetwork[];
  attachments: DesiredAttachment[];
  operator: OperatorResources;
}

/** A document with its tunnels resolved from its networks' meshes: what the agent plans with. */
export interface ResolvedHostState extends DesiredHostState {
  tunnels: DesiredTunnel[];
}

export interface DesiredNetwork {
  name: string;
  type: NetworkType;
  segmentId: number;
  mtu: number;
  /** Where this network's ports live on the host: the integration bridge, or a vlan network's provider bridge. */
  bridge: string;
  /** The access VLAN of its ports on that bridge: the host-local VLAN (overlays) or the segment's VLAN id (vlan). */
  tag: number;
  /** Overlays: the revision of the network's mesh (`NetworkMesh`) this document was built with; null for vlan networks. */
  meshRevision: number | null;
}

/** One tunnel port per (overlay network, remote host), tagged with the network's local VLAN (resolveTunnels). */
export interface DesiredTunnel {
  /** OVS port and interface name (tunnelPortName()). */
  port: string;
  network: string;
  type: OverlayType;
  remoteHost: string;
  remoteIp: string;
  localIp: string;
  /** VNI or GRE key: the network's segment id. */
  key: number;
  /** The network's local VLAN on this host. */
  tag: number;
}

export interface DesiredAttachment {
  id: string;
  network: string;
  container: ContainerRef;
  ifname: string;
  mac: string;
  mtu: number;
  bridge: string;
  tag: number;
  addresses: string[];
  /** Default IPv4 / IPv6 gateways, when the attachment routes through the subnet's gateway. */
  gateway: string | null;
  gateway6: string | null;
  routes: RouteSpec[];
}
