import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { DatapathType } from '@ovs-fleet/contracts';
import { JSONObjectScalar } from '../graphql/json-object.scalar';
import { MutationResult, Page } from '../graphql/shared.graphql-types';
import { AgentCredentialsView, HostStatusView, HostView, PutHostDto } from './host.dto';

export const DatapathTypeEnum = { system: 'system', netdev: 'netdev' } as const;
registerEnumType(DatapathTypeEnum, { name: 'DatapathType', description: 'OVS datapath: system (kernel) or netdev (userspace).' });

/** PutHostDto as a GraphQL input: the same class-validator rules, inherited. */
@InputType({ description: 'A host to register, or its new settings.' })
export class PutHostInput extends PutHostDto {
  @Field(() => String, { description: 'The host\'s tunnel endpoint on the underlay.' }) declare tunnelIp: string;
  @Field(() => Int, { nullable: true, description: 'MTU of the underlay (576..65535, default 1500).' }) declare underlayMtu?: number;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Labels: string keys and values.' }) declare labels?: Record<string, string>;
  @Field(() => String, { nullable: true, description: 'Integration bridge name (default br-int).' }) declare integrationBridge?: string;
  @Field(() => DatapathTypeEnum, { nullable: true, description: 'Default system.' }) declare datapathType?: DatapathType;
}

@ObjectType({ description: 'What the host\'s agent reports.' })
export class HostStatus implements HostStatusView {
  @Field(() => Boolean, { description: 'A heartbeat came within the last 15 s.' }) connected!: boolean;
  @Field(() => String, { nullable: true }) lastHeartbeat!: string | null;
  @Field(() => Float, { nullable: true }) heartbeatAgeSeconds!: number | null;
  @Field(() => String, { nullable: true }) ovsVersion!: string | null;
  @Field(() => Int) appliedRevision!: number;
  @Field(() => Int) desiredRevision!: number;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'The last error the agent reported for a revision it has not applied yet.' }) error!: object | null;
}

@ObjectType()
export class Host implements HostView {
  @Field(() => ID) id!: string;
  @Field(() => String) tunnelIp!: string;
  @Field(() => Int) underlayMtu!: number;
  @Field(() => JSONObjectScalar) labels!: Record<string, string>;
  @Field(() => String) integrationBridge!: string;
  @Field(() => DatapathTypeEnum) datapathType!: DatapathType;
  @Field(() => String) createdAt!: string;
  @Field(() => String) updatedAt!: string;
  @Field(() => HostStatus) status!: HostStatus;
}

@ObjectType()
export class HostPage extends Page {
  @Field(() => [Host]) items!: Host[];
}

@ObjectType()
export class HostMutation extends MutationResult {
  @Field(() => Host, { nullable: true, description: 'null when deleted.' }) host!: Host | null;
}

@ObjectType({ description: 'The Redis user of a host\'s agent.' })
export class AgentCredentials implements AgentCredentialsView {
  @Field(() => String, { description: 'The Redis user of the host\'s agent (agent-<host id>).' }) username!: string;
  @Field(() => String, { description: 'Shown once; issuing again rotates it. Put both in the agent\'s OVS_FLEET_REDIS_URL (redis://USER:PASSWORD@HOST:PORT).' }) password!: string;
}
