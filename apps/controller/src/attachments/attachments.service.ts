import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AttachmentRecord, HostRecord, NetworkRecord, SubnetRecord } from '@ovs-fleet/contracts';
import { BadRequestError, ConflictError, NotFoundError } from '../common/api-errors';
import { Page, pageOfNames } from '../common/pagination';
import { spans } from '../desired-state';
import type { HostStatusView } from '../hosts/host.dto';
import { HostStatusReader } from '../hosts/host-status';
import { IpamService } from '../ipam/ipam.service';
import { containsAddress } from '../ipam/subnet';
import { REDIS } from '../redis/redis.module';
import { MutationOutcome, StateStore } from '../state/state-store';
import { stateKeys } from '../state/state-keys';
import type { AttachmentQuery, AttachmentView, CreateAttachmentDto } from './attachment.dto';
import { BatchedReads } from './batched-reads';
import { containerRef } from './container-ref';
import { generatedMac } from './mac';

/** Each key read by `read`, in parallel; keys with nothing stored are left out. */
async function readEach<V>(keys: string[], read: (key: string) => Promise<V | undefined>): Promise<Map<string, V>> {
  const values = new Map<string, V>();
  await Promise.all(
    keys.map(async (key) => {
      const value = await read(key);
      if (value !== undefined) values.set(key, value);
    }),
  );
  return values;
}

/** What the controller stores: the shared record plus the host revision that first includes it. */
export interface StoredAttachment extends AttachmentRecord {
  revision: number;
}

