import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import type { NetworkType } from '@ovs-fleet/contracts';
import { HostChangeView, OperationRef } from '../common/mutation';
import { IsCidr, IsInterfaceName, IsIpAddress, IsLabelMap, IsNetworkName } from '../common/validators';

export class AllocationPoolDto {
  @ApiProperty({ example: '198.18.0.10' }) @IsIpAddress() start!: string;
  @ApiProperty({ example: '198.18.0.200' }) @IsIpAddress() end!: string;
}

export class SubnetDto {
  @ApiProperty({ example: '198.18.0.0/24' })
  @IsCidr()
  cidr!: string;

  @ApiPropertyOptional({ description: 'Omitted: the first address. null: no gateway.', nullable: true, type: String, example: '198.18.0.1' })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsIpAddress()
  gateway?: string | null;

  @ApiPropertyOptional({ type: [AllocationPoolDto], description: 'Where addresses are allocated from (default: the whole subnet less reserved addresses).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => AllocationPoolDto)
  allocationPools?: AllocationPoolDto[];
}

export class HostSelectorDto {
  @ApiPropertyOptional({ description: 'true: every host.' })
  @IsOptional()
  @IsBoolean()
  all?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Hosts whose labels include all of these.' })
  @IsOptional()
  @IsLabelMap()
  labels?: Record<string, string>;
}

export class CreateNetworkDto {
  @ApiProperty({ example: 'blue' })
  @IsNetworkName()
  name!: string;

  @ApiProperty({ enum: ['vxlan', 'geneve', 'gre', 'vlan'] })
  @IsIn(['vxlan', 'geneve', 'gre', 'vlan'], { message: 'must be vxlan, geneve, gre or vlan' })
  type!: NetworkType;

  @ApiPropertyOptional({ description: 'VNI (vxlan, geneve: 1..16777215), GRE key (1..4294967295) or VLAN id (1..4094); allocated when omitted.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4294967295)
  segmentId?: number;

  @ApiPropertyOptional({ type: [SubnetDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => SubnetDto)
  subnets?: SubnetDto[];

  @ApiPropertyOptional({ description: 'Omitted: the underlay MTU less the encapsulation overhead.', minimum: 68, maximum: 65535 })
  @IsOptional()
  @IsInt()
  @Min(68)
  @Max(65535)
  mtu?: number;

  @ApiPropertyOptional({ type: HostSelectorDto, description: 'Which hosts the network spans (default: all).' })
  @IsOptional()
  @ValidateNested()
  @Type(() => HostSelectorDto)
  hosts?: HostSelectorDto;

  @ApiPropertyOptional({ description: 'vlan networks: the bridge on each host that carries the provider segment.', example: 'br-prov' })
  @IsOptional()
  @IsInterfaceName()
  providerBridge?: string;
}

export class PatchNetworkDto {
  @ApiPropertyOptional({ description: 'A number sets it; null derives it from the underlay again.', nullable: true, type: Number })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsInt()
  @Min(68)
  @Max(65535)
  mtu?: number | null;

  @ApiPropertyOptional({ type: HostSelectorDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => HostSelectorDto)
  hosts?: HostSelectorDto;
}

export class SubnetView {
  @ApiProperty() cidr!: string;
  @ApiProperty({ nullable: true, type: String }) gateway!: string | null;
  @ApiProperty({ type: [AllocationPoolDto] }) allocationPools!: AllocationPoolDto[];
}

export class NetworkView {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['vxlan', 'geneve', 'gre', 'vlan'] }) type!: NetworkType;
  @ApiProperty() segmentId!: number;
  @ApiProperty({ type: [SubnetView] }) subnets!: SubnetView[];
  @ApiProperty() mtu!: number;
  @ApiProperty() mtuDerived!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { all: true } }) hosts!: object;
  @ApiProperty({ nullable: true, type: String }) providerBridge!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class NetworkMutationView {
  @ApiProperty({ type: NetworkView, nullable: true }) network!: NetworkView | null;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}

export class NetworkPageView {
  @ApiProperty({ type: [NetworkView] }) items!: NetworkView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
