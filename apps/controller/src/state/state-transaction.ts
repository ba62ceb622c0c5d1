import type { ChainableCommander, Redis } from 'ioredis';
import type { AttachmentRecord, ContainerRef, HostRecord, NetworkRecord, OperatorResources } from '@ovs-fleet/contracts';
import { stateKeys } from './state-keys';

const EMPTY_OPERATOR: OperatorResources = { bridges: [], ports: [], tunnels: [] };

/** One key per (container, interface name): however the container was named, the same ref gives the same key. */
function containerKey(a: { container: ContainerRef; ifname: string }): string {
  const ref = a.container as Record<string, unknown>;
  return `${Object.keys(ref).sort().map((k) => `${k}=${String(ref[k])}`).join('&')}/${a.ifname}`;
}

function parse<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

export interface Savepoint {
  hosts: Map<string, HostRecord | null>;
  allHostsLoaded: boolean;
  networks: Map<string, NetworkRecord | null>;
  allNetworksLoaded: boolean;
  attachments: Map<string, AttachmentRecord | null>;
  hostAttachmentIds: Map<string, Set<string>>;
  networkAttachmentIds: Map<string, Set<string>>;
  operators: Map<string, OperatorResources>;
  containerIndex: Map<string, Map<string, string>>;
  macIndex: Map<string, Map<string, string>>;
  writes: {
    hosts: Map<string, HostRecord | null>;
    networks: Map<string, NetworkRecord | null>;
    attachments: Map<string, { before: AttachmentRecord | null; after: AttachmentRecord | null }>;
    operators: Map<string, OperatorResources>;
  };
  touchedHosts: Set<string>;
  everyHost: boolean;
  deletedNetworkRecords: Map<string, NetworkRecord>;
}

/**
 * A batch of mutations' view of the stored state: reads go to Redis once and are cached, writes
 * stay in memory until `stage()` puts them all into one MULTI. A mutation that throws
 * leaves Redis as it was. Only used while the write lock is held.
 */
export class StateTransaction {
  private hosts: Map<string, HostRecord | null> = new Map();
  private allHostsLoaded = false;
  private networks: Map<string, NetworkRecord | null> = new Map();
  private allNetworksLoaded = false;
  private attachments: Map<string, AttachmentRecord | null> = new Map();
  private hostAttachmentIds: Map<string, Set<string>> = new Map();
  private networkAttachmentIds: Map<string, Set<string>> = new Map();
  private operators: Map<string, OperatorResources> = new Map();
  /** Lazily built: per host, (container, ifname) -> attachment id; per network, MAC -> attachment id. */
  private containerIndex: Map<string, Map<string, string>> = new Map();
  private macIndex: Map<string, Map<string, string>> = new Map();
  private readonly revisions = new Map<string, number>();

  private readonly writes = {
    hosts: new Map<string, HostRecord | null>(),
    networks: new Map<string, NetworkRecord | null>(),
    attachments: new Map<string, { before: AttachmentRecord | null; after: AttachmentRecord | null }>(),
    operators: new Map<string, OperatorResources>(),
  };

  /** Hosts whose desired state must be rebuilt; `everyHost` when the fleet's topology changed. */
  touchedHosts = new Set<string>();
  everyHost = false;
  /** What the current mutation of a batch touched (see beginMutation). */
  private mutationTouched = new Set<string>();
  private mutationEveryHost = false;

  constructor(readonly redis: Redis) {}

  async host(id: string): Promise<HostRecord | undefined> {
    if (!this.hosts.has(id)) this.hosts.set(id, parse<HostRecord>(await this.redis.get(stateKeys.host(id))) ?? null);
    return this.hosts.get(id) ?? undefined;
  }

