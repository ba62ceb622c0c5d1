import {
  DESIRED_STATE_SCHEMA,
  ownedExternalIds as owned,
  type ContainerRef,
  type DatapathType,
  type DesiredAttachment,
  type ResolvedHostState,
  type PortSpec,
  type TunnelSpec,
  type VlanMode,
} from '@ovs-fleet/contracts';
import { assertInterfaceName } from '@ovs-fleet/iproute';
import { OvsdbValidationError, tunnelInterface, type TunnelSpec as InterfaceTunnelSpec } from '@ovs-fleet/ovsdb';
import { assertNamespaceRef, buildSpec, hostIfname, validateAttachRequest, ValidationError, type AttachRequest, type AttachSpec } from '@ovs-fleet/plumbing';
import { DesiredStateError } from './errors';
import type { PlannedInterface, StringMap } from './types';

/** A bridge as the fleet wants it. `undefined` settings are not managed (left as they are). */
export interface WantedBridge {
  resource: 'bridge';
  name: string;
  datapathType: DatapathType;
  failMode: 'standalone' | 'secure' | null | undefined;
  otherConfig: StringMap | undefined;
  externalIds: StringMap;
  label: string;
}

/** A port (one interface named like it) as the fleet wants it; every column here is managed. */
export interface WantedPort {
  resource: 'tunnel' | 'port' | 'operator-tunnel';
  name: string;
  bridge: string;
  tag: number | null;
  trunks: number[];
  vlanMode: VlanMode | null;
  protected: boolean;
  externalIds: StringMap;
  iface: PlannedInterface;
  label: string;
}

export interface WantedAttachment {
  id: string;
  request: AttachRequest;
  /** What libs/plumbing will record for the request (its normalised form): compared with the record. */
  spec: AttachSpec;
  /** What the record's `containerRef` holds when attached through `request.container`. */
  containerRef: string;
  hostIfname: string;
  label: string;
}

export interface WantedHost {
  bridges: WantedBridge[];
  ports: WantedPort[];
  attachments: WantedAttachment[];
}

/**
 * Plumbing records the fleet's attachment id as the container id (the `containerId` override),
 * so it must be one: 1-128 letters, digits, '_', '.', ':' or '-', starting with a letter or digit.
 */
const ATTACHMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const mark = (role: string, extra: Record<string, string> = {}): StringMap => ({ [owned.OWNER]: owned.OWNER_VALUE, [owned.ROLE]: role, ...extra });

/**
 * The rows and attachments a desired-state document asks for, checked: any problem throws
 * DesiredStateError naming the field (names shared by bridges and ports, as in OVS, are one
 * namespace; tunnel keys and addresses, VLANs and attachment requests are validated as the
 * command layer and libs/plumbing would).
 */
export function wantedHost(desired: ResolvedHostState): WantedHost {
  if (desired.schema !== DESIRED_STATE_SCHEMA) throw new DesiredStateError('schema', `${JSON.stringify(desired.schema)} is not schema ${DESIRED_STATE_SCHEMA}`);
  const names = new NameRegistry();
  const bridges: WantedBridge[] = [];
  const ports: WantedPort[] = [];

  const integration = desired.integrationBridge;
  names.claim(interfaceName(integration.name, 'integrationBridge.name'), 'integrationBridge.name');
  bridges.push({
    resource: 'bridge',
    name: integration.name,
    datapathType: datapathType(integration.datapathType, 'integrationBridge.datapathType'),
    failMode: undefined,
    otherConfig: undefined,
    externalIds: mark('bridge'),
    label: 'integration bridge',
  });
  desired.operator.bridges.forEach((bridge, i) => {
    const field = `operator.bridges[${i}]`;
    names.claim(interfaceName(bridge.name, `${field}.name`), `${field}.name`);
    if (bridge.failMode !== null && bridge.failMode !== 'standalone' && bridge.failMode !== 'secure') throw new DesiredStateError(`${field}.failMode`, `${JSON.stringify(bridge.failMode)} is not standalone, secure or null`);
    bridges.push({
      resource: 'bridge',
      name: bridge.name,
      datapathType: datapathType(bridge.datapathType, `${field}.datapathType`),
      failMode: bridge.failMode,
      otherConfig: { ...bridge.otherConfig },
      externalIds: mark('bridge'),
      label: 'operator bridge',
    });
  });

  desired.tunnels.forEach((tunnel, i) => {
    const field = `tunnels[${i}]`;
    names.claim(interfaceName(tunnel.port, `${field}.port`), `${field}.port`);
    ports.push({
      resource: 'tunnel',
      name: tunnel.port,
      bridge: integration.name,
      tag: vlan(tunnel.tag, `${field}.tag`, 1, 4094),
      trunks: [],
      vlanMode: null,
      // Split horizon: no forwarding between two tunnel ports, so a full mesh cannot loop.
      protected: true,
      externalIds: mark('tunnel', { [owned.NETWORK]: tunnel.network, [owned.REMOTE_HOST]: tunnel.remoteHost }),
      iface: tunnelIface({ name: tunnel.port, type: tunnel.type, remoteIp: tunnel.remoteIp, localIp: tunnel.localIp, key: tunnel.key }, field),
      label: `network ${tunnel.network} to host ${tunnel.remoteHost}`,
    });
  });
  desired.operator.ports.forEach((port, i) => {
    const field = `operator.ports[${i}]`;
    names.claim(interfaceName(port.name, `${field}.name`), `${field}.name`);
    ports.push(operatorPort(port, field));
  });
  desired.operator.tunnels.forEach((tunnel, i) => {
    const field = `operator.tunnels[${i}]`;
    names.claim(interfaceName(tunnel.name, `${field}.name`), `${field}.name`);
    ports.push(operatorTunnel(tunnel, field));
  });

  return { bridges, ports, attachments: wantedAttachments(desired.attachments) };
}

