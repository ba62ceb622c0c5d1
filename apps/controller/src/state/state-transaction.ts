import type { Redis } from 'ioredis';
import { redisKeys, type AttachmentRecord, type ContainerRef, type DesiredHostState, type HostRecord, type NetworkRecord, type OperatorResources } from '@ovs-fleet/contracts';
import { RedisWrites } from './redis-writes';
import type { WriteCommands } from './write-commands';
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

/**
 * Everything a transaction has read from Redis (with its batch's writes applied once they
 * are committed): records, the attachment sets of hosts and networks, the per-host and
 * per-network indexes built from them, and the hosts' revisions, documents and local VLANs.
 */
export interface StateReads {
  hosts: Map<string, HostRecord | null>;
  allHostsLoaded: boolean;
  networks: Map<string, NetworkRecord | null>;
  allNetworksLoaded: boolean;
  attachments: Map<string, AttachmentRecord | null>;
  hostAttachmentIds: Map<string, Set<string>>;
  networkAttachmentIds: Map<string, Set<string>>;
  operators: Map<string, OperatorResources>;
  /** Built on demand: per host, (container, ifname) -> attachment id; per network, MAC -> attachment id. */
  containerIndex: Map<string, Map<string, string>>;
  macIndex: Map<string, Map<string, string>>;
  revisions: Map<string, number>;
  documents: Map<string, DesiredHostState | null>;
  localVlans: Map<string, Record<string, number>>;
}

export function emptyStateReads(): StateReads {
  return {
    hosts: new Map(),
    allHostsLoaded: false,
    networks: new Map(),
    allNetworksLoaded: false,
    attachments: new Map(),
    hostAttachmentIds: new Map(),
    networkAttachmentIds: new Map(),
    operators: new Map(),
    containerIndex: new Map(),
    macIndex: new Map(),
    revisions: new Map(),
    documents: new Map(),
    localVlans: new Map(),
  };
}

/** Where to go back to if the next mutation of a batch is refused: a position in the undo log. */
export type Savepoint = number;

/**
 * A batch of mutations' view of the stored state: reads go to Redis once and are cached, writes
 * stay in memory until `stage()` puts them all into one commit. A mutation that throws
 * leaves Redis as it was. Only used while the write lock is held.
 */
export class StateTransaction {
  private readonly hosts: Map<string, HostRecord | null>;
  private readonly networks: Map<string, NetworkRecord | null>;
  private readonly attachments: Map<string, AttachmentRecord | null>;
  private readonly hostAttachmentIds: Map<string, Set<string>>;
  private readonly networkAttachmentIds: Map<string, Set<string>>;
  private readonly operators: Map<string, OperatorResources>;
  private readonly containerIndex: Map<string, Map<string, string>>;
  private readonly macIndex: Map<string, Map<string, string>>;
  private readonly revisions: Map<string, number>;

  private readonly writes = {
    hosts: new Map<string, HostRecord | null>(),
    networks: new Map<string, NetworkRecord | null>(),
    attachments: new Map<string, { before: AttachmentRecord | null; after: AttachmentRecord | null }>(),
    operators: new Map<string, OperatorResources>(),
  };

  /** Hosts whose desired state must be rebuilt; `everyHost` when the fleet's topology changed. */
  readonly touchedHosts = new Set<string>();
  everyHost = false;
  /**
   * How to undo each change a mutation made to what this transaction holds, newest last: a
   * refused mutation of a batch is rolled back by running its entries backwards. (Reads cached
   * meanwhile stay: they are what Redis holds.) Cheaper than copying every map at each
   * mutation, whose cost grew with the attachments a batch had read.
   */
  private readonly undoLog: Array<() => void> = [];
  /** What the current mutation of a batch touched (see beginMutation). */
  private mutationTouched = new Set<string>();
  private mutationEveryHost = false;

  /** `reads`: what an earlier batch of this process read and wrote, still what Redis holds (see CommittedReads). */
  constructor(
    readonly redis: Redis,
    private readonly reads: StateReads = emptyStateReads(),
  ) {
    ({
      hosts: this.hosts,
      networks: this.networks,
      attachments: this.attachments,
      hostAttachmentIds: this.hostAttachmentIds,
      networkAttachmentIds: this.networkAttachmentIds,
      operators: this.operators,
      containerIndex: this.containerIndex,
      macIndex: this.macIndex,
      revisions: this.revisions,
    } = reads);
  }

  async host(id: string): Promise<HostRecord | undefined> {
    if (!this.hosts.has(id)) this.hosts.set(id, parse<HostRecord>(await this.redis.get(stateKeys.host(id))) ?? null);
    return this.hosts.get(id) ?? undefined;
  }