  async allHosts(): Promise<HostRecord[]> {
    if (!this.allHostsLoaded) {
      const ids = await this.redis.zrange(stateKeys.hostIndex, '0', '-1');
      const missing = ids.filter((id) => !this.hosts.has(id));
      const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.host)) : [];
      missing.forEach((id, i) => this.hosts.set(id, parse<HostRecord>(texts[i]) ?? null));
      this.allHostsLoaded = true;
    }
    return [...this.hosts.values()].filter((h): h is HostRecord => h !== null).sort((a, b) => a.id.localeCompare(b.id));
  }

  async network(name: string): Promise<NetworkRecord | undefined> {
    if (!this.networks.has(name)) this.networks.set(name, parse<NetworkRecord>(await this.redis.get(stateKeys.network(name))) ?? null);
    return this.networks.get(name) ?? undefined;
  }

  async allNetworks(): Promise<NetworkRecord[]> {
    if (!this.allNetworksLoaded) {
      const names = await this.redis.zrange(stateKeys.networkIndex, '0', '-1');
      const missing = names.filter((name) => !this.networks.has(name));
      const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.network)) : [];
      missing.forEach((name, i) => this.networks.set(name, parse<NetworkRecord>(texts[i]) ?? null));
      this.allNetworksLoaded = true;
    }
    return [...this.networks.values()].filter((n): n is NetworkRecord => n !== null).sort((a, b) => a.name.localeCompare(b.name));
  }

  async attachment(id: string): Promise<AttachmentRecord | undefined> {
    if (!this.attachments.has(id)) this.attachments.set(id, parse<AttachmentRecord>(await this.redis.get(stateKeys.attachment(id))) ?? null);
    return this.attachments.get(id) ?? undefined;
  }

  private async memberIds(cache: Map<string, Set<string>>, key: string, owner: string): Promise<Set<string>> {
    let ids = cache.get(owner);
    if (!ids) {
      ids = new Set(await this.redis.smembers(key));
      cache.set(owner, ids);
    }
    return ids;
  }

  private async attachmentsOf(ids: Set<string>): Promise<AttachmentRecord[]> {
    const missing = [...ids].filter((id) => !this.attachments.has(id));
    const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.attachment)) : [];
    missing.forEach((id, i) => this.attachments.set(id, parse<AttachmentRecord>(texts[i]) ?? null));
    return [...ids].map((id) => this.attachments.get(id)).filter((a): a is AttachmentRecord => !!a).sort((a, b) => a.id.localeCompare(b.id));
  }

  async attachmentsOfHost(hostId: string): Promise<AttachmentRecord[]> {
    return this.attachmentsOf(await this.memberIds(this.hostAttachmentIds, stateKeys.hostAttachments(hostId), hostId));
  }

  async attachmentsOfNetwork(network: string): Promise<AttachmentRecord[]> {
    return this.attachmentsOf(await this.memberIds(this.networkAttachmentIds, stateKeys.networkAttachments(network), network));
  }

  /** The attachment of `container` named `ifname` on the host, if any (an index built once per transaction). */
  async attachmentOfContainer(hostId: string, container: ContainerRef, ifname: string): Promise<AttachmentRecord | undefined> {
    const index = await this.index(this.containerIndex, hostId, () => this.attachmentsOfHost(hostId), containerKey);
    const id = index.get(containerKey({ container, ifname }));
    return id ? this.attachments.get(id) ?? undefined : undefined;
  }

  /** The attachment on the network that uses `mac`, if any. */
  async attachmentWithMac(network: string, mac: string): Promise<AttachmentRecord | undefined> {
    const index = await this.index(this.macIndex, network, () => this.attachmentsOfNetwork(network), (a) => a.mac);
    const id = index.get(mac);
    return id ? this.attachments.get(id) ?? undefined : undefined;
  }

  private async index(
    indexes: Map<string, Map<string, string>>,
    owner: string,
    load: () => Promise<AttachmentRecord[]>,
    key: (a: Pick<AttachmentRecord, 'container' | 'ifname' | 'mac'>) => string,
  ): Promise<Map<string, string>> {
    let index = indexes.get(owner);
    if (!index) {
      index = new Map((await load()).map((a) => [key(a), a.id]));
      indexes.set(owner, index);
    }
    return index;
  }

  /** The host's current desired-state revision (0 before its first document). */
  async hostRevision(hostId: string): Promise<number> {
    let revision = this.revisions.get(hostId);
    if (revision === undefined) {
      revision = Number((await this.redis.get(stateKeys.hostRevision(hostId))) ?? 0);
      this.revisions.set(hostId, revision);
    }
    return revision;
  }

  async operator(hostId: string): Promise<OperatorResources> {
    if (!this.operators.has(hostId)) {
      this.operators.set(hostId, parse<OperatorResources>(await this.redis.get(stateKeys.hostOperator(hostId))) ?? EMPTY_OPERATOR);
    }
    return this.operators.get(hostId) as OperatorResources;
  }

  /** Starts tracking what the next mutation of a batch touches. */
  beginMutation(): void {
    this.mutationTouched = new Set();
    this.mutationEveryHost = false;
  }

  /** Hosts the current mutation touched, or 'every' when it changed the fleet's topology. */
  mutationScope(): ReadonlySet<string> | 'every' {
    return this.mutationEveryHost ? 'every' : this.mutationTouched;
  }

  private touch(hostId: string | null): void {
    if (hostId === null) {
      this.everyHost = true;
      this.mutationEveryHost = true;
    } else {
      this.touchedHosts.add(hostId);
      this.mutationTouched.add(hostId);
    }
  }

  /** Everything this transaction holds, to go back to if the next mutation of a batch is refused. */
  savepoint(): Savepoint {
    const copyIds = (ids: Map<string, Set<string>>) => new Map([...ids].map(([k, v]) => [k, new Set(v)]));
    const copyIndex = (index: Map<string, Map<string, string>>) => new Map([...index].map(([k, v]) => [k, new Map(v)]));
    return {
      hosts: new Map(this.hosts),
      allHostsLoaded: this.allHostsLoaded,
      networks: new Map(this.networks),
      allNetworksLoaded: this.allNetworksLoaded,
      attachments: new Map(this.attachments),
      hostAttachmentIds: copyIds(this.hostAttachmentIds),
      networkAttachmentIds: copyIds(this.networkAttachmentIds),
      operators: new Map(this.operators),
      containerIndex: copyIndex(this.containerIndex),
      macIndex: copyIndex(this.macIndex),
      writes: {
        hosts: new Map(this.writes.hosts),
        networks: new Map(this.writes.networks),
        attachments: new Map(this.writes.attachments),
        operators: new Map(this.writes.operators),
      },
      touchedHosts: new Set(this.touchedHosts),
      everyHost: this.everyHost,
      deletedNetworkRecords: new Map(this.deletedNetworkRecords),
    };
  }

  rollback(to: Savepoint): void {
    this.hosts = to.hosts;
    this.allHostsLoaded = to.allHostsLoaded;
    this.networks = to.networks;
    this.allNetworksLoaded = to.allNetworksLoaded;
    this.attachments = to.attachments;
    this.hostAttachmentIds = to.hostAttachmentIds;
    this.networkAttachmentIds = to.networkAttachmentIds;
    this.operators = to.operators;
    this.containerIndex = to.containerIndex;
    this.macIndex = to.macIndex;
    for (const kind of ['hosts', 'networks', 'attachments', 'operators'] as const) {
      const target = this.writes[kind] as Map<string, unknown>;
      target.clear();
      for (const [k, v] of to.writes[kind] as Map<string, unknown>) target.set(k, v);
    }
    this.touchedHosts = to.touchedHosts;
    this.everyHost = to.everyHost;
    this.deletedNetworkRecords.clear();
    for (const [k, v] of to.deletedNetworkRecords) this.deletedNetworkRecords.set(k, v);
  }

  putHost(host: HostRecord): void {
    this.hosts.set(host.id, host);
    this.writes.hosts.set(host.id, host);
    this.touch(null);
  }

  deleteHost(id: string): void {
    this.hosts.set(id, null);
    this.writes.hosts.set(id, null);
    this.touch(null);
  }

  putNetwork(network: NetworkRecord): void {
    this.networks.set(network.name, network);
    this.writes.networks.set(network.name, network);
    this.touch(null);
  }

  private readonly deletedNetworkRecords = new Map<string, NetworkRecord>();

  deleteNetwork(name: string): void {
    const existing = this.networks.get(name);
    if (existing) this.deletedNetworkRecords.set(name, existing);
    this.networks.set(name, null);
    this.writes.networks.set(name, null);
    this.touch(null);
  }

  async putAttachment(attachment: AttachmentRecord): Promise<void> {
    await this.changeAttachment(attachment.id, attachment);
  }

  /** A new attachment (an id just made): no stored record to read first. */
  async createAttachment(attachment: AttachmentRecord): Promise<void> {
    if (!this.attachments.has(attachment.id)) this.attachments.set(attachment.id, null);
    await this.changeAttachment(attachment.id, attachment);
  }

  async deleteAttachment(id: string): Promise<void> {
    await this.changeAttachment(id, null);
  }

  private async changeAttachment(id: string, after: AttachmentRecord | null): Promise<void> {
    const before = this.writes.attachments.get(id)?.before ?? (await this.attachment(id)) ?? null;
    this.attachments.set(id, after);
    this.writes.attachments.set(id, { before, after });
    if (before) {
      if (this.containerIndex.get(before.host)?.get(containerKey(before)) === id) this.containerIndex.get(before.host)?.delete(containerKey(before));
      if (this.macIndex.get(before.network)?.get(before.mac) === id) this.macIndex.get(before.network)?.delete(before.mac);
    }
    if (after) {
      this.containerIndex.get(after.host)?.set(containerKey(after), id);
      this.macIndex.get(after.network)?.set(after.mac, id);
    }
    for (const record of [before, after]) {
      if (!record) continue;
      const hostIds = await this.memberIds(this.hostAttachmentIds, stateKeys.hostAttachments(record.host), record.host);
      const networkIds = await this.memberIds(this.networkAttachmentIds, stateKeys.networkAttachments(record.network), record.network);
      if (record === after) {
        hostIds.add(id);
        networkIds.add(id);
      } else {
        hostIds.delete(id);
        networkIds.delete(id);
      }
      this.touch(record.host);
    }
  }

  putOperator(hostId: string, resources: OperatorResources): void {
    this.operators.set(hostId, resources);
    this.writes.operators.set(hostId, resources);
    this.touch(hostId);
  }

  get hasWrites(): boolean {
    const w = this.writes;
    return w.hosts.size + w.networks.size + w.attachments.size + w.operators.size > 0;
  }

  /** Ids of the hosts this mutation deleted. */
  deletedHostIds(): string[] {
    return [...this.writes.hosts.entries()].filter(([, h]) => h === null).map(([id]) => id);
  }

  /** The networks this mutation deleted, as they were. */
  deletedNetworks(): NetworkRecord[] {
    return [...this.writes.networks.entries()].filter(([, n]) => n === null).map(([name]) => this.deletedNetworkRecords.get(name)).filter((n): n is NetworkRecord => !!n);
  }

  /** The attachments this mutation removed (their addresses are released after the commit). */
  removedAttachments(): AttachmentRecord[] {
    return [...this.writes.attachments.values()].filter((w) => w.before && !w.after).map((w) => w.before as AttachmentRecord);
  }

  /** Puts every write of this mutation into `multi` (records and their indexes). */
  stage(multi: ChainableCommander): void {
    for (const [id, host] of this.writes.hosts) {
      if (host) multi.set(stateKeys.host(id), JSON.stringify(host)).zadd(stateKeys.hostIndex, 0, id);
      else multi.del(stateKeys.host(id), stateKeys.hostOperator(id), stateKeys.hostLocalVlans(id)).zrem(stateKeys.hostIndex, id);
    }
    for (const [name, network] of this.writes.networks) {
      if (network) multi.set(stateKeys.network(name), JSON.stringify(network)).zadd(stateKeys.networkIndex, 0, name);
      else multi.del(stateKeys.network(name), stateKeys.networkAttachments(name)).zrem(stateKeys.networkIndex, name);
    }
    for (const [id, { before, after }] of this.writes.attachments) {
      if (before && (!after || before.host !== after.host || before.network !== after.network)) {
        multi.srem(stateKeys.hostAttachments(before.host), id).srem(stateKeys.networkAttachments(before.network), id);
      }
      if (after) {
        multi
          .set(stateKeys.attachment(id), JSON.stringify(after))
          .zadd(stateKeys.attachmentIndex, 0, id)
          .sadd(stateKeys.hostAttachments(after.host), id)
          .sadd(stateKeys.networkAttachments(after.network), id);
      } else {
        multi.del(stateKeys.attachment(id)).zrem(stateKeys.attachmentIndex, id);
      }
    }
    for (const [hostId, resources] of this.writes.operators) multi.set(stateKeys.hostOperator(hostId), JSON.stringify(resources));
  }
}