/** The text libs/plumbing records as `containerRef` (ovs-docker's container_id) for a namespace reference. */
export function typedContainerRef(ref: ContainerRef): string {
  if ('dockerContainer' in ref) return ref.dockerContainer;
  if ('pid' in ref) return String(ref.pid);
  if ('netns' in ref) return ref.netns;
  return ref.path;
}

/** The plumbing request for a desired attachment; the fleet's id goes in as the container id, so the record names it. */
export function attachRequestOf(attachment: DesiredAttachment): AttachRequest {
  const request: AttachRequest = {
    container: { ...attachment.container },
    containerId: attachment.id,
    bridge: attachment.bridge,
    ifname: attachment.ifname,
    mac: attachment.mac,
    mtu: attachment.mtu,
    addresses: [...attachment.addresses],
    routes: attachment.routes.map((route) => (route.via === null ? { to: route.to } : { to: route.to, via: route.via })),
    tag: attachment.tag,
  };
  if (attachment.gateway !== null) request.gateway = attachment.gateway;
  if (attachment.gateway6 !== null) request.gateway6 = attachment.gateway6;
  return request;
}

function wantedAttachments(attachments: readonly DesiredAttachment[]): WantedAttachment[] {
  const ids = new Map<string, string>();
  const interfaces = new Map<string, string>();
  return attachments.map((attachment, i) => {
    const field = `attachments[${i}]`;
    if (typeof attachment.id !== 'string' || !ATTACHMENT_ID.test(attachment.id)) {
      throw new DesiredStateError(`${field}.id`, `${JSON.stringify(attachment.id)} must be 1-128 letters, digits, '_', '.', ':' or '-'`);
    }
    const sameId = ids.get(attachment.id);
    if (sameId !== undefined) throw new DesiredStateError(`${field}.id`, `${attachment.id} is also ${sameId}`);
    ids.set(attachment.id, field);
    const request = attachRequestOf(attachment);
    let spec: AttachSpec;
    try {
      assertNamespaceRef(attachment.container, 'container');
      spec = buildSpec(validateAttachRequest(request), attachment.id);
    } catch (error) {
      if (error instanceof ValidationError) throw new DesiredStateError(`${field}.${error.field}`, error.message.slice(error.field.length + 2));
      throw error;
    }
    const containerRef = typedContainerRef(attachment.container);
    const where = `${containerKey(attachment.container)} ${spec.ifname}`;
    const sameInterface = interfaces.get(where);
    if (sameInterface !== undefined) throw new DesiredStateError(`${field}.ifname`, `${spec.ifname} of container ${containerRef} is also ${sameInterface}`);
    interfaces.set(where, field);
    return {
      id: attachment.id,
      request,
      spec,
      containerRef,
      hostIfname: hostIfname(attachment.id, spec.ifname),
      label: `${spec.ifname} of container ${containerRef} on network ${attachment.network}`,
    };
  });
}

function containerKey(ref: ContainerRef): string {
  return `${Object.keys(ref)[0]}:${typedContainerRef(ref)}`;
}