  async allHosts(): Promise<HostRecord[]> {
    if (!this.reads.allHostsLoaded) {
      const ids = await this.redis.zrange(stateKeys.hostIndex, '0', '-1');
      const missing = ids.filter((id) => !this.hosts.has(id));
      const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.host)) : [];
      missing.forEach((id, i) => this.hosts.set(id, parse<HostRecord>(texts[i]) ?? null));
      this.reads.allHostsLoaded = true;
    }
    return [...this.hosts.values()].filter((h): h is HostRecord => h !== null).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async network(name: string): Promise<NetworkRecord | undefined> {
    if (!this.networks.has(name)) this.networks.set(name, parse<NetworkRecord>(await this.redis.get(stateKeys.network(name))) ?? null);
    return this.networks.get(name) ?? undefined;
  }

  async allNetworks(): Promise<NetworkRecord[]> {
    if (!this.reads.allNetworksLoaded) {
      const names = await this.redis.zrange(stateKeys.networkIndex, '0', '-1');
      const missing = names.filter((name) => !this.networks.has(name));
      const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.network)) : [];
      missing.forEach((name, i) => this.networks.set(name, parse<NetworkRecord>(texts[i]) ?? null));
      this.reads.allNetworksLoaded = true;
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
    return [...ids].map((id) => this.attachments.get(id)).filter((a): a is AttachmentRecord => !!a).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
      // Built from what this transaction holds, the current mutation's writes included: it goes if they are undone.
      this.setIn(indexes, owner, index);
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

  /** The hosts' stored desired-state documents (null where none), read once per host. */
  async documents(hostIds: string[]): Promise<Array<DesiredHostState | null>> {
    const missing = hostIds.filter((id) => !this.reads.documents.has(id));
    const texts = missing.length ? await this.redis.mget(missing.map(redisKeys.hostDesired)) : [];
    missing.forEach((id, i) => this.reads.documents.set(id, parse<DesiredHostState>(texts[i]) ?? null));
    return hostIds.map((id) => this.reads.documents.get(id) ?? null);
  }

  /** The hosts' stored local VLAN assignments (network name -> VLAN id), read once per host. */
  async localVlans(hostIds: string[]): Promise<Array<Record<string, number>>> {
    const missing = hostIds.filter((id) => !this.reads.localVlans.has(id));
    const texts = missing.length ? await this.redis.mget(missing.map(stateKeys.hostLocalVlans)) : [];
    missing.forEach((id, i) => this.reads.localVlans.set(id, parse<Record<string, number>>(texts[i]) ?? {}));
    return hostIds.map((id) => this.reads.localVlans.get(id) ?? {});
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
      if (!this.everyHost) {
        this.everyHost = true;
        this.undoLog.push(() => (this.everyHost = false));
      }
      this.mutationEveryHost = true;
    } else {
      this.addTo(this.touchedHosts, hostId);
      this.mutationTouched.add(hostId);
    }
  }

  /** The point to go back to if the next mutation of a batch is refused. */
  savepoint(): Savepoint {
    return this.undoLog.length;
  }

  rollback(to: Savepoint): void {
    while (this.undoLog.length > to) (this.undoLog.pop() as () => void)();
  }

  private setIn<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key) as V;
    this.undoLog.push(had ? () => map.set(key, old) : () => map.delete(key));
    map.set(key, value);
  }

  private deleteIn<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const old = map.get(key) as V;
    this.undoLog.push(() => map.set(key, old));
    map.delete(key);
  }

  private addTo<T>(set: Set<T>, value: T): void {
    if (set.has(value)) return;
    this.undoLog.push(() => set.delete(value));
    set.add(value);
  }

  private removeFrom<T>(set: Set<T>, value: T): void {
    if (!set.has(value)) return;
    this.undoLog.push(() => set.add(value));
    set.delete(value);
  }

  /** Every host's document is rebuilt by this mutation, though no record changed (e.g. a new document schema). */
  rebuildEveryHost(): void {
    this.touch(null);
  }

  putHost(host: HostRecord): void {
    this.setIn(this.hosts, host.id, host);
    this.setIn(this.writes.hosts, host.id, host);
    this.touch(null);
  }

  deleteHost(id: string): void {
    this.setIn(this.hosts, id, null);
    this.setIn(this.writes.hosts, id, null);
    this.touch(null);
  }

  putNetwork(network: NetworkRecord): void {
    this.setIn(this.networks, network.name, network);
    this.setIn(this.writes.networks, network.name, network);
    this.touch(null);
  }

  private readonly deletedNetworkRecords = new Map<string, NetworkRecord>();

  deleteNetwork(name: string): void {
    const existing = this.networks.get(name);
    if (existing) this.setIn(this.deletedNetworkRecords, name, existing);
    this.setIn(this.networks, name, null);
    this.setIn(this.writes.networks, name, null);
    this.touch(null);
  }

  async putAttachment(attachment: AttachmentRecord): Promise<void> {
    await this.changeAttachment(attachment.id, attachment);
  }

  /** A new attachment (an id just made): no stored record to read first. */
  async createAttachment(attachment: AttachmentRecord): Promise<void> {
    if (!this.attachments.has(attachment.id)) this.setIn(this.attachments, attachment.id, null);
    await this.changeAttachment(attachment.id, attachment);
  }

  async deleteAttachment(id: string): Promise<void> {
    await this.changeAttachment(id, null);
  }

  private async changeAttachment(id: string, after: AttachmentRecord | null): Promise<void> {
    const before = this.writes.attachments.get(id)?.before ?? (await this.attachment(id)) ?? null;
    this.setIn(this.attachments, id, after);
    this.setIn(this.writes.attachments, id, { before, after });
    if (before) {
      const byContainer = this.containerIndex.get(before.host);
      if (byContainer?.get(containerKey(before)) === id) this.deleteIn(byContainer, containerKey(before));
      const byMac = this.macIndex.get(before.network);
      if (byMac?.get(before.mac) === id) this.deleteIn(byMac, before.mac);
    }
    if (after) {
      const byContainer = this.containerIndex.get(after.host);
      if (byContainer) this.setIn(byContainer, containerKey(after), id);
      const byMac = this.macIndex.get(after.network);
      if (byMac) this.setIn(byMac, after.mac, id);
    }
    for (const record of [before, after]) {
      if (!record) continue;
      const hostIds = await this.memberIds(this.hostAttachmentIds, stateKeys.hostAttachments(record.host), record.host);
      const networkIds = await this.memberIds(this.networkAttachmentIds, stateKeys.networkAttachments(record.network), record.network);
      if (record === after) {
        this.addTo(hostIds, id);
        this.addTo(networkIds, id);
      } else {
        this.removeFrom(hostIds, id);
        this.removeFrom(networkIds, id);
      }
      this.touch(record.host);
    }
  }

  putOperator(hostId: string, resources: OperatorResources): void {
    this.setIn(this.operators, hostId, resources);
    this.setIn(this.writes.operators, hostId, resources);
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

  /**
   * What this transaction holds once its batch is committed, with the hosts' new documents,
   * revisions and local VLANs (written beside the records): the reads the next batch may
   * start from. Whatever a deletion removed beside its record is forgotten, to be read again.
   */
  committedReads(documents: ReadonlyArray<{ hostId: string; after: DesiredHostState; localVlans: Record<string, number> }>): StateReads {
    // A record deleted is read again as absent (holding its id would grow without end under churn).
    for (const [id, host] of this.writes.hosts) {
      if (host) continue;
      for (const perHost of [this.hosts, this.hostAttachmentIds, this.containerIndex, this.operators, this.revisions, this.reads.documents, this.reads.localVlans]) perHost.delete(id);
    }
    for (const [name, network] of this.writes.networks) {
      if (network) continue;
      for (const perNetwork of [this.networks, this.networkAttachmentIds, this.macIndex]) perNetwork.delete(name);
    }
    for (const [id, { after }] of this.writes.attachments) if (!after) this.attachments.delete(id);
    for (const { hostId, after, localVlans } of documents) {
      this.reads.documents.set(hostId, after);
      this.reads.localVlans.set(hostId, localVlans);
      this.revisions.set(hostId, after.revision);
    }
    return this.reads;
  }

  /** Puts every write of this mutation into `commands` (records and their indexes). */
  stage(commands: WriteCommands): void {
    // Grouped by command: a batch of a thousand attachments is a few commands, not five thousand.
    // Per key and member the order is the one each record needs (a key deleted before it is set
    // again, a member removed before it is added back).
    const writes = new RedisWrites();
    for (const [id, host] of this.writes.hosts) {
      // A host registered again keeps what its deletion left to expire (AgentCredentialsService.revoke).
      if (host) writes.set(stateKeys.host(id), JSON.stringify(host)).zadd(stateKeys.hostIndex, id).persist(...stateKeys.hostTraces(id));
      else writes.del(stateKeys.host(id), stateKeys.hostOperator(id), stateKeys.hostLocalVlans(id)).zrem(stateKeys.hostIndex, id);
    }
    for (const [name, network] of this.writes.networks) {
      if (network) writes.set(stateKeys.network(name), JSON.stringify(network)).zadd(stateKeys.networkIndex, name);
      else writes.del(stateKeys.network(name), stateKeys.networkAttachments(name)).zrem(stateKeys.networkIndex, name);
    }
    for (const [id, { before, after }] of this.writes.attachments) {
      if (before && (!after || before.host !== after.host || before.network !== after.network)) {
        writes.srem(stateKeys.hostAttachments(before.host), id).srem(stateKeys.networkAttachments(before.network), id);
      }
      if (after) {
        writes
          .set(stateKeys.attachment(id), JSON.stringify(after))
          .zadd(stateKeys.attachmentIndex, id)
          .sadd(stateKeys.hostAttachments(after.host), id)
          .sadd(stateKeys.networkAttachments(after.network), id);
      } else {
        writes.del(stateKeys.attachment(id)).zrem(stateKeys.attachmentIndex, id);
      }
    }
    for (const [hostId, resources] of this.writes.operators) writes.set(stateKeys.hostOperator(hostId), JSON.stringify(resources));
    writes.stage(commands);
  }
}
