import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ResourceRef as ResourceRefRecord } from './operation-record';
import type { HostErrorView, HostOperationState, HostOperationView, HostReceiptsView, OperationState, OperationView } from './operation-status';

export const OperationStateEnum = { pending: 'pending', applied: 'applied', failed: 'failed' } as const;
registerEnumType(OperationStateEnum, {
  name: 'OperationState',
  description: 'applied: every host applied it; failed: a host failed or did not answer in time; pending otherwise.',
});

@ObjectType()
export class ResourceRef implements ResourceRefRecord {
  @Field(() => String, { description: 'e.g. network' }) type!: string;
  @Field(() => String) id!: string;
}

@ObjectType()
export class HostError implements HostErrorView {
  @Field(() => String, { description: 'The agent\'s error code, or TIMED_OUT when the host did not answer before the deadline.' }) code!: string;
  @Field(() => String) message!: string;
  @Field(() => Boolean, { description: 'Whether the agent will try again.' }) retryable!: boolean;
}

@ObjectType({ description: 'When each step happened on one host (ISO 8601); null for a step that has not happened.' })
export class HostReceipts implements HostReceiptsView {
  @Field(() => String, { description: 'The controller accepted the change.' }) acceptedAt!: string;
  @Field(() => String, { nullable: true, description: 'The host\'s converge job was queued.' }) queuedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'The host\'s agent picked the job up.' }) pickedUpAt!: string | null;
  @Field(() => String, { nullable: true, description: 'The agent\'s OVSDB transaction committed.' }) committedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'ovs-vswitchd applied the change.' }) vswitchdAppliedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'The containers\' links were up.' }) linkUpAt!: string | null;
  @Field(() => String, { nullable: true, description: 'The agent reported the revision applied.' }) appliedAt!: string | null;
}

@ObjectType()
export class HostOperation implements HostOperationView {
  @Field(() => String) hostId!: string;
  @Field(() => Int, { description: 'Applied once the host reports this revision or a later one.' }) targetRevision!: number;
  @Field(() => OperationStateEnum) state!: HostOperationState;
  @Field(() => Int, { nullable: true, description: 'The revision the host last reported applied.' }) appliedRevision!: number | null;
  @Field(() => HostError, { nullable: true, description: 'failed: why; pending: the last error the agent will retry, if any.' }) error!: HostError | null;
  @Field(() => HostReceipts) receipts!: HostReceipts;
}

@ObjectType()
export class OperationCounts implements Record<HostOperationState, number> {
  @Field(() => Int) pending!: number;
  @Field(() => Int) applied!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType({ description: 'A change on its way to the hosts it affects, with each host\'s state and receipts.' })
export class Operation implements OperationView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'e.g. network.create' }) kind!: string;
  @Field(() => OperationStateEnum) state!: OperationState;
  @Field(() => String, { nullable: true, description: 'failed: each failed host and why.' }) message!: string | null;
  @Field(() => String) createdAt!: string;
  @Field(() => String, { description: 'Hosts that have not applied it by then have timed out.' }) deadline!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => ResourceRef, { nullable: true }) resource!: ResourceRef | null;
  @Field(() => OperationCounts) counts!: OperationCounts;
  @Field(() => [HostOperation], { description: 'Sorted by host id.' }) hosts!: HostOperation[];
}
