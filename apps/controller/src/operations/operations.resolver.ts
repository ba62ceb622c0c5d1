import { Args, ID, Query, Resolver, Subscription } from '@nestjs/graphql';
import { UuidParam } from '../common/params';
import { startedIterator } from '../graphql/started-iterator';
import { validArgs } from '../graphql/validate-args';
import { Operation } from './operations.graphql-types';
import type { OperationView } from './operation-status';
import { OperationsService } from './operations.service';

/** Operations over GraphQL: looked up, or followed over graphql-ws until final (viewer). */
@Resolver()
export class OperationsResolver {
  constructor(private readonly operations: OperationsService) {}

  @Query(() => Operation, { name: 'operation' })
  async get(@Args('id', { type: () => ID }) id: string): Promise<Operation> {
    const params = await validArgs(UuidParam, { id });
    return this.operations.get(params.id);
  }

  /**
   * The operation now, then each time it changes, ending after it is applied or failed. Woken
   * by the agents' events through Redis: it follows a change made through any controller process.
   */
  @Subscription(() => Operation, {
    name: 'operationProgress',
    description: 'The operation now, then each time it changes; completes once it is applied or failed (graphql-ws only).',
    resolve: (view: OperationView) => view,
  })
  async progress(@Args('id', { type: () => ID }) id: string): Promise<AsyncIterableIterator<OperationView>> {
    const params = await validArgs(UuidParam, { id });
    return startedIterator(this.operations.watch(params.id));
  }
}
