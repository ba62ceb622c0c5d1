import { Injectable } from '@nestjs/common';
import { spannedHosts } from '../desired-state';
import { HostStatusReader } from '../hosts/host-status';
import { StateStore } from '../state/state-store';
import { overlayLinks } from './topology-links';
import type { TopologyView } from './topology.dto';

/** The fleet at a glance: hosts and how far each has converged, networks and the hosts they span, the tunnel mesh. */
@Injectable()
export class TopologyService {
  constructor(
    private readonly store: StateStore,
    private readonly status: HostStatusReader,
  ) {}

  async topology(): Promise<TopologyView> {
    const reader = this.store.reader();
    const hosts = await reader.allHosts();
    const networks = await reader.allNetworks();
    const statuses = await this.status.statusOf(hosts.map((h) => h.id));
    return {
      hosts: hosts.map((host) => {
        const status = statuses.get(host.id);
        return {
          id: host.id,
          tunnelIp: host.tunnelIp,
          labels: host.labels,
          connected: status?.connected ?? false,
          appliedRevision: status?.appliedRevision ?? 0,
          desiredRevision: status?.desiredRevision ?? 0,
        };
      }),
      networks: networks.map((network) => ({
        name: network.name,
        type: network.type,
        segmentId: network.segmentId,
        hosts: spannedHosts(network, hosts).map((h) => h.id),
      })),
      links: overlayLinks(hosts, networks),
    };
  }
}
