import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AttachmentRecord, NetworkRecord, SubnetRecord } from '@ovs-fleet/contracts';
import { BadRequestError, ConflictError, NotFoundError } from '../common/api-errors';
import { Page, pageOfNames } from '../common/pagination';
import { spans } from '../desired-state';
import { HostStatusReader } from '../hosts/host-status';
import { IpamService } from '../ipam/ipam.service';
import { containsAddress } from '../ipam/subnet';
import { REDIS } from '../redis/redis.module';
import { MutationOutcome, StateStore } from '../state/state-store';
import { stateKeys } from '../state/state-keys';
import type { StateTransaction } from '../state/state-transaction';
import type { AttachmentQuery, AttachmentView, CreateAttachmentDto } from './attachment.dto';
import { containerRef } from './container-ref';
import { generatedMac } from './mac';

/** What the controller stores: the shared record plus the host revision that first includes it. */
export interface StoredAttachment extends AttachmentRecord {
  revision: number;
}

interface Allocation {
  network: string;
  cidr: string;
  address: string;
  owner: string;
}

@Injectable()
export class AttachmentsService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
    private readonly ipam: IpamService,
    private readonly status: HostStatusReader,
  ) {}

  async create(dto: CreateAttachmentDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<StoredAttachment>> {
    const container = containerRef(dto.container);
    const id = randomUUID();
    const allocated: Allocation[] = [];
    const release = async () => {
      await Promise.all(allocated.splice(0).map((a) => this.ipam.release(a.network, a.cidr, a.address, a.owner)));
    };
    return this.store.mutate(
      { kind: 'attachment.create', resource: { type: 'attachment', id }, dryRun, requestId },
      async (tx) => {
        const network = await tx.network(dto.network);
        if (!network) throw new NotFoundError('network', `network ${dto.network} does not exist`);
        const host = await tx.host(dto.host);
        if (!host) throw new NotFoundError('host', `host ${dto.host} is not registered`);
        if (!spans(network, host)) throw new ConflictError('host', `network ${network.name} does not span host ${host.id} (its hosts: ${JSON.stringify(network.hosts)})`);
        const ifname = dto.ifname ?? 'eth0';
        const twin = await tx.attachmentOfContainer(host.id, container, ifname);
        if (twin) throw new ConflictError('ifname', `the container already has ${ifname} (attachment ${twin.id})`);
        const mac = dto.mac?.toLowerCase() ?? generatedMac(id);
        const macHolder = await tx.attachmentWithMac(network.name, mac);
        if (macHolder) throw new ConflictError('mac', `${mac} is used by attachment ${macHolder.id} on network ${network.name}`);
        const requested = this.requestedBySubnet(network, dto.addresses ?? []);
        const routes = (dto.routes ?? []).map((route, i) => {
          if (route.via !== undefined && !network.subnets.some((s) => containsAddress(s, route.via as string))) {
            throw new BadRequestError(`routes[${i}].via`, `${route.via} is not inside a subnet of network ${network.name}`);
          }
          return { to: route.to, via: route.via ?? null };
        });
        const addresses: string[] = [];
        for (const subnet of network.subnets) {
          const wanted = requested.get(subnet.cidr) ?? null;
          const field = wanted ? `addresses[${(dto.addresses ?? []).indexOf(wanted)}]` : 'addresses';
          if (dryRun) {
            addresses.push(await this.ipam.peek(network.name, subnet, wanted));
          } else {
            const address = await this.ipam.allocate(network.name, subnet, id, wanted, field);
            allocated.push({ network: network.name, cidr: subnet.cidr, address, owner: id });
            addresses.push(address);
          }
        }
        const attachment: StoredAttachment = {
          id,
          network: network.name,
          host: host.id,
          container,
          ifname,
          mac,
          addresses,
          gateway: dto.gateway ?? true,
          routes,
          createdAt: new Date().toISOString(),
          revision: (await this.hostRevision(tx, host.id)) + 1,
        };
        await tx.putAttachment(attachment);
        return attachment;
      },
      { undo: release },
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
    const statuses = await this.status.statusOf([...new Set(attachments.map((a) => a.host))]);
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

  private async hostRevision(tx: StateTransaction, hostId: string): Promise<number> {
    return Number((await tx.redis.get(stateKeys.hostRevision(hostId))) ?? 0);
  }
}
