import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { HostRecord, NetworkRecord } from '@ovs-fleet/contracts';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { Page, PageQuery, pageOfNames } from '../common/pagination';
import { spans, validateGivenMtu } from '../desired-state';
import { REDIS } from '../redis/redis.module';
import { MutationOutcome, StateStore } from '../state/state-store';
import { stateKeys } from '../state/state-keys';
import type { HostView, PutHostDto } from './host.dto';
import { HostStatusReader } from './host-status';

export const DEFAULT_INTEGRATION_BRIDGE = 'br-int';

@Injectable()
export class HostsService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
    private readonly status: HostStatusReader,
  ) {}

  /** Registers a host or updates it; every host sharing a network with it gets a new mesh. */
  async put(id: string, dto: PutHostDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<HostRecord>> {
    return this.store.mutate({ kind: 'host.put', resource: { type: 'host', id }, dryRun, requestId }, async (tx) => {
      const hosts = await tx.allHosts();
      const existing = hosts.find((h) => h.id === id);
      const clash = hosts.find((h) => h.id !== id && h.tunnelIp === dto.tunnelIp);
      if (clash) throw new ConflictError('tunnelIp', `${dto.tunnelIp} is already the tunnel endpoint of host ${clash.id}`);
      const now = new Date().toISOString();
      const host: HostRecord = {
        id,
        tunnelIp: dto.tunnelIp,
        underlayMtu: dto.underlayMtu ?? existing?.underlayMtu ?? 1500,
        labels: dto.labels ?? existing?.labels ?? {},
        integrationBridge: dto.integrationBridge ?? existing?.integrationBridge ?? DEFAULT_INTEGRATION_BRIDGE,
        datapathType: dto.datapathType ?? existing?.datapathType ?? 'system',
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (existing && host.integrationBridge !== existing.integrationBridge && (await tx.attachmentsOfHost(id)).length > 0) {
        throw new ConflictError('integrationBridge', `host ${id} has attachments on ${existing.integrationBridge}; detach them before renaming its integration bridge`);
      }
      const networks = await tx.allNetworks();
      if (existing && dto.labels !== undefined) {
        const left = new Set(networks.filter((n) => spans(n, existing) && !spans(n, host)).map((n) => n.name));
        const stranded = left.size > 0 ? (await tx.attachmentsOfHost(id)).filter((a) => left.has(a.network)) : [];
        if (stranded.length > 0) {
          throw new ConflictError('labels', `attachments ${stranded.map((a) => `${a.id} (network ${a.network})`).join(', ')} are on networks the new labels take host ${id} out of; detach them first`);
        }
      }
      refuseFixedMtusItCannotCarry(host, existing, networks);
      tx.putHost(host);
      return host;
    });
  }

  /** Drains a host: its attachments go, it leaves every mesh, its agent is told to remove what it made. */
  async remove(id: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<HostRecord>> {
    return this.store.mutate({ kind: 'host.delete', resource: { type: 'host', id }, dryRun, requestId }, async (tx) => {
      const host = await tx.host(id);
      if (!host) throw new NotFoundError('id', `host ${id} is not registered`);
      for (const attachment of await tx.attachmentsOfHost(id)) await tx.deleteAttachment(attachment.id);
      tx.deleteHost(id);
      return host;
    });
  }

  async get(id: string): Promise<HostView> {
    const host = await this.store.reader().host(id);
    if (!host) throw new NotFoundError('id', `host ${id} is not registered`);
    return (await this.views([host]))[0];
  }

  async list(query: PageQuery): Promise<Page<HostView>> {
    const { names, nextCursor } = await pageOfNames(this.redis, stateKeys.hostIndex, query);
    const texts = names.length ? await this.redis.mget(names.map(stateKeys.host)) : [];
    const hosts = texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as HostRecord);
    return { items: await this.views(hosts), nextCursor };
  }

  /** Every registered host with the age of its agent's last heartbeat (never heard: -1), for /health. */
  async ages(): Promise<{ id: string; ageSeconds: number }[]> {
    const ids = await this.redis.zrange(stateKeys.hostIndex, '0', '-1');
    const statuses = await this.status.statusOf(ids);
    return ids.map((id) => ({ id, ageSeconds: statuses.get(id)?.heartbeatAgeSeconds ?? -1 }));
  }

  async views(hosts: HostRecord[]): Promise<HostView[]> {
    const statuses = await this.status.statusOf(hosts.map((h) => h.id));
    return hosts.map((host) => ({ ...host, status: statuses.get(host.id) as HostView['status'] }));
  }
}

/**
 * A network whose MTU was given (not derived) keeps it: a host that would span it but whose
 * underlay could not carry it (a smaller underlay MTU, an IPv6 tunnel endpoint's larger
 * overhead, labels that bring it in) is refused, naming what the request changed.
 */
function refuseFixedMtusItCannotCarry(host: HostRecord, existing: HostRecord | undefined, networks: readonly NetworkRecord[]): void {
  for (const network of networks) {
    if (network.mtuDerived || !spans(network, host)) continue;
    const problem = validateGivenMtu(network.type, network.mtu, [host]);
    if (problem === null) continue;
    const field =
      existing === undefined || host.underlayMtu !== existing.underlayMtu ? 'underlayMtu' : host.tunnelIp !== existing.tunnelIp ? 'tunnelIp' : 'labels';
    throw new ConflictError(field, `network ${network.name} keeps the MTU it was given, and ${problem}; lower the network's MTU first (PATCH mtu, or null to derive it)`);
  }
}
