import { ArgsOptions, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { HostChangeView, MutationView, OperationHostRef as OperationHostRefView, OperationRef as OperationRefView } from '../common/mutation';
import { OperationStateEnum } from '../operations/operations.graphql-types';
import type { HostOperationState, OperationState } from '../operations/operation-status';
import { JSONObjectScalar } from './json-object.scalar';

@ObjectType({ description: 'A host of an operation, as its change was accepted.' })
export class OperationHostRef implements OperationHostRefView {
  @Field(() => String) hostId!: string;
  @Field(() => Int) targetRevision!: number;
  @Field(() => OperationStateEnum, { description: 'pending: the host has yet to apply it.' }) state!: HostOperationState;
}

@ObjectType({ description: 'The operation that tracks a change until every affected host has applied it (query `operation`, subscribe to `operationProgress`).' })
export class OperationRef implements OperationRefView {
  @Field(() => ID) id!: string;
  @Field(() => JSONObjectScalar, { description: 'Per host id: the desired-state revision it must reach.' }) targets!: Record<string, number>;
  @Field(() => OperationStateEnum, { description: 'As the change was accepted: pending until every host applied it (applied at once when it changes no host).' }) state!: OperationState;
  @Field(() => [OperationHostRef], { description: 'Each host, sorted by id, as the change was accepted; `operation` and `operationProgress` follow them.' }) hosts!: OperationHostRef[];
}

@ObjectType({ description: 'How one host\'s desired state changes (or would change, in a dry run).' })
export class HostChange implements HostChangeView {
  @Field(() => String) hostId!: string;
  @Field(() => Int) fromRevision!: number;
  @Field(() => Int) toRevision!: number;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Dry runs: bridges, ports, tunnels, attachments and networks that would be added, changed and removed; null for a real change.' }) diff?: object;
  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: "Dry runs with explain: true: the host's agent's own plan ({answered: true, plan: {steps, ovsdbOperations, conflicts, empty}}) or why it did not answer.",
  })
  agentPlan?: object;
}

/** The fields every mutation answers with, beside the resource (as REST's MutationView). */
@ObjectType({ isAbstract: true })
export abstract class MutationResult implements MutationView {
  @Field(() => Boolean, { description: 'true: nothing was changed; `changes` is what would have changed.' }) dryRun!: boolean;
  @Field(() => OperationRef, { nullable: true, description: 'null for a dry run.' }) operation!: OperationRef | null;
  @Field(() => [HostChange]) changes!: HostChange[];
}

/** The `dryRun` argument of every mutation. */
export const DRY_RUN: ArgsOptions = {
  type: () => Boolean,
  nullable: true,
  defaultValue: false,
  description: 'true: change nothing, answer with what would change on each host.',
};

/** The `explain` argument of every mutation (REST's `explain=true`). */
export const EXPLAIN: ArgsOptions = {
  type: () => Boolean,
  nullable: true,
  defaultValue: false,
  description: "With dryRun: true, also ask each affected host's agent what it would do (changes[].agentPlan).",
};

@ObjectType({ isAbstract: true })
export abstract class Page {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' }) nextCursor!: string | null;
}

/** The paging arguments of a list, as REST's `limit` and `cursor`. */
export const FIRST: ArgsOptions = { type: () => Int, nullable: true, description: 'Items per page (1..500, default 100).' };
export const AFTER: ArgsOptions = { type: () => String, nullable: true, description: 'The `nextCursor` of the previous page.' };
/** PageQuery's fields by the arguments' names, for validArgs. */
export const PAGE_ARGUMENT_NAMES = { limit: 'first', cursor: 'after' };
