import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { DatapathType, OverlayType, PortKind, VlanMode } from '@ovs-fleet/contracts';
import { GraphQLError, GraphQLScalarType, Kind, print } from 'graphql';
import { DatapathTypeEnum } from '../hosts/hosts.graphql-types';
import { JSONObjectScalar } from '../graphql/json-object.scalar';
import { MutationResult, Page } from '../graphql/shared.graphql-types';
import { BridgeView, CreateBridgeDto, CreatePortDto, CreateTunnelDto, PortView, TunnelView } from './ovs-resource.dto';

export const FailModeEnum = { standalone: 'standalone', secure: 'secure' } as const;
registerEnumType(FailModeEnum, { name: 'FailMode', description: 'What a bridge does without an OpenFlow controller.' });

export const PortKindEnum = { access: 'access', trunk: 'trunk', internal: 'internal', patch: 'patch' } as const;
registerEnumType(PortKindEnum, {
  name: 'PortKind',
  description: 'access: one VLAN (tag); trunk: the VLANs in trunks; internal: a host interface on the bridge; patch: linked to peer on another bridge.',
});

// GraphQL enum names cannot hold "-": native_tagged stands for OVS's native-tagged.
export const VlanModeEnum = { trunk: 'trunk', access: 'access', native_tagged: 'native-tagged', native_untagged: 'native-untagged' } as const;
registerEnumType(VlanModeEnum, { name: 'VlanMode', description: 'OVS\'s Port vlan_mode (native_tagged is native-tagged, native_untagged native-untagged).' });

export const TunnelTypeEnum = { vxlan: 'vxlan', geneve: 'geneve', gre: 'gre' } as const;
registerEnumType(TunnelTypeEnum, { name: 'TunnelType' });

/**
 * OVS's `options:tos` as REST takes it: a number or the string "inherit". The scalar lets
 * either through and CreateTunnelDto's IsTos refuses the rest, with REST's message.
 */
export const TosScalar = new GraphQLScalarType({
  name: 'Tos',
  description: 'A number from 0 to 255, or "inherit" (copied from the inner packet).',
  serialize: (value) => value,
  parseValue(value) {
    if (typeof value !== 'number' && typeof value !== 'string') throw new GraphQLError('must be a number from 0 to 255 or "inherit"');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    if (ast.kind === Kind.STRING) return ast.value;
    throw new GraphQLError(`must be a number from 0 to 255 or "inherit", not ${print(ast)}`, { nodes: ast });
  },
});

// Inputs: the REST DTOs with their class-validator rules inherited, fields declared for GraphQL.

@InputType({ description: 'An operator bridge to add to a host.' })
export class CreateBridgeInput extends CreateBridgeDto {
  @Field(() => String) declare name: string;
  @Field(() => DatapathTypeEnum, { nullable: true, description: 'Default: the host\'s datapath type.' }) declare datapathType?: DatapathType;
  @Field(() => FailModeEnum, { nullable: true, description: 'Default: null (OVS\'s own default, standalone).' }) declare failMode?: 'standalone' | 'secure' | null;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'OVS other_config: string keys and values.' }) declare otherConfig?: Record<string, string>;
}

@InputType({ description: 'An operator port to add to one of a host\'s bridges.' })
export class CreatePortInput extends CreatePortDto {
  @Field(() => String) declare name: string;
  @Field(() => String, { description: 'The host\'s integration bridge, one of its operator bridges, or the provider bridge of a vlan network on it.' }) declare bridge: string;
  @Field(() => PortKindEnum) declare kind: PortKind;
  @Field(() => Int, { nullable: true, description: 'access ports: their VLAN; trunk ports in a native vlanMode: the native VLAN (1..4094).' }) declare tag?: number;
  @Field(() => [Int], { nullable: true, description: 'trunk ports: the VLANs they carry (0..4095, each once).' }) declare trunks?: number[];
  @Field(() => VlanModeEnum, { nullable: true, description: 'trunk ports only (default: OVS\'s trunk).' }) declare vlanMode?: VlanMode;
  @Field(() => String, { nullable: true, description: 'patch ports: the peer port\'s name.' }) declare peer?: string;
}

