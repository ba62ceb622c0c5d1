import { ApiProperty } from '@nestjs/swagger';
import type { NetworkType } from '@ovs-fleet/contracts';

export class TopologyHostView {
  @ApiProperty() id!: string;
  @ApiProperty() tunnelIp!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty({ description: 'A heartbeat came within the last 15 s.' }) connected!: boolean;
  @ApiProperty({ description: 'The last revision its agent applied (0: none yet).' }) appliedRevision!: number;
  @ApiProperty({ description: 'The revision of its desired state.' }) desiredRevision!: number;
}

export class TopologyNetworkView {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['vxlan', 'geneve', 'gre', 'vlan'] }) type!: NetworkType;
  @ApiProperty() segmentId!: number;
  @ApiProperty({ type: [String], description: 'Ids of the hosts the network spans.' }) hosts!: string[];
}

export class TopologyLinkView {
  @ApiProperty({ description: 'The overlay network the tunnel carries.' }) network!: string;
  @ApiProperty({ description: 'One end (the lower host id).' }) a!: string;
  @ApiProperty({ description: 'The other end.' }) b!: string;
}

export class TopologyView {
  @ApiProperty({ type: [TopologyHostView] }) hosts!: TopologyHostView[];
  @ApiProperty({ type: [TopologyNetworkView] }) networks!: TopologyNetworkView[];
  @ApiProperty({ type: [TopologyLinkView], description: 'One per pair of hosts per overlay network: the tunnel mesh.' }) links!: TopologyLinkView[];
}
