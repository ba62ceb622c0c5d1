import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import type { BridgeSpec, DatapathType, OverlayType, PortKind, PortSpec, TunnelSpec, VlanMode } from '@ovs-fleet/contracts';
import { HostChangeView, OperationRef } from '../common/mutation';
import { HostIdParam } from '../common/params';
import { IsInterfaceName, IsTunnelEndpoint } from '../common/validators';

const PORT_KINDS: PortKind[] = ['access', 'trunk', 'internal', 'patch'];
const VLAN_MODES: VlanMode[] = ['trunk', 'access', 'native-tagged', 'native-untagged'];
const TUNNEL_TYPES: OverlayType[] = ['vxlan', 'geneve', 'gre'];
const FAIL_MODES = ['standalone', 'secure'] as const;

const CONFIG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
// printable ASCII: OVS stores these as strings and ovs-vsctl shows them as given
const CONFIG_VALUE = /^[\x20-\x7e]{0,255}$/;

/** An OVS other_config map: at most 64 keys of letters, digits, "_", ".", ":", "-", printable string values. */
export function isConfigMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= 64 && entries.every(([k, v]) => CONFIG_KEY.test(k) && typeof v === 'string' && CONFIG_VALUE.test(v));
}

const IsConfigMap = () =>
  ValidateBy({
    name: 'isConfigMap',
    validator: {
      validate: isConfigMap,
      defaultMessage: () => 'must be an object of at most 64 entries: keys of letters, digits, "_", ".", ":", "-" (at most 64), printable string values (at most 255)',
    },
  });

/** OVS's `options:tos`: a DSCP/ECN byte, or "inherit" (copied from the inner packet). */
export function isTos(value: unknown): boolean {
  return value === 'inherit' || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255);
}

const IsTos = () => ValidateBy({ name: 'isTos', validator: { validate: isTos, defaultMessage: () => 'must be a number from 0 to 255 or "inherit"' } });

export class HostResourceParam extends HostIdParam {
  @ApiProperty({ description: 'Bridge, port or tunnel name.' })
  @IsInterfaceName()
  name!: string;
}

export class CreateBridgeDto {
  @ApiProperty({ example: 'br-prov' })
  @IsInterfaceName()
  name!: string;

  @ApiPropertyOptional({ enum: ['system', 'netdev'], description: 'Default: the host\'s datapath type.' })
  @IsOptional()
  @IsIn(['system', 'netdev'], { message: 'must be system or netdev' })
  datapathType?: DatapathType;

  @ApiPropertyOptional({ enum: FAIL_MODES, nullable: true, description: 'Default: null (OVS\'s own default, standalone).' })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsIn([...FAIL_MODES], { message: 'must be standalone, secure or null' })
  failMode?: (typeof FAIL_MODES)[number] | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'mac-aging-time': '600' } })
  @IsOptional()
  @IsConfigMap()
  otherConfig?: Record<string, string>;
}

export class CreatePortDto {
  @ApiProperty({ example: 'eth2' })
  @IsInterfaceName()
  name!: string;

  @ApiProperty({ description: 'The host\'s integration bridge, one of its operator bridges, or the provider bridge of a vlan network on it.', example: 'br-int' })
  @IsInterfaceName()
  bridge!: string;

  @ApiProperty({ enum: PORT_KINDS, description: 'access: one VLAN (tag); trunk: the VLANs in trunks; internal: a host interface on the bridge; patch: linked to peer on another bridge.' })
  @IsIn(PORT_KINDS, { message: 'must be access, trunk, internal or patch' })
  kind!: PortKind;

