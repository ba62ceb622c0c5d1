import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { NetworkType } from '@ovs-fleet/contracts';
import { JSONObjectScalar } from '../graphql/json-object.scalar';
import { NetworkTypeEnum } from '../networks/networks.graphql-types';
import { TopologyHostView, TopologyLinkView, TopologyNetworkView, TopologyView } from './topology.dto';

@ObjectType({ description: 'A host and how far it has converged.' })
export class TopologyHost implements TopologyHostView {
  @Field(() => String) id!: string;
  @Field(() => String) tunnelIp!: string;
  @Field(() => JSONObjectScalar) labels!: Record<string, string>;
  @Field(() => Boolean, { description: 'A heartbeat came within the last 15 s.' }) connected!: boolean;
  @Field(() => Int, { description: 'The last revision its agent applied (0: none yet).' }) appliedRevision!: number;
  @Field(() => Int, { description: 'The revision of its desired state.' }) desiredRevision!: number;
}

@ObjectType({ description: 'A network and the hosts it spans.' })
export class TopologyNetwork implements TopologyNetworkView {
  @Field(() => String) name!: string;
  @Field(() => NetworkTypeEnum) type!: NetworkType;
  @Field(() => Float, { description: 'VNI, GRE key or VLAN id (a Float: GRE keys exceed GraphQL\'s 32-bit Int).' }) segmentId!: number;
  @Field(() => [String], { description: 'Ids of the hosts the network spans.' }) hosts!: string[];
}

@ObjectType({ description: 'An overlay tunnel between two hosts.' })
export class TopologyLink implements TopologyLinkView {
  @Field(() => String, { description: 'The overlay network the tunnel carries.' }) network!: string;
  @Field(() => String, { description: 'One end (the lower host id).' }) a!: string;
  @Field(() => String, { description: 'The other end.' }) b!: string;
}

@ObjectType({ description: 'The fleet at a glance, as GET /v1/topology.' })
export class Topology implements TopologyView {
  @Field(() => [TopologyHost]) hosts!: TopologyHost[];
  @Field(() => [TopologyNetwork]) networks!: TopologyNetwork[];
  @Field(() => [TopologyLink], { description: 'One per pair of hosts per overlay network: the tunnel mesh.' }) links!: TopologyLink[];
}
