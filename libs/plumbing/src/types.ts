/**
 * Public shapes of the plumbing library: what a caller asks for, and what it gets back.
 */

/** How to find a container's network namespace. Anything else is refused. */
export type NamespaceRef =
  | { dockerContainer: string; dockerSocket?: string }
  | { pid: number }
  | { path: string }
  | { netns: string };

/** A resolved namespace: either a process's (/proc/PID/ns/net) or a named one (/var/run/netns/NAME). */
export type NamespaceTarget = { kind: 'pid'; pid: number; path: string } | { kind: 'netns'; name: string; path: string };

export interface ResolvedContainer {
  /** Stable identity: the engine's full id, or `pid-N` / `netns-NAME` for bare namespaces (unless given). */
  id: string;
  /** Human name (engine name without '/', or the namespace name), '' when there is none. */
  name: string;
  /** What the caller typed (ovs-docker's `container_id`). */
  typed: string;
  target: NamespaceTarget;
  /** Inode of the namespace when resolved: tells a reused PID from the original process. */
  netnsInode: number;
}

export interface RouteRequest {
  /** Destination prefix, e.g. 10.20.0.0/16 or fd00:20::/64. */
  to: string;
  /** Next hop; must lie inside one of the interface's prefixes. Without it: an on-link route. */
  via?: string;
}

export interface AttachRequest {
  container: NamespaceRef;
  /** Identity override for `pid`/`path`/`netns` refs (e.g. the orchestrator's container id). */
  containerId?: string;
  /** OVS bridge that must already exist. */
  bridge: string;
  /** Interface name inside the container: eth0, eth1, ... */
  ifname: string;
  /** Given, or generated deterministically (locally administered) from (container id, ifname). */
  mac?: string;
  /** Set on both ends of the veth (and as the OVS Interface's mtu_request). */
  mtu?: number;
  /** IPv4 and IPv6 addresses with prefix lengths. */
  addresses?: string[];
  /** Default IPv4 gateway: must lie inside one of the IPv4 addresses' prefixes. */
  gateway?: string;
  /** Default IPv6 gateway: must lie inside one of the IPv6 prefixes (or be link-local). */
  gateway6?: string;
  routes?: RouteRequest[];
  /** Access VLAN (1-4094). Exclusive with `trunks`. */
  tag?: number;
  /** Trunk VLANs (0-4095). Exclusive with `tag`. */
  trunks?: number[];
  /** Gratuitous ARP / unsolicited NA when the link comes up (default true). */
  announce?: boolean;
}

/** What an attachment looks like once validated and resolved: the unit of idempotency. */
export interface AttachSpec {
  containerId: string;
  bridge: string;
  ifname: string;
  mac: string;
  mtu: number | null;
  addresses: string[];
  gateway: string | null;
  gateway6: string | null;
  routes: { to: string; via: string | null }[];
  tag: number | null;
  trunks: number[];
  announce: boolean;
}

export interface Attachment {
  attachmentId: string;
  containerId: string;
  containerName: string;
  /** What the caller typed to name the container. */
  containerRef: string;
  ifname: string;
  bridge: string;
  /** Host-side veth end, also the OVS port and interface name. */
  hostIfname: string;
  /** How to reach the namespace again: /proc/PID/ns/net or /var/run/netns/NAME. */
  netnsPath: string;
  netnsInode: number;
  spec: AttachSpec;
  /** `pending` while an attach is under way (or was interrupted), then `ready`. */
  state: 'pending' | 'ready';
}
