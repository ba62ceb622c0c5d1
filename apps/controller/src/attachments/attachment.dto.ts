import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import type { ContainerRef } from '@ovs-fleet/contracts';
import { HostChangeView, OperationRef } from '../common/mutation';
import { PageQuery } from '../common/pagination';
import { IsCidr, IsHostId, IsInterfaceName, IsIpAddress, IsNetworkName, IsUnicastMac } from '../common/validators';

export class ContainerRefDto {
  @ApiPropertyOptional({ description: 'Docker/podman container name or id.', example: 'web1' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, { message: 'must be a container name or id (letters, digits, "_", ".", "-"; at most 128)' })
  dockerContainer?: string;

  @ApiPropertyOptional({ description: 'A process in the container\'s network namespace.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4194304)
  pid?: number;

  @ApiPropertyOptional({ description: 'Path of the namespace: /proc/PID/ns/net or /var/run/netns/NAME.', example: '/var/run/netns/c1' })
  @IsOptional()
  @IsString()
  @Matches(/^(\/proc\/[1-9]\d{0,6}\/ns\/net|\/(var\/)?run\/netns\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})$/, { message: 'must be /proc/PID/ns/net or /var/run/netns/NAME' })
  path?: string;

  @ApiPropertyOptional({ description: 'A namespace name as `ip netns` knows it.', example: 'c1' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { message: 'must be a namespace name (letters, digits, "_", ".", "-"; at most 64)' })
  netns?: string;
}

export class RouteDto {
  @ApiProperty({ example: '198.19.0.0/16' }) @IsCidr() to!: string;
  @ApiPropertyOptional({ example: '198.18.0.1' }) @IsOptional() @IsIpAddress() via?: string;
}

export class CreateAttachmentDto {
  @ApiProperty({ example: 'blue' }) @IsNetworkName() network!: string;
  @ApiProperty({ example: 'h1' }) @IsHostId() host!: string;

  @ApiProperty({ type: ContainerRefDto, description: 'Exactly one of dockerContainer, pid, path, netns.' })
  @IsDefined({ message: 'is required: one of dockerContainer, pid, path or netns' })
  @ValidateNested()
  @Type(() => ContainerRefDto)
  container!: ContainerRefDto;

  @ApiPropertyOptional({ description: 'Interface name in the container (default eth0).', example: 'eth1' })
  @IsOptional()
  @IsInterfaceName()
  ifname?: string;

  @ApiPropertyOptional({ description: 'Generated (stable, locally administered) when omitted.' })
  @IsOptional()
  @IsUnicastMac()
  mac?: string;

  @ApiPropertyOptional({ type: [String], description: 'Requested addresses (no prefix), at most one per subnet; the others are allocated.', example: ['198.18.0.10'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @IsIpAddress({ each: true })
  addresses?: string[];

  @ApiPropertyOptional({ description: 'Default route through the subnets\' gateways (default true).' })
  @IsOptional()
  @IsBoolean()
  gateway?: boolean;

  @ApiPropertyOptional({ type: [RouteDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => RouteDto)
  routes?: RouteDto[];
}

export class AttachmentQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsNetworkName() network?: string;
  @ApiPropertyOptional() @IsOptional() @IsHostId() host?: string;
}

export class AttachmentStatusView {
  @ApiProperty({ enum: ['pending', 'applied'], description: 'applied once the host\'s agent applied a revision that includes it.' })
  state!: 'pending' | 'applied';
  @ApiProperty() hostConnected!: boolean;
}

export class AttachmentView {
  @ApiProperty() id!: string;
  @ApiProperty() network!: string;
  @ApiProperty() host!: string;
  @ApiProperty({ type: ContainerRefDto }) container!: ContainerRef;
  @ApiProperty() ifname!: string;
  @ApiProperty() mac!: string;
  @ApiProperty({ type: [String], example: ['198.18.0.5/24'] }) addresses!: string[];
  @ApiProperty() gateway!: boolean;
  @ApiProperty({ type: [RouteDto] }) routes!: { to: string; via: string | null }[];
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'The host revision that first includes this attachment.' }) revision!: number;
  @ApiProperty({ type: AttachmentStatusView }) status!: AttachmentStatusView;
}

export class AttachmentMutationView {
  @ApiProperty({ type: AttachmentView, nullable: true }) attachment!: AttachmentView | null;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}

export class AttachmentPageView {
  @ApiProperty({ type: [AttachmentView] }) items!: AttachmentView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