@Injectable()
export class AttachmentsService {
  /** Concurrent requests share these reads (the records are read-only to them); see BatchedReads. */
  private readonly networks: BatchedReads<NetworkRecord>;
  private readonly hosts: BatchedReads<HostRecord>;
  private readonly statuses: BatchedReads<HostStatusView>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
    private readonly ipam: IpamService,
    status: HostStatusReader,
  ) {
    this.networks = new BatchedReads((names) => {
      const reader = this.store.reader();
      return readEach(names, (name) => reader.network(name));
    });
    this.hosts = new BatchedReads((ids) => {
      const reader = this.store.reader();
      return readEach(ids, (id) => reader.host(id));
    });
    this.statuses = new BatchedReads((ids) => status.statusOf(ids));
  }

  /**
   * The cheap checks and the addresses come first, outside the write lock (the IPAM is atomic
   * on its own, so concurrent requests allocate in parallel); the decision under the lock
   * checks again what may have changed meanwhile and gives the addresses back if it refuses.
   */
  async create(dto: CreateAttachmentDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<StoredAttachment>> {
    const container = containerRef(dto.container);
    const id = randomUUID();
    const ifname = dto.ifname ?? 'eth0';
    const [network, host] = await Promise.all([this.networks.get(dto.network), this.hosts.get(dto.host)]);
    if (!network) throw new NotFoundError('network', `network ${dto.network} does not exist`);
    if (!host) throw new NotFoundError('host', `host ${dto.host} is not registered`);
    if (!spans(network, host)) throw new ConflictError('host', `network ${network.name} does not span host ${host.id} (its hosts: ${JSON.stringify(network.hosts)})`);
    const requested = this.requestedBySubnet(network, dto.addresses ?? []);
    const routes = (dto.routes ?? []).map((route, i) => {
      if (route.via !== undefined && !network.subnets.some((s) => containsAddress(s, route.via as string))) {
        throw new BadRequestError(`routes[${i}].via`, `${route.via} is not inside a subnet of network ${network.name}`);
      }
      return { to: route.to, via: route.via ?? null };
    });
    const wanted = network.subnets.map((subnet) => {
      const address = requested.get(subnet.cidr) ?? null;
      return { network: network.name, subnet, owner: id, requested: address, field: address ? `addresses[${(dto.addresses ?? []).indexOf(address)}]` : 'addresses' };
    });
    const reserved = dryRun ? { addresses: await this.ipam.peekMany(wanted), undo: async () => undefined } : await this.ipam.reserve(wanted);
    return this.store.mutate(
      { kind: 'attachment.create', resource: { type: 'attachment', id }, dryRun, requestId },
      async (tx) => {
        const now = await tx.network(network.name);
        if (!now) throw new NotFoundError('network', `network ${network.name} does not exist`);
        if (JSON.stringify(now.subnets) !== JSON.stringify(network.subnets)) throw new ConflictError('network', `network ${network.name} changed while the request was made; try again`);
        const hostNow = await tx.host(host.id);
        if (!hostNow) throw new NotFoundError('host', `host ${host.id} is not registered`);
        if (!spans(now, hostNow)) throw new ConflictError('host', `network ${network.name} does not span host ${host.id} (its hosts: ${JSON.stringify(now.hosts)})`);
        const twin = await tx.attachmentOfContainer(host.id, container, ifname);
        if (twin) throw new ConflictError('ifname', `the container already has ${ifname} (attachment ${twin.id})`);
        const mac = dto.mac?.toLowerCase() ?? generatedMac(id);
        const macHolder = await tx.attachmentWithMac(network.name, mac);
        if (macHolder) throw new ConflictError('mac', `${mac} is used by attachment ${macHolder.id} on network ${network.name}`);
        const attachment: StoredAttachment = {
          id,
          network: network.name,
          host: host.id,
          container,
          ifname,
          mac,
          addresses: reserved.addresses,
          gateway: dto.gateway ?? true,
          routes,
          createdAt: new Date().toISOString(),
          revision: (await tx.hostRevision(host.id)) + 1,
        };
        await tx.createAttachment(attachment);
        return attachment;
      },
      { undo: reserved.undo },
    );
  }

  async remove(id: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<StoredAttachment>> {
    return this.store.mutate(
      { kind: 'attachment.delete', resource: { type: 'attachment', id }, dryRun, requestId },
      async (tx) => {
        const attachment = (await tx.attachment(id)) as StoredAttachment | undefined;
        if (!attachment) throw new NotFoundError('id', `attachment ${id} does not exist`);
        await tx.deleteAttachment(id);
        return attachment;
      },
    );
  }

  async get(id: string): Promise<AttachmentView> {
    const attachment = (await this.store.reader().attachment(id)) as StoredAttachment | undefined;
    if (!attachment) throw new NotFoundError('id', `attachment ${id} does not exist`);
    return (await this.views([attachment]))[0];
  }

  async list(query: AttachmentQuery): Promise<Page<AttachmentView>> {
    let ids: string[];
    let nextCursor: string | null;
    if (query.network || query.host) {
      const sets = [query.network && stateKeys.networkAttachments(query.network), query.host && stateKeys.hostAttachments(query.host)].filter((k): k is string => !!k);
      const members = (sets.length === 2 ? await this.redis.sinter(...sets) : await this.redis.smembers(sets[0])).sort();
      const after = query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : null;
      const rest = after ? members.filter((m) => m > after) : members;
      const limit = query.limit ?? 100;
      ids = rest.slice(0, limit);
      nextCursor = rest.length > limit ? Buffer.from(ids[ids.length - 1]).toString('base64url') : null;
    } else {
      ({ names: ids, nextCursor } = await pageOfNames(this.redis, stateKeys.attachmentIndex, query));
    }
    const texts = ids.length ? await this.redis.mget(ids.map(stateKeys.attachment)) : [];
    const attachments = texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as StoredAttachment);
    return { items: await this.views(attachments), nextCursor };
  }

  async views(attachments: StoredAttachment[]): Promise<AttachmentView[]> {
    const hostIds = [...new Set(attachments.map((a) => a.host))];
    const found = await Promise.all(hostIds.map((id) => this.statuses.get(id)));
    const statuses = new Map(hostIds.map((id, i) => [id, found[i]]));
    return attachments.map((a) => {
      const host = statuses.get(a.host);
      return {
        ...a,
        status: { state: host && host.appliedRevision >= a.revision ? 'applied' : 'pending', hostConnected: host?.connected ?? false },
      };
    });
  }

  /** The requested addresses keyed by the subnet that holds each; at most one per subnet. */
  private requestedBySubnet(network: NetworkRecord, addresses: string[]): Map<string, string> {
    const bySubnet = new Map<string, string>();
    addresses.forEach((address, i) => {
      const subnet: SubnetRecord | undefined = network.subnets.find((s) => containsAddress(s, address));
      if (!subnet) throw new BadRequestError(`addresses[${i}]`, `${address} is not inside a subnet of network ${network.name} (${network.subnets.map((s) => s.cidr).join(', ') || 'it has none'})`);
      if (bySubnet.has(subnet.cidr)) throw new BadRequestError(`addresses[${i}]`, `only one address per subnet: ${bySubnet.get(subnet.cidr)} is already requested in ${subnet.cidr}`);
      bySubnet.set(subnet.cidr, address);
    });
    return bySubnet;
  }
}