@InputType({ description: 'An operator tunnel port to add to one of a host\'s bridges.' })
export class CreateTunnelInput extends CreateTunnelDto {
  @Field(() => String) declare name: string;
  @Field(() => String, { description: 'The host\'s integration bridge, one of its operator bridges, or the provider bridge of a vlan network on it.' }) declare bridge: string;
  @Field(() => TunnelTypeEnum) declare type: OverlayType;
  @Field(() => String) declare remoteIp: string;
  @Field(() => String, { nullable: true, description: 'Default: chosen by the kernel route to remoteIp.' }) declare localIp?: string;
  @Field(() => Float, { nullable: true, description: 'VNI (vxlan, geneve: 0..16777215) or GRE key (0..4294967295; a Float because it exceeds GraphQL\'s 32-bit Int). Default: 0.' })
  declare key?: number;
  @Field(() => Int, { nullable: true, description: 'UDP destination port (vxlan, geneve only).' }) declare dstPort?: number;
  @Field(() => Boolean, { nullable: true, description: 'Outer checksums.' }) declare csum?: boolean;
  @Field(() => TosScalar, { nullable: true, description: 'Outer ToS byte, or "inherit".' }) declare tos?: number | 'inherit';
  @Field(() => Int, { nullable: true, description: 'Outer TTL (1..255).' }) declare ttl?: number;
}

// Outputs.

@ObjectType({ description: 'A bridge an operator asked for on a host.' })
export class Bridge implements BridgeView {
  @Field(() => String) name!: string;
  @Field(() => DatapathTypeEnum) datapathType!: DatapathType;
  @Field(() => FailModeEnum, { nullable: true }) failMode!: 'standalone' | 'secure' | null;
  @Field(() => JSONObjectScalar) otherConfig!: Record<string, string>;
}

@ObjectType({ description: 'A port an operator asked for on a host.' })
export class Port implements PortView {
  @Field(() => String) name!: string;
  @Field(() => String) bridge!: string;
  @Field(() => PortKindEnum) kind!: PortKind;
  @Field(() => Int, { nullable: true }) tag!: number | null;
  @Field(() => [Int]) trunks!: number[];
  @Field(() => VlanModeEnum, { nullable: true }) vlanMode!: VlanMode | null;
  @Field(() => String, { nullable: true }) peer!: string | null;
}

@ObjectType({ description: 'A tunnel port an operator asked for on a host (the overlay mesh is in `topology`).' })
export class Tunnel implements TunnelView {
  @Field(() => String) name!: string;
  @Field(() => String) bridge!: string;
  @Field(() => TunnelTypeEnum) type!: OverlayType;
  @Field(() => String) remoteIp!: string;
  @Field(() => String, { nullable: true }) localIp!: string | null;
  @Field(() => Float, { nullable: true }) key!: number | null;
  @Field(() => Int, { nullable: true }) dstPort!: number | null;
  @Field(() => Boolean, { nullable: true }) csum!: boolean | null;
  @Field(() => String, { nullable: true, description: 'A number from 0 to 255 or "inherit", as text.' }) tos!: string | null;
  @Field(() => Int, { nullable: true }) ttl!: number | null;
}

@ObjectType()
export class BridgePage extends Page {
  @Field(() => [Bridge]) items!: Bridge[];
}

@ObjectType()
export class PortPage extends Page {
  @Field(() => [Port]) items!: Port[];
}

@ObjectType()
export class TunnelPage extends Page {
  @Field(() => [Tunnel]) items!: Tunnel[];
}

@ObjectType()
export class BridgeMutation extends MutationResult {
  @Field(() => Bridge, { description: 'The bridge created, or the one deleted.' }) bridge!: Bridge;
}

@ObjectType()
export class PortMutation extends MutationResult {
  @Field(() => Port, { description: 'The port created, or the one deleted.' }) port!: Port;
}

@ObjectType()
export class TunnelMutation extends MutationResult {
  @Field(() => Tunnel, { description: 'The tunnel created, or the one deleted.' }) tunnel!: Tunnel;
}
