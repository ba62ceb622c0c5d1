import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { NetworkRecord } from '@ovs-fleet/contracts';
import { HostStatusReader } from '../hosts/host-status';
import { IpamService } from '../ipam/ipam.service';
import { HostQueues } from '../jobs/host-queues';
import { ControllerMetrics } from '../observability/metrics';
import { OperationsService } from '../operations/operations.service';
import { REDIS } from '../redis/redis.module';
import { stateKeys } from '../state/state-keys';

/** Feeds the controller's fleet metrics from the features that know the numbers. */
@Injectable()
export class FleetMetrics implements OnModuleInit, OnModuleDestroy {
  private stopLatency: (() => void) | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: ControllerMetrics,
    private readonly queues: HostQueues,
    private readonly operations: OperationsService,
    private readonly status: HostStatusReader,
    private readonly ipam: IpamService,
  ) {}

  onModuleInit(): void {
    this.metrics.registerJobStateCollector(() => this.queues.jobCounts());
    this.stopLatency = this.operations.onHostApplied((event) => this.metrics.operationHostLatency.observe({ host: event.hostId }, event.latencyMs / 1000));
    this.metrics.registerScrapeCollector(() => this.collectHosts());
    this.metrics.registerScrapeCollector(() => this.collectIpam());
  }

  onModuleDestroy(): void {
    this.stopLatency?.();
  }

  private async collectHosts(): Promise<void> {
    const ids = await this.redis.zrange(stateKeys.hostIndex, '0', '-1');
    const statuses = await this.status.statusOf(ids);
    this.metrics.hosts.set(ids.length);
    this.metrics.hostsConverged.set([...statuses.values()].filter((s) => s.appliedRevision >= s.desiredRevision).length);
  }

  private async collectIpam(): Promise<void> {
    const names = await this.redis.zrange(stateKeys.networkIndex, '0', '-1');
    const texts = names.length ? await this.redis.mget(names.map(stateKeys.network)) : [];
    this.metrics.ipamAddresses.reset();
    for (const network of texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as NetworkRecord)) {
      for (const subnet of network.subnets) {
        const usage = await this.ipam.usage(network.name, subnet);
        this.metrics.ipamAddresses.set({ network: network.name, subnet: subnet.cidr, kind: 'allocated' }, usage.allocated);
        this.metrics.ipamAddresses.set({ network: network.name, subnet: subnet.cidr, kind: 'capacity' }, usage.capacity);
      }
    }
  }
}
