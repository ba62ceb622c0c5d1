import { Args, ArgsOptions, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../auth';
import { mutationView } from '../common/mutation';
import { PageQuery, pageOfItems } from '../common/pagination';
import { HostIdParam } from '../common/params';
import { GqlRequestId } from '../graphql/request-id';
import { AFTER, DRY_RUN, EXPLAIN, FIRST, PAGE_ARGUMENT_NAMES } from '../graphql/shared.graphql-types';
import { validArgs } from '../graphql/validate-args';
import { HostResourceParam } from './ovs-resource.dto';
import {
  Bridge,
  BridgeMutation,
  BridgePage,
  CreateBridgeInput,
  CreatePortInput,
  CreateTunnelInput,
  Port,
  PortMutation,
  PortPage,
  Tunnel,
  TunnelMutation,
  TunnelPage,
} from './ovs-resources.graphql-types';
import { OvsResourcesService } from './ovs-resources.service';

/** The host's id, named `id` as in REST's /v1/hosts/{id}/... (errors about it name `id`). */
const HOST_ID: ArgsOptions = { type: () => ID, description: 'The host\'s id.' };

/**
 * The operator bridges, ports and tunnels of /v1/hosts/{id}/bridges|ports|tunnels, over
 * GraphQL: reads need viewer, changes admin (as REST).
 */
@Resolver()
export class OvsResourcesResolver {
  constructor(private readonly resources: OvsResourcesService) {}

  @Query(() => BridgePage, { name: 'bridges', description: 'The operator bridges of a host, by name, a page at a time.' })
  async bridges(
    @Args('id', HOST_ID) id: string,
    @Args('first', FIRST) first: number | null,
    @Args('after', AFTER) after: string | null,
  ): Promise<BridgePage> {
    const params = await validArgs(HostIdParam, { id });
    const page = await validArgs(PageQuery, { limit: first, cursor: after }, PAGE_ARGUMENT_NAMES);
    return pageOfItems((await this.resources.resources(params.id)).bridges, (item) => item.name, page);
  }

  @Query(() => Bridge, { name: 'bridge' })
  async bridge(@Args('id', HOST_ID) id: string, @Args('name', { type: () => String }) name: string): Promise<Bridge> {
    const params = await validArgs(HostResourceParam, { id, name });
    return this.resources.bridge(params.id, params.name);
  }

  @RequireRole('admin')
  @Mutation(() => BridgeMutation, { description: 'Add a bridge to a host (e.g. a vlan network\'s provider bridge).' })
  async createBridge(
    @Args('id', HOST_ID) id: string,
    @Args('input', { type: () => CreateBridgeInput }) input: CreateBridgeInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<BridgeMutation> {
    const params = await validArgs(HostIdParam, { id });
    const outcome = await this.resources.createBridge(params.id, input, dryRun ?? false, requestId);
    return { bridge: outcome.value, ...mutationView(outcome) };
  }

  @RequireRole('admin')
  @Mutation(() => BridgeMutation, { description: 'Remove an operator bridge (CONFLICT while ports, tunnels or a vlan network use it).' })
  async deleteBridge(
    @Args('id', HOST_ID) id: string,
    @Args('name', { type: () => String }) name: string,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<BridgeMutation> {
    const params = await validArgs(HostResourceParam, { id, name });
    const outcome = await this.resources.removeBridge(params.id, params.name, dryRun ?? false, requestId);
    return { bridge: outcome.value, ...mutationView(outcome) };
  }

  @Query(() => PortPage, { name: 'ports', description: 'The operator ports of a host, by name, a page at a time.' })
  async ports(
    @Args('id', HOST_ID) id: string,
    @Args('first', FIRST) first: number | null,
    @Args('after', AFTER) after: string | null,
  ): Promise<PortPage> {
    const params = await validArgs(HostIdParam, { id });
    const page = await validArgs(PageQuery, { limit: first, cursor: after }, PAGE_ARGUMENT_NAMES);
    return pageOfItems((await this.resources.resources(params.id)).ports, (item) => item.name, page);
  }

  @Query(() => Port, { name: 'port' })
  async port(@Args('id', HOST_ID) id: string, @Args('name', { type: () => String }) name: string): Promise<Port> {
    const params = await validArgs(HostResourceParam, { id, name });
    return this.resources.port(params.id, params.name);
  }

  @RequireRole('admin')
  @Mutation(() => PortMutation, { description: 'Add an access, trunk, internal or patch port to one of the host\'s bridges.' })
  async createPort(
    @Args('id', HOST_ID) id: string,
    @Args('input', { type: () => CreatePortInput }) input: CreatePortInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<PortMutation> {
    const params = await validArgs(HostIdParam, { id });
    const outcome = await this.resources.createPort(params.id, input, dryRun ?? false, requestId);
    return { port: outcome.value, ...mutationView(outcome) };
  }

  @RequireRole('admin')
  @Mutation(() => PortMutation, { description: 'Remove an operator port.' })
  async deletePort(
    @Args('id', HOST_ID) id: string,
    @Args('name', { type: () => String }) name: string,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<PortMutation> {
    const params = await validArgs(HostResourceParam, { id, name });
    const outcome = await this.resources.removePort(params.id, params.name, dryRun ?? false, requestId);
    return { port: outcome.value, ...mutationView(outcome) };
  }

  @Query(() => TunnelPage, { name: 'tunnels', description: 'The operator tunnels of a host, by name, a page at a time.' })
  async tunnels(
    @Args('id', HOST_ID) id: string,
    @Args('first', FIRST) first: number | null,
    @Args('after', AFTER) after: string | null,
  ): Promise<TunnelPage> {
    const params = await validArgs(HostIdParam, { id });
    const page = await validArgs(PageQuery, { limit: first, cursor: after }, PAGE_ARGUMENT_NAMES);
    return pageOfItems((await this.resources.resources(params.id)).tunnels, (item) => item.name, page);
  }

  @Query(() => Tunnel, { name: 'tunnel' })
  async tunnel(@Args('id', HOST_ID) id: string, @Args('name', { type: () => String }) name: string): Promise<Tunnel> {
    const params = await validArgs(HostResourceParam, { id, name });
    return this.resources.tunnel(params.id, params.name);
  }

  @RequireRole('admin')
  @Mutation(() => TunnelMutation, { description: 'Add a VXLAN, Geneve or GRE tunnel port to one of the host\'s bridges.' })
  async createTunnel(
    @Args('id', HOST_ID) id: string,
    @Args('input', { type: () => CreateTunnelInput }) input: CreateTunnelInput,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<TunnelMutation> {
    const params = await validArgs(HostIdParam, { id });
    const outcome = await this.resources.createTunnel(params.id, input, dryRun ?? false, requestId);
    return { tunnel: outcome.value, ...mutationView(outcome) };
  }

  @RequireRole('admin')
  @Mutation(() => TunnelMutation, { description: 'Remove an operator tunnel.' })
  async deleteTunnel(
    @Args('id', HOST_ID) id: string,
    @Args('name', { type: () => String }) name: string,
    @Args('dryRun', DRY_RUN) dryRun: boolean | null,
    @Args('explain', EXPLAIN) _explain: boolean | null, // read by ExplainInterceptor
    @GqlRequestId() requestId: string | null,
  ): Promise<TunnelMutation> {
    const params = await validArgs(HostResourceParam, { id, name });
    const outcome = await this.resources.removeTunnel(params.id, params.name, dryRun ?? false, requestId);
    return { tunnel: outcome.value, ...mutationView(outcome) };
  }
}
