import { Query, Resolver } from '@nestjs/graphql';
import { Topology } from './topology.graphql-types';
import { TopologyService } from './topology.service';

/** GET /v1/topology over GraphQL (viewer, as every read). */
@Resolver()
export class TopologyResolver {
  constructor(private readonly topology: TopologyService) {}

  @Query(() => Topology, { name: 'topology', description: 'Hosts with their applied and desired revisions, networks with the hosts they span, and the overlay tunnels between hosts.' })
  get(): Promise<Topology> {
    return this.topology.topology();
  }
}
