import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { HostRecord, HostSelector, NetworkRecord, SubnetRecord } from '@ovs-fleet/contracts';
import { BadRequestError, ConflictError, NotFoundError } from '../common/api-errors';
import { Page, PageQuery, pageOfNames } from '../common/pagination';
import { effectiveMtu, spannedHosts, validateGivenMtu } from '../desired-state';
import { canonicalSubnet, subnetsOverlap } from '../ipam/subnet';
import { REDIS } from '../redis/redis.module';
import { MutationOutcome, StateStore } from '../state/state-store';
import { stateKeys } from '../state/state-keys';
import type { CreateNetworkDto, HostSelectorDto, NetworkView, PatchNetworkDto } from './network.dto';
import { lowestFreeSegment, segmentProblem } from './segments';

function selector(dto: HostSelectorDto | undefined, field: string): HostSelector {
  if (!dto) return { all: true };
  if (dto.all !== undefined && dto.labels !== undefined) throw new BadRequestError(field, 'give either all: true or labels, not both');
  if (dto.all === false) throw new BadRequestError(`${field}.all`, 'must be true when given (use labels to select hosts)');
  if (dto.labels !== undefined) return { labels: dto.labels };
  return { all: true };
}

@Injectable()
export class NetworksService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
  ) {}

  async create(dto: CreateNetworkDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<NetworkRecord>> {
    const hosts = selector(dto.hosts, 'hosts');
    if (dto.type === 'vlan' && !dto.providerBridge) throw new BadRequestError('providerBridge', 'a vlan network needs the provider bridge that carries its segment');
    if (dto.type !== 'vlan' && dto.providerBridge !== undefined) throw new BadRequestError('providerBridge', `only vlan networks have a provider bridge; ${dto.type} networks ride on the integration bridge`);
    if (dto.segmentId !== undefined) {
      const problem = segmentProblem(dto.type, dto.segmentId);
      if (problem) throw new BadRequestError('segmentId', problem);
    }
    const subnets = this.subnets(dto.subnets ?? []);
    return this.store.mutate({ kind: 'network.create', resource: { type: 'network', id: dto.name }, dryRun, requestId }, async (tx) => {
      if (await tx.network(dto.name)) throw new ConflictError('name', `network ${dto.name} exists`);
      const networks = await tx.allNetworks();
      let segmentId = dto.segmentId;
      if (segmentId === undefined) {
        const free = lowestFreeSegment(dto.type, networks);
        if (free === null) throw new ConflictError('segmentId', `no ${dto.type} segment id is left`);
        segmentId = free;
      } else {
        const holder = networks.find((n) => n.type === dto.type && n.segmentId === segmentId);
        if (holder) throw new ConflictError('segmentId', `${dto.type} segment ${segmentId} is used by network ${holder.name}`);
      }
      const now = new Date().toISOString();
      const network: NetworkRecord = {
        name: dto.name,
        type: dto.type,
        segmentId,
        subnets,
        mtu: 0,
        mtuDerived: dto.mtu === undefined,
        hosts,
        providerBridge: dto.providerBridge ?? null,
        createdAt: now,
        updatedAt: now,
      };
      network.mtu = this.mtu(network, dto.mtu, await tx.allHosts());
      tx.putNetwork(network);
      return network;
    });
  }

  async patch(name: string, dto: PatchNetworkDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<NetworkRecord>> {
    const hosts = dto.hosts ? selector(dto.hosts, 'hosts') : undefined;
    return this.store.mutate({ kind: 'network.update', resource: { type: 'network', id: name }, dryRun, requestId }, async (tx) => {
      const existing = await tx.network(name);
      if (!existing) throw new NotFoundError('name', `network ${name} does not exist`);
      const network: NetworkRecord = { ...existing, hosts: hosts ?? existing.hosts, updatedAt: new Date().toISOString() };
      if (dto.mtu !== undefined) network.mtuDerived = dto.mtu === null;
      const allHosts = await tx.allHosts();
      network.mtu = this.mtu(network, dto.mtu === undefined ? (existing.mtuDerived ? undefined : existing.mtu) : (dto.mtu ?? undefined), allHosts);
      if (hosts) {
        const stranded = (await tx.attachmentsOfNetwork(name)).filter((a) => !spannedHosts(network, allHosts).some((h) => h.id === a.host));
        if (stranded.length > 0) {
          throw new ConflictError('hosts', `attachments ${stranded.map((a) => `${a.id} (host ${a.host})`).join(', ')} are on hosts the new selector leaves out`);
        }
      }
      tx.putNetwork(network);
      return network;
    });
  }

  async remove(name: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<NetworkRecord>> {
    return this.store.mutate({ kind: 'network.delete', resource: { type: 'network', id: name }, dryRun, requestId }, async (tx) => {
      const network = await tx.network(name);
      if (!network) throw new NotFoundError('name', `network ${name} does not exist`);
      const attachments = await tx.attachmentsOfNetwork(name);
      if (attachments.length > 0) {
        throw new ConflictError('name', `network ${name} has ${attachments.length} attachment(s) (${attachments.slice(0, 5).map((a) => a.id).join(', ')}${attachments.length > 5 ? ', ...' : ''}); delete them first`);
      }
      tx.deleteNetwork(name);
      return network;
    });
  }

  async get(name: string): Promise<NetworkView> {
    const reader = this.store.reader();
    const network = await reader.network(name);
    if (!network) throw new NotFoundError('name', `network ${name} does not exist`);
    return this.view(network, await reader.allHosts());
  }

  async list(query: PageQuery): Promise<Page<NetworkView>> {
    const { names, nextCursor } = await pageOfNames(this.redis, stateKeys.networkIndex, query);
    const texts = names.length ? await this.redis.mget(names.map(stateKeys.network)) : [];
    const hosts = await this.store.reader().allHosts();
    const items = texts.filter((t): t is string => t !== null).map((t) => this.view(JSON.parse(t) as NetworkRecord, hosts));
    return { items, nextCursor };
  }

  view(network: NetworkRecord, hosts: HostRecord[]): NetworkView {
    return { ...network, mtu: effectiveMtu(network, spannedHosts(network, hosts)) };
  }

  private subnets(dtos: NonNullable<CreateNetworkDto['subnets']>): SubnetRecord[] {
    const subnets = dtos.map((dto, i) => canonicalSubnet(dto, `subnets[${i}]`));
    subnets.forEach((subnet, i) =>
      subnets.slice(0, i).forEach((other, j) => {
        if (subnetsOverlap(subnet.cidr, other.cidr)) throw new BadRequestError(`subnets[${i}].cidr`, `${subnet.cidr} overlaps subnets[${j}] (${other.cidr})`);
      }),
    );
    return subnets;
  }

  private mtu(network: NetworkRecord, given: number | undefined, hosts: HostRecord[]): number {
    const spanned = spannedHosts(network, hosts);
    if (given === undefined) return effectiveMtu({ ...network, mtuDerived: true }, spanned);
    const problem = validateGivenMtu(network.type, given, spanned);
    if (problem) throw new BadRequestError('mtu', problem);
    return given;
  }
}
