import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../auth';
import { mutationView } from '../common/mutation';
import { PageQuery } from '../common/pagination';
import { HostIdParam } from '../common/params';
import { GqlRequestId } from '../graphql/request-id';
import { AFTER, DRY_RUN, EXPLAIN, FIRST, PAGE_ARGUMENT_NAMES } from '../graphql/shared.graphql-types';
import { validArgs } from '../graphql/validate-args';
import { AgentCredentialsService } from './agent-credentials.service';
import { AgentCredentials, HostMutation, HostPage, PutHostInput, Host } from './hosts.graphql-types';
import { HostsService } from './hosts.service';

/** The hosts of GET/PUT/DELETE /v1/hosts and their agents' credentials, over GraphQL: reads need viewer, changes admin. */
@Resolver()
export class HostsResolver {
  constructor(
    private readonly hosts: HostsService,
    private readonly credentials: AgentCredentialsService,
  ) {}

  @Query(() => HostPage, { name: 'hosts', description: 'Hosts, by id, a page at a time.' })
  async list(@Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null): Promise<HostPage> {
    return this.hosts.list(await validArgs(PageQuery, { limit: first, cursor: after }, PAGE_ARGUMENT_NAMES));
  }

  @Query(() => Host, { name: 'host' })
  async get(@Args('id', { type: () => ID }) id: string): Promise<Host> {
    const params = await validArgs(HostIdParam, { id });
    return this.hosts.get(params.id);
  }

  @RequireRole('admin')
  @Mutation(() => HostMutation, { description: 'Register a host, or update it (every mesh it is in follows).' })
  async putHost(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => PutHostInput }) input: PutHostInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<HostMutation> {
    const params = await validArgs(HostIdParam, { id });
    const outcome = await this.hosts.put(params.id, input, dryRun ?? false, requestId);
    return { host: (await this.hosts.views([outcome.value]))[0], ...mutationView(outcome) };
  }

  @RequireRole('admin')
  @Mutation(() => HostMutation, { description: 'Drain a host: its attachments are removed and it leaves every mesh.' })
  async deleteHost(@Args('id', { type: () => ID }) id: string, @Args('dryRun', DRY_RUN) dryRun: boolean | null, @Args('explain', EXPLAIN) _explain: boolean | null, @GqlRequestId() requestId: string | null): Promise<HostMutation> {
    const params = await validArgs(HostIdParam, { id });
    const outcome = await this.hosts.remove(params.id, dryRun ?? false, requestId);
    return { host: null, ...mutationView(outcome) };
  }

  @RequireRole('admin')
  @Mutation(() => AgentCredentials, {
    description: 'Issue (or rotate) the Redis credentials of the host\'s agent: a Redis user that may only read this host\'s desired state, use its queue and write its status, reports and events.',
  })
  async issueAgentCredentials(@Args('id', { type: () => ID }) id: string): Promise<AgentCredentials> {
    const params = await validArgs(HostIdParam, { id });
    return this.credentials.issue(params.id);
  }

  @RequireRole('admin')
  @Mutation(() => Boolean, {
    description:
      'Remove the Redis user of the host\'s agent (after draining a host, once its agent has cleaned up); for a host already deleted, its job queue too, and what it left (its last document and revision, its agent\'s status and reports) expires with the operations that read it (7 days) unless the host is registered again. Answers true.',
  })
  async revokeAgentCredentials(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    const params = await validArgs(HostIdParam, { id });
    await this.credentials.revoke(params.id);
    return true;
  }
}