  @ApiPropertyOptional({ description: 'access ports: their VLAN; trunk ports in a native vlanMode: the native VLAN.', minimum: 1, maximum: 4094 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4094)
  tag?: number;

  @ApiPropertyOptional({ type: [Number], description: 'trunk ports: the VLANs they carry (0..4095, each once).', example: [100, 200] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4096)
  trunks?: number[];

  @ApiPropertyOptional({ enum: ['trunk', 'native-tagged', 'native-untagged'], description: 'trunk ports only (default: OVS\'s trunk).' })
  @IsOptional()
  @IsIn(VLAN_MODES, { message: 'must be trunk, access, native-tagged or native-untagged' })
  vlanMode?: VlanMode;

  @ApiPropertyOptional({ description: 'patch ports: the peer port\'s name.', example: 'patch-int' })
  @IsOptional()
  @IsInterfaceName()
  peer?: string;
}

export class CreateTunnelDto {
  @ApiProperty({ example: 'vx-dc2' })
  @IsInterfaceName()
  name!: string;

  @ApiProperty({ description: 'The host\'s integration bridge, one of its operator bridges, or the provider bridge of a vlan network on it.', example: 'br-ext' })
  @IsInterfaceName()
  bridge!: string;

  @ApiProperty({ enum: TUNNEL_TYPES })
  @IsIn(TUNNEL_TYPES, { message: 'must be vxlan, geneve or gre' })
  type!: OverlayType;

  @ApiProperty({ example: '203.0.113.50' })
  @IsTunnelEndpoint()
  remoteIp!: string;

  @ApiPropertyOptional({ description: 'Default: chosen by the kernel route to remoteIp.', example: '203.0.113.11' })
  @IsOptional()
  @IsTunnelEndpoint()
  localIp?: string;

  @ApiPropertyOptional({ description: 'VNI (vxlan, geneve: 0..16777215) or GRE key (0..4294967295). Default: 0.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4294967295)
  key?: number;

  @ApiPropertyOptional({ description: 'UDP destination port (vxlan, geneve only).', minimum: 1, maximum: 65535 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  dstPort?: number;

  @ApiPropertyOptional({ description: 'Outer checksums.' })
  @IsOptional()
  @IsBoolean()
  csum?: boolean;

  @ApiPropertyOptional({ oneOf: [{ type: 'integer', minimum: 0, maximum: 255 }, { type: 'string', enum: ['inherit'] }], description: 'Outer ToS byte, or "inherit".' })
  @IsOptional()
  @IsTos()
  tos?: number | 'inherit';

  @ApiPropertyOptional({ minimum: 1, maximum: 255, description: 'Outer TTL.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(255)
  ttl?: number;
}

export class BridgeView implements BridgeSpec {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['system', 'netdev'] }) datapathType!: DatapathType;
  @ApiProperty({ enum: FAIL_MODES, nullable: true, type: String }) failMode!: BridgeSpec['failMode'];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) otherConfig!: Record<string, string>;
}

export class PortView implements PortSpec {
  @ApiProperty() name!: string;
  @ApiProperty() bridge!: string;
  @ApiProperty({ enum: PORT_KINDS }) kind!: PortKind;
  @ApiProperty({ nullable: true, type: Number }) tag!: number | null;
  @ApiProperty({ type: [Number] }) trunks!: number[];
  @ApiProperty({ enum: VLAN_MODES, nullable: true, type: String }) vlanMode!: VlanMode | null;
  @ApiProperty({ nullable: true, type: String }) peer!: string | null;
}

export class TunnelView implements TunnelSpec {
  @ApiProperty() name!: string;
  @ApiProperty() bridge!: string;
  @ApiProperty({ enum: TUNNEL_TYPES }) type!: OverlayType;
  @ApiProperty() remoteIp!: string;
  @ApiProperty({ nullable: true, type: String }) localIp!: string | null;
  @ApiProperty({ nullable: true, type: Number }) key!: number | null;
  @ApiProperty({ nullable: true, type: Number }) dstPort!: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) csum!: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'A number from 0 to 255 or "inherit", as text.' }) tos!: string | null;
  @ApiProperty({ nullable: true, type: Number }) ttl!: number | null;
}

export class BridgeListView {
  @ApiProperty({ type: [BridgeView] }) items!: BridgeView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor!: string | null;
}

export class PortListView {
  @ApiProperty({ type: [PortView] }) items!: PortView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor!: string | null;
}

export class TunnelListView {
  @ApiProperty({ type: [TunnelView] }) items!: TunnelView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor!: string | null;
}

export class BridgeMutationView {
  @ApiProperty({ type: BridgeView, description: 'The bridge created, or the one deleted.' }) bridge!: BridgeView;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}

export class PortMutationView {
  @ApiProperty({ type: PortView, description: 'The port created, or the one deleted.' }) port!: PortView;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}

export class TunnelMutationView {
  @ApiProperty({ type: TunnelView, description: 'The tunnel created, or the one deleted.' }) tunnel!: TunnelView;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}
