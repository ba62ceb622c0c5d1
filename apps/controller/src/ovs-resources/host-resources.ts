import type { BridgeSpec, HostRecord, NetworkRecord, OperatorResources, PortSpec, TunnelSpec } from '@ovs-fleet/contracts';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { spans } from '../desired-state';
import { generatedNameProblem } from './reserved-names';

/** What decides whether an operator resource fits on a host. */
export interface HostOvsContext {
  host: HostRecord;
  resources: OperatorResources;
  /** The vlan networks spanning the host: their provider bridges are on it. */
  vlanNetworks: readonly NetworkRecord[];
}

export function hostOvsContext(host: HostRecord, resources: OperatorResources, networks: readonly NetworkRecord[]): HostOvsContext {
  return { host, resources, vlanNetworks: networks.filter((n) => n.type === 'vlan' && n.providerBridge !== null && spans(n, host)) };
}

export interface Removed<T> {
  resources: OperatorResources;
  removed: T;
}

/**
 * Bridges and ports share one namespace in OVS. What already holds `name` on the host (its
 * integration bridge, an operator bridge, port or tunnel), in words, or null when it is free.
 */
function holderOf(ctx: HostOvsContext, name: string): string | null {
  if (name === ctx.host.integrationBridge) return 'the integration bridge';
  if (ctx.resources.bridges.some((b) => b.name === name)) return 'an operator bridge';
  if (ctx.resources.ports.some((p) => p.name === name)) return 'an operator port';
  if (ctx.resources.tunnels.some((t) => t.name === name)) return 'an operator tunnel';
  return null;
}

/**
 * 409 on `name` when the host already has something by that name, or the fleet generates
 * names like it. A provider bridge's name is taken for ports and tunnels; a bridge may take
 * it, since making the provider bridge is what an operator bridge of that name is for.
 */
function claimName(ctx: HostOvsContext, name: string, as: 'bridge' | 'port'): void {
  const generated = generatedNameProblem(name);
  if (generated) throw new ConflictError('name', generated);
  const holder = holderOf(ctx, name);
  if (holder) throw new ConflictError('name', `${name} is already ${holder} on host ${ctx.host.id}`);
  const provider = ctx.vlanNetworks.find((n) => n.providerBridge === name);
  if (provider && as === 'port') throw new ConflictError('name', `${name} is the provider bridge of vlan network ${provider.name} on host ${ctx.host.id}`);
}

/** The bridges ports and tunnels may go on: the integration bridge, operator bridges, provider bridges. */
function requireBridge(ctx: HostOvsContext, bridge: string): void {
  if (bridge === ctx.host.integrationBridge || ctx.resources.bridges.some((b) => b.name === bridge)) return;
  if (ctx.vlanNetworks.some((n) => n.providerBridge === bridge)) return;
  const holder = holderOf(ctx, bridge);
  if (holder) throw new ConflictError('bridge', `${bridge} is ${holder} on host ${ctx.host.id}, not a bridge`);
  throw new NotFoundError(
    'bridge',
    `host ${ctx.host.id} has no bridge ${bridge}: use its integration bridge (${ctx.host.integrationBridge}), one of its operator bridges or the provider bridge of a vlan network on it`,
  );
}

/** ovs-vswitchd keeps one tunnel per (type, endpoints, key, UDP port) on a datapath: a second one fails there. */
function sameTunnelConfig(a: TunnelSpec, b: TunnelSpec): boolean {
  return a.type === b.type && a.remoteIp === b.remoteIp && a.localIp === b.localIp && (a.key ?? 0) === (b.key ?? 0) && a.dstPort === b.dstPort;
}

export function addBridge(ctx: HostOvsContext, bridge: BridgeSpec): OperatorResources {
  claimName(ctx, bridge.name, 'bridge');
  return { ...ctx.resources, bridges: [...ctx.resources.bridges, bridge] };
}

export function addPort(ctx: HostOvsContext, port: PortSpec): OperatorResources {
  claimName(ctx, port.name, 'port');
  requireBridge(ctx, port.bridge);
  return { ...ctx.resources, ports: [...ctx.resources.ports, port] };
}

export function addTunnel(ctx: HostOvsContext, tunnel: TunnelSpec): OperatorResources {
  claimName(ctx, tunnel.name, 'port');
  requireBridge(ctx, tunnel.bridge);
  const twin = ctx.resources.tunnels.find((t) => sameTunnelConfig(t, tunnel));
  if (twin) throw new ConflictError('remoteIp', `tunnel ${twin.name} on host ${ctx.host.id} already has this type, remoteIp, localIp, key and dstPort`);
  return { ...ctx.resources, tunnels: [...ctx.resources.tunnels, tunnel] };
}

/** The operator resource called `name` among `items` of host `hostId` (404 on `name` when none is). */
export function namedResource<T extends { name: string }>(items: readonly T[], hostId: string, what: 'bridge' | 'port' | 'tunnel', name: string): T {
  const item = items.find((i) => i.name === name);
  if (!item) throw new NotFoundError('name', `host ${hostId} has no operator ${what} ${name}`);
  return item;
}

/** 409 while a port, tunnel or vlan network still uses the bridge. */
export function removeBridge(ctx: HostOvsContext, name: string): Removed<BridgeSpec> {
  const removed = namedResource(ctx.resources.bridges, ctx.host.id, 'bridge', name);
  const users = [...ctx.resources.ports.filter((p) => p.bridge === name).map((p) => `port ${p.name}`), ...ctx.resources.tunnels.filter((t) => t.bridge === name).map((t) => `tunnel ${t.name}`)];
  if (users.length > 0) throw new ConflictError('name', `bridge ${name} on host ${ctx.host.id} still carries ${users.join(', ')}; delete them first`);
  const network = ctx.vlanNetworks.find((n) => n.providerBridge === name);
  if (network) throw new ConflictError('name', `bridge ${name} is the provider bridge of vlan network ${network.name} on host ${ctx.host.id}`);
  return { resources: { ...ctx.resources, bridges: ctx.resources.bridges.filter((b) => b !== removed) }, removed };
}

export function removePort(ctx: HostOvsContext, name: string): Removed<PortSpec> {
  const removed = namedResource(ctx.resources.ports, ctx.host.id, 'port', name);
  return { resources: { ...ctx.resources, ports: ctx.resources.ports.filter((p) => p !== removed) }, removed };
}

export function removeTunnel(ctx: HostOvsContext, name: string): Removed<TunnelSpec> {
  const removed = namedResource(ctx.resources.tunnels, ctx.host.id, 'tunnel', name);
  return { resources: { ...ctx.resources, tunnels: ctx.resources.tunnels.filter((t) => t !== removed) }, removed };
}
