import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { NetworkType } from '@ovs-fleet/contracts';
import { JSONObjectScalar } from '../graphql/json-object.scalar';
import { MutationResult, Page } from '../graphql/shared.graphql-types';
import { AllocationPoolDto, CreateNetworkDto, HostSelectorDto, NetworkView, PatchNetworkDto, SubnetDto, SubnetView } from './network.dto';

export const NetworkTypeEnum = { vxlan: 'vxlan', geneve: 'geneve', gre: 'gre', vlan: 'vlan' } as const;
registerEnumType(NetworkTypeEnum, { name: 'NetworkType' });

const SEGMENT_ID = 'VNI (vxlan, geneve: 1..16777215), GRE key (1..4294967295) or VLAN id (1..4094). A Float because GRE keys exceed GraphQL\'s 32-bit Int; always a whole number.';

// Inputs: the REST DTOs with their class-validator rules inherited, fields declared for GraphQL.

@InputType()
export class AllocationPoolInput extends AllocationPoolDto {
  @Field(() => String) declare start: string;
  @Field(() => String) declare end: string;
}

@InputType()
export class SubnetInput extends SubnetDto {
  @Field(() => String, { description: 'e.g. 198.18.0.0/24 or 2001:db8::/64' }) declare cidr: string;
  @Field(() => String, { nullable: true, description: 'Omitted: the first address. null: no gateway.' }) declare gateway?: string | null;
  @Field(() => [AllocationPoolInput], { nullable: true, description: 'Where addresses are allocated from (default: the whole subnet less reserved addresses).' })
  declare allocationPools?: AllocationPoolInput[];
}

@InputType({ description: 'Which hosts a network spans: all: true, or labels (not both).' })
export class HostSelectorInput extends HostSelectorDto {
  @Field(() => Boolean, { nullable: true, description: 'true: every host.' }) declare all?: boolean;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Hosts whose labels include all of these.' }) declare labels?: Record<string, string>;
}

@InputType()
export class CreateNetworkInput extends CreateNetworkDto {
  @Field(() => String) declare name: string;
  @Field(() => NetworkTypeEnum) declare type: NetworkType;
  @Field(() => Float, { nullable: true, description: `${SEGMENT_ID} Allocated when omitted.` }) declare segmentId?: number;
  @Field(() => [SubnetInput], { nullable: true }) declare subnets?: SubnetInput[];
  @Field(() => Int, { nullable: true, description: 'Omitted: the underlay MTU less the encapsulation overhead.' }) declare mtu?: number;
  @Field(() => HostSelectorInput, { nullable: true, description: 'Default: every host.' }) declare hosts?: HostSelectorInput;
  @Field(() => String, { nullable: true, description: 'vlan networks: the bridge on each host that carries the provider segment.' }) declare providerBridge?: string;
}

@InputType()
export class UpdateNetworkInput extends PatchNetworkDto {
  @Field(() => Int, { nullable: true, description: 'A number sets it; null derives it from the underlay again.' }) declare mtu?: number | null;
  @Field(() => HostSelectorInput, { nullable: true }) declare hosts?: HostSelectorInput;
}

// Outputs.

@ObjectType()
export class AllocationPool {
  @Field(() => String) start!: string;
  @Field(() => String) end!: string;
}

@ObjectType()
export class Subnet implements SubnetView {
  @Field(() => String) cidr!: string;
  @Field(() => String, { nullable: true }) gateway!: string | null;
  @Field(() => [AllocationPool]) allocationPools!: AllocationPool[];
}

@ObjectType({ description: 'Which hosts a network spans: every host (all: true), or those whose labels include `labels`.' })
export class HostSelector {
  @Field(() => Boolean, { nullable: true }) all?: boolean;
  @Field(() => JSONObjectScalar, { nullable: true }) labels?: Record<string, string>;
}

@ObjectType()
export class Network implements NetworkView {
  @Field(() => String) name!: string;
  @Field(() => NetworkTypeEnum) type!: NetworkType;
  @Field(() => Float, { description: SEGMENT_ID }) segmentId!: number;
  @Field(() => [Subnet]) subnets!: Subnet[];
  @Field(() => Int) mtu!: number;
  @Field(() => Boolean, { description: 'true: derived from the underlay MTU of the hosts it spans.' }) mtuDerived!: boolean;
  @Field(() => HostSelector) hosts!: HostSelector;
  @Field(() => String, { nullable: true }) providerBridge!: string | null;
  @Field(() => String) createdAt!: string;
  @Field(() => String) updatedAt!: string;
}

@ObjectType()
export class NetworkPage extends Page {
  @Field(() => [Network]) items!: Network[];
}

@ObjectType()
export class NetworkMutation extends MutationResult {
  @Field(() => Network, { nullable: true, description: 'null when deleted.' }) network!: Network | null;
}
