import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../auth';
import { mutationView } from '../common/mutation';
import { PageQuery } from '../common/pagination';
import { NetworkNameParam } from '../common/params';
import { GqlRequestId } from '../graphql/request-id';
import { AFTER, DRY_RUN, EXPLAIN, FIRST, PAGE_ARGUMENT_NAMES } from '../graphql/shared.graphql-types';
import { validArgs } from '../graphql/validate-args';
import { CreateNetworkInput, Network, NetworkMutation, NetworkPage, UpdateNetworkInput } from './networks.graphql-types';
import { NetworksService } from './networks.service';

/** The networks of /v1/networks, over GraphQL: reads need viewer, changes provisioner. */
@Resolver()
export class NetworksResolver {
  constructor(private readonly networks: NetworksService) {}

  @Query(() => NetworkPage, { name: 'networks', description: 'Networks, by name, a page at a time.' })
  async list(@Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null): Promise<NetworkPage> {
    return this.networks.list(await validArgs(PageQuery, { limit: first, cursor: after }, PAGE_ARGUMENT_NAMES));
  }

  @Query(() => Network, { name: 'network' })
  async get(@Args('name', { type: () => String }) name: string): Promise<Network> {
    const params = await validArgs(NetworkNameParam, { name });
    return this.networks.get(params.name);
  }

  @RequireRole('provisioner')
  @Mutation(() => NetworkMutation, { description: 'Create a network; every host it spans gets its local VLAN and tunnels.' })
  async createNetwork(
    @Args('input', { type: () => CreateNetworkInput }) input: CreateNetworkInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<NetworkMutation> {
    const outcome = await this.networks.create(input, dryRun ?? false, requestId);
    // A dry run stored nothing to read back: answer with the record it would have stored.
    return { network: await this.networks.get(outcome.value.name).catch(() => ({ ...outcome.value })), ...mutationView(outcome) };
  }

  @RequireRole('provisioner')
  @Mutation(() => NetworkMutation, { description: 'Change a network\'s MTU or the hosts it spans.' })
  async updateNetwork(
    @Args('name', { type: () => String }) name: string,
    @Args('input', { type: () => UpdateNetworkInput }) input: UpdateNetworkInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<NetworkMutation> {
    const params = await validArgs(NetworkNameParam, { name });
    const outcome = await this.networks.patch(params.name, input, dryRun ?? false, requestId);
    return { network: { ...outcome.value }, ...mutationView(outcome) };
  }

  @RequireRole('provisioner')
  @Mutation(() => NetworkMutation, { description: 'Delete a network (CONFLICT while it has attachments); its tunnels go on every host.' })
  async deleteNetwork(@Args('name', { type: () => String }) name: string, @Args('dryRun', DRY_RUN) dryRun: boolean | null, @Args('explain', EXPLAIN) _explain: boolean | null, @GqlRequestId() requestId: string | null): Promise<NetworkMutation> {
    const params = await validArgs(NetworkNameParam, { name });
    const outcome = await this.networks.remove(params.name, dryRun ?? false, requestId);
    return { network: null, ...mutationView(outcome) };
  }
}
