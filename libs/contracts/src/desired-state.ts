import type { ContainerRef, DatapathType, NetworkType, OperatorResources, OverlayType, RouteSpec } from './model';

/** Bumped when the document's shape changes incompatibly; an agent refuses a version it does not know. */
export const DESIRED_STATE_SCHEMA = 1;

/**
 * Everything one host must look like, at one revision: what the agent converges to.
 * Written whole by the controller at `hostDesired(hostId)`; the agent only reads it.
 */
export interface DesiredHostState {
  schema: typeof DESIRED_STATE_SCHEMA;
  hostId: string;
  /** Grows by one with every change that affects this host. */
  revision: number;
  integrationBridge: { name: string; datapathType: DatapathType };
  tunnelIp: string;
  networks: DesiredNetwork[];
  tunnels: DesiredTunnel[];
  attachments: DesiredAttachment[];
  operator: OperatorResources;
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
}

/** One tunnel port per (overlay network, remote host), tagged with the network's local VLAN. */
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