function operatorPort(port: PortSpec, field: string): WantedPort {
  const base = { resource: 'port' as const, name: port.name, bridge: interfaceName(port.bridge, `${field}.bridge`), protected: false, externalIds: mark('port') };
  const tag = port.tag === null ? null : vlan(port.tag, `${field}.tag`, 0, 4095);
  const trunks = port.trunks.map((trunk, i) => vlan(trunk, `${field}.trunks[${i}]`, 0, 4095)).sort((a, b) => a - b);
  if (new Set(trunks).size !== trunks.length) throw new DesiredStateError(`${field}.trunks`, 'lists a VLAN twice');
  const vlanMode = port.vlanMode;
  if (vlanMode !== null && !['trunk', 'access', 'native-tagged', 'native-untagged'].includes(vlanMode)) throw new DesiredStateError(`${field}.vlanMode`, `${JSON.stringify(vlanMode)} is not a VLAN mode`);
  const vlanColumns = { tag, trunks, vlanMode };
  switch (port.kind) {
    case 'access':
    case 'trunk':
      return { ...base, ...vlanColumns, iface: { name: port.name, type: 'system', options: {} }, label: `operator ${port.kind} port` };
    case 'internal':
      return { ...base, ...vlanColumns, iface: { name: port.name, type: 'internal', options: {} }, label: 'operator internal port' };
    case 'patch':
      if (port.peer === null) throw new DesiredStateError(`${field}.peer`, 'a patch port needs its peer');
      return { ...base, ...vlanColumns, iface: { name: port.name, type: 'patch', options: { peer: interfaceName(port.peer, `${field}.peer`) } }, label: `operator patch port to ${port.peer}` };
    default:
      throw new DesiredStateError(`${field}.kind`, `${JSON.stringify(port.kind)} is not access, trunk, internal or patch`);
  }
}

function operatorTunnel(tunnel: TunnelSpec, field: string): WantedPort {
  const options: Record<string, string> = {};
  if (tunnel.csum !== null) options.csum = String(tunnel.csum);
  if (tunnel.tos !== null) options.tos = tunnel.tos;
  if (tunnel.ttl !== null) options.ttl = String(tunnel.ttl);
  const spec: InterfaceTunnelSpec = { name: tunnel.name, type: tunnel.type, remoteIp: tunnel.remoteIp, options };
  if (tunnel.localIp !== null) spec.localIp = tunnel.localIp;
  if (tunnel.key !== null) spec.key = tunnel.key;
  if (tunnel.dstPort !== null) spec.dstPort = tunnel.dstPort;
  return {
    resource: 'operator-tunnel',
    name: tunnel.name,
    bridge: interfaceName(tunnel.bridge, `${field}.bridge`),
    tag: null,
    trunks: [],
    vlanMode: null,
    protected: false,
    externalIds: mark('operator-tunnel'),
    iface: tunnelIface(spec, field),
    label: `operator ${tunnel.type} tunnel to ${tunnel.remoteIp}`,
  };
}

/** The command layer's own tunnel checks (addresses, key width, UDP port), named after the document's fields. */
function tunnelIface(spec: InterfaceTunnelSpec, field: string): PlannedInterface {
  const fields: Record<string, string> = { 'Interface.type': 'type', 'Interface.options:remote_ip': 'remoteIp', 'Interface.options:local_ip': 'localIp', 'Interface.options:key': 'key', 'Interface.options:dst_port': 'dstPort' };
  try {
    const iface = tunnelInterface(spec);
    return { name: spec.name, type: spec.type, options: Object.fromEntries(iface.options as ReadonlyMap<string, string>) };
  } catch (error) {
    if (error instanceof OvsdbValidationError) throw new DesiredStateError(`${field}.${fields[error.field] ?? 'type'}`, `${JSON.stringify(error.value)} ${error.reason}`);
    throw error;
  }
}

function interfaceName(name: string, field: string): string {
  try {
    return assertInterfaceName(name, field);
  } catch (error) {
    if (error instanceof ValidationError) throw new DesiredStateError(field, error.message.slice(field.length + 2));
    throw error;
  }
}

function datapathType(type: DatapathType, field: string): DatapathType {
  if (type !== 'system' && type !== 'netdev') throw new DesiredStateError(field, `${JSON.stringify(type)} is not system or netdev`);
  return type;
}

function vlan(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new DesiredStateError(field, `${JSON.stringify(value)} is not a VLAN from ${min} to ${max}`);
  return value;
}

/** Bridge, port and interface names share one namespace in OVS. */
class NameRegistry {
  private readonly owners = new Map<string, string>();

  claim(name: string, field: string): void {
    const other = this.owners.get(name);
    if (other !== undefined) throw new DesiredStateError(field, `${name} is also ${other}: bridge and port names must be unique on a host`);
    this.owners.set(name, field);
  }
}
