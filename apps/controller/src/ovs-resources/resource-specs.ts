import { isIPv4 } from 'node:net';
import type { BridgeSpec, HostRecord, OverlayType, PortSpec, TunnelSpec } from '@ovs-fleet/contracts';
import { BadRequestError, FieldProblem } from '../common/api-errors';
import type { CreateBridgeDto, CreatePortDto, CreateTunnelDto } from './ovs-resource.dto';

/**
 * A validated request as the spec the desired state stores. The validation pipe has checked
 * each field on its own; these are the rules between fields (what each port kind and tunnel
 * type takes), every problem named by its field, all of them reported at once.
 */

/** Tunnel keys: 24-bit VNIs, 32-bit GRE keys. */
export const TUNNEL_KEY_MAX: Record<OverlayType, number> = { vxlan: 16_777_215, geneve: 16_777_215, gre: 4_294_967_295 };

function refuseIfAny(problems: FieldProblem[]): void {
  if (problems.length > 0) throw BadRequestError.of(problems);
}

export function bridgeSpec(dto: CreateBridgeDto, host: HostRecord): BridgeSpec {
  return { name: dto.name, datapathType: dto.datapathType ?? host.datapathType, failMode: dto.failMode ?? null, otherConfig: { ...(dto.otherConfig ?? {}) } };
}

function trunkProblems(trunks: unknown[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<number, number>();
  trunks.forEach((vlan, i) => {
    const field = `trunks[${i}]`;
    if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < 0 || vlan > 4095) problems.push({ field, message: 'must be a VLAN id from 0 to 4095' });
    else if (seen.has(vlan)) problems.push({ field, message: `VLAN ${vlan} is already trunks[${seen.get(vlan)}]` });
    else seen.set(vlan, i);
  });
  return problems;
}

export function portSpec(dto: CreatePortDto): PortSpec {
  const problems: FieldProblem[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, message });
  const { kind } = dto;
  const nativeVlan = dto.vlanMode === 'native-tagged' || dto.vlanMode === 'native-untagged';

  if (kind === 'access' && dto.tag === undefined) refuse('tag', 'an access port needs its VLAN (1 to 4094)');
  if (kind === 'trunk' && nativeVlan && dto.tag === undefined) refuse('tag', `a ${dto.vlanMode} trunk port needs its native VLAN (1 to 4094)`);
  if (dto.tag !== undefined && kind !== 'access' && !(kind === 'trunk' && nativeVlan)) {
    refuse('tag', kind === 'trunk' ? 'a trunk port takes a tag only as the native VLAN of vlanMode native-tagged or native-untagged' : `a ${kind} port takes no tag`);
  }

  if (kind === 'trunk') {
    if (!dto.trunks?.length) refuse('trunks', 'a trunk port needs the VLANs it carries (0 to 4095)');
    else problems.push(...trunkProblems(dto.trunks));
  } else if (dto.trunks !== undefined) refuse('trunks', `only trunk ports carry trunks; a ${kind} port takes none`);

  if (dto.vlanMode !== undefined) {
    if (kind !== 'trunk') refuse('vlanMode', `only trunk ports take a vlanMode; a ${kind} port takes none`);
    else if (dto.vlanMode === 'access') refuse('vlanMode', 'a trunk port cannot be in access mode (make an access port instead)');
  }

  if (kind === 'patch') {
    if (dto.peer === undefined) refuse('peer', 'a patch port needs its peer port\'s name');
    else if (dto.peer === dto.name) refuse('peer', 'a patch port cannot be its own peer');
  } else if (dto.peer !== undefined) refuse('peer', `only patch ports have a peer; a ${kind} port takes none`);

  refuseIfAny(problems);
  return {
    name: dto.name,
    bridge: dto.bridge,
    kind,
    tag: dto.tag ?? null,
    trunks: [...(dto.trunks ?? [])].sort((a, b) => a - b),
    vlanMode: dto.vlanMode ?? null,
    peer: dto.peer ?? null,
  };
}

export function tunnelSpec(dto: CreateTunnelDto): TunnelSpec {
  const problems: FieldProblem[] = [];
  const max = TUNNEL_KEY_MAX[dto.type];
  if (dto.key !== undefined && dto.key > max) problems.push({ field: 'key', message: `a ${dto.type} key must be 0 to ${max}` });
  if (dto.dstPort !== undefined && dto.type === 'gre') problems.push({ field: 'dstPort', message: 'gre has no UDP destination port' });
  if (dto.localIp !== undefined) {
    if (isIPv4(dto.localIp) !== isIPv4(dto.remoteIp)) problems.push({ field: 'localIp', message: `must be of the same address family as remoteIp (${dto.remoteIp})` });
    else if (dto.localIp === dto.remoteIp) problems.push({ field: 'localIp', message: 'must differ from remoteIp' });
  }
  refuseIfAny(problems);
  return {
    name: dto.name,
    bridge: dto.bridge,
    type: dto.type,
    remoteIp: dto.remoteIp,
    localIp: dto.localIp ?? null,
    key: dto.key ?? null,
    dstPort: dto.dstPort ?? null,
    csum: dto.csum ?? null,
    tos: dto.tos === undefined ? null : String(dto.tos),
    ttl: dto.ttl ?? null,
  };
}
