import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { DatapathType, HostRecord } from '@ovs-fleet/contracts';
import { HostChangeView, OperationRef } from '../common/mutation';
import { IsInterfaceName, IsLabelMap, IsTunnelEndpoint } from '../common/validators';

export class PutHostDto {
  @ApiProperty({ description: 'The host\'s tunnel endpoint on the underlay.', example: '203.0.113.11' })
  @IsTunnelEndpoint()
  tunnelIp!: string;

  @ApiPropertyOptional({ description: 'MTU of the underlay between hosts (default 1500); overlay MTUs derive from it.', minimum: 576, maximum: 65535 })
  @IsOptional()
  @IsInt()
  @Min(576)
  @Max(65535)
  underlayMtu?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { rack: 'r1' } })
  @IsOptional()
  @IsLabelMap()
  labels?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Integration bridge name (default br-int).', example: 'br-int' })
  @IsOptional()
  @IsInterfaceName()
  integrationBridge?: string;

  @ApiPropertyOptional({ enum: ['system', 'netdev'], description: 'OVS datapath of the bridges made on this host (default system; netdev is the userspace datapath).' })
  @IsOptional()
  @IsIn(['system', 'netdev'], { message: 'must be system or netdev' })
  datapathType?: DatapathType;
}

export class HostStatusView {
  @ApiProperty({ description: 'A heartbeat came within the last 15 s.' }) connected!: boolean;
  @ApiProperty({ nullable: true, type: String }) lastHeartbeat!: string | null;
  @ApiProperty({ nullable: true, type: Number }) heartbeatAgeSeconds!: number | null;
  @ApiProperty({ nullable: true, type: String }) ovsVersion!: string | null;
  @ApiProperty() appliedRevision!: number;
  @ApiProperty() desiredRevision!: number;
  @ApiProperty({ description: 'The last error the agent reported for a revision it has not applied yet.', nullable: true, type: 'object', additionalProperties: true })
  error!: object | null;
}

export class HostView {
  @ApiProperty() id!: string;
  @ApiProperty() tunnelIp!: string;
  @ApiProperty() underlayMtu!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty() integrationBridge!: string;
  @ApiProperty({ enum: ['system', 'netdev'] }) datapathType!: DatapathType;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: HostStatusView }) status!: HostStatusView;
}

export class HostMutationView {
  @ApiProperty({ type: HostView, nullable: true }) host!: HostView | null;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: OperationRef, nullable: true }) operation!: OperationRef | null;
  @ApiProperty({ type: [HostChangeView] }) changes!: HostChangeView[];
}

export class HostPageView {
  @ApiProperty({ type: [HostView] }) items!: HostView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export type { HostRecord };

export class AgentCredentialsView {
  @ApiProperty({ example: 'agent-h1', description: 'The Redis user of the host\'s agent.' }) username!: string;
  @ApiProperty({ description: 'Shown once; issuing again rotates it. Put both in the agent\'s OVS_FLEET_REDIS_URL (redis://USER:PASSWORD@HOST:PORT).' }) password!: string;
}
