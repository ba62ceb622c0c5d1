import { randomUUID } from 'node:crypto';
import { assertInterfaceName, assertNetnsName, IpLink, ValidationError } from '@ovs-fleet/iproute';
import { PlumbJob, plumbTogether } from './attach-group';
import { belongsTo, ContainerIdentity, identifyContainer, inLiveNamespace } from './container-identity';
import { ConflictError, DetachError } from './errors';
import * as ids from './external-ids';
import { HostLinks } from './host-links';
import { driftOf, Inspection, readContainerView } from './inspection';
import { hostIfname, isOurHostIfname } from './naming';
import { assertNamespaceRef, CONTAINER_ID as CONTAINER_ID_PATTERN, netnsInode, resolveNamespace, ResolveOptions } from './namespace';
import { PortRow, PortStore, VswitchdWait } from './port-store';
import { buildSpec, diffSpecs, validateAttachRequest, validateVlan } from './request';
import { defaultRunner, Runner } from './runner';
import { Attachment, AttachRequest, AttachSpec, NamespaceRef, ResolvedContainer } from './types';

export interface PlumberOptions {
  store: PortStore;
  /** Named namespace holding the host ends and OVS (a lab host); undefined: the current one. */
  hostNetns?: string;
  /** Docker Engine API socket for `{dockerContainer}` refs that name none. */
  dockerSocket?: string;
  /** Value of `ovs-fleet-owner` on our rows; only rows with it are ever touched. */
  owner?: string;
  /**
   * How long each change waits for ovs-vswitchd to apply it (a port must be live before its
   * link comes up; a deleted name must be let go of before it is added again). 0: never wait.
   */
  liveTimeoutMs?: number;
  runner?: Runner;
  resolve?: (ref: NamespaceRef, options: ResolveOptions) => Promise<ResolvedContainer>;
  /** Identifies a selector's container (detach, inspect, setVlan) without requiring it to run; replaceable for unit tests. */
  identify?: (ref: NamespaceRef, options: ResolveOptions) => Promise<ContainerIdentity>;
}

/** Which attachments an operation is about. */
export type AttachmentSelector =
  | { attachmentId: string }
  | { containerId: string; ifname?: string }
  | { container: NamespaceRef; ifname?: string };

export interface AttachResult {
  attachment: Attachment;
  /** False when the same request was already in place, and found so on the host (nothing was done). */
  changed: boolean;
}

export type StaleReason = 'namespace-gone' | 'namespace-replaced' | 'host-veth-missing' | 'ovs-error';

export interface StaleAttachment {
  attachment: Attachment;
  reasons: StaleReason[];
}

export interface RecoveryReport {
  removedPorts: string[];
  removedLinks: string[];
}

const DEFAULT_OWNER = 'ovs-fleet';

interface Found {
  row: PortRow;
  attachment: Attachment;
}

/** What an attach request comes to once checked: its answer already, or a job to plumb. */
type Prepared = { result: AttachResult } | { job: PlumbJob };

/** Runs `work(i)` for i in [0, count), at most `width` at a time. */
async function eachBounded(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

/** A value computed on first use, then shared. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= compute());
}

/**
 * Plumbs containers into an OVS bridge: veth pair, OVS port (through a PortStore), and the
 * container-side configuration, all or nothing. One instance per host namespace; reuse it.
 */
export class Plumber {
  private readonly store: PortStore;
  private readonly owner: string;
  private readonly runner: Runner;
  private readonly wait: VswitchdWait;
  /** Host ends, through one long-lived `ip` in the host namespace. */
  private readonly host: HostLinks;
  /** Host-side names of attaches under way: recover() and a concurrent attach leave them alone. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: PlumberOptions) {
    this.store = options.store;
    this.owner = options.owner ?? DEFAULT_OWNER;
    if (typeof this.owner !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(this.owner)) throw new ValidationError('owner', 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
    this.runner = options.runner ?? defaultRunner;
    const hostNetns = options.hostNetns === undefined ? undefined : assertNetnsName(options.hostNetns, 'hostNetns');
    if (options.dockerSocket !== undefined) assertNamespaceRef({ dockerContainer: 'x', dockerSocket: options.dockerSocket }, 'dockerSocket');
    const liveTimeoutMs = options.liveTimeoutMs ?? 5000;
    if (!Number.isInteger(liveTimeoutMs) || liveTimeoutMs < 0) throw new ValidationError('liveTimeoutMs', 'must be a whole number of milliseconds');
    this.wait = { vswitchdTimeoutMs: liveTimeoutMs };
    this.host = new HostLinks(this.runner, hostNetns);
  }

  private resolve(ref: NamespaceRef, containerId?: string): Promise<ResolvedContainer> {
    return (this.options.resolve ?? resolveNamespace)(ref, { containerId, dockerSocket: this.options.dockerSocket });
  }

  private identify(ref: NamespaceRef): Promise<ContainerIdentity> {
    return (this.options.identify ?? identifyContainer)(ref, { dockerSocket: this.options.dockerSocket });
  }

  private reserve(hostName: string, what: string): void {
    if (this.inFlight.has(hostName)) throw new ConflictError(`${what} is being attached right now`, [], { retryable: true });
    this.inFlight.add(hostName);
  }

  async attach(request: AttachRequest): Promise<AttachResult> {
    const [outcome] = await this.attachMany([request], { concurrency: 1 });
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  }

  /**
   * Attaches many containers. Requests are checked (and repeats verified) `concurrency` at a
   * time (default 8), then plumbed in groups of `concurrency`: each group's OVSDB side is one
   * transaction and one ovs-vswitchd reconfiguration, where one-at-a-time attaches wait for one
   * each. One outcome per request, in order; each attach is all or nothing on its own.
   */
  async attachMany(requests: readonly AttachRequest[], options: { concurrency?: number } = {}): Promise<PromiseSettledResult<AttachResult>[]> {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ValidationError('concurrency', 'must be a whole number from 1 to 64');
    if (!Array.isArray(requests)) throw new ValidationError('requests', 'must be a list of attach requests');
    const outcomes: PromiseSettledResult<AttachResult>[] = new Array(requests.length);
    const jobs: { index: number; job: PlumbJob }[] = [];
    const hostLinks = once(() => this.host.list());
    try {
      await eachBounded(requests.length, concurrency, async (index) => {
        try {
          const prepared = await this.prepare(requests[index], hostLinks);
          if ('result' in prepared) outcomes[index] = { status: 'fulfilled', value: prepared.result };
          else jobs.push({ index, job: prepared.job });
        } catch (reason) {
          outcomes[index] = { status: 'rejected', reason };
        }
      });
      jobs.sort((a, b) => a.index - b.index);
      for (let start = 0; start < jobs.length; start += concurrency) {
        const group = jobs.slice(start, start + concurrency);
        const settled = await plumbTogether(this.groupContext(), group.map((g) => g.job));
        settled.forEach((outcome, k) => {
          outcomes[group[k].index] = outcome.status === 'fulfilled' ? { status: 'fulfilled', value: { attachment: outcome.value, changed: true } } : outcome;
        });
      }
    } finally {
      for (const { job } of jobs) this.inFlight.delete(job.hostName);
    }
    return outcomes;
  }

  private groupContext() {
    return { store: this.store, runner: this.runner, host: this.host, owner: this.owner, wait: this.wait };
  }

  /**
   * Validates and resolves a request, and finds what is recorded for it. A repeat of an
   * attachment in place is verified on the host (its veth, the container's view, the port) and
   * either answered as is or becomes a repair of it. The job's name stays reserved for the caller.
   */
  private async prepare(request: AttachRequest, hostLinks: () => Promise<Map<string, IpLink>>): Promise<Prepared> {
    const validated = validateAttachRequest(request);
    assertNamespaceRef(request.container);
    if (!(await this.store.hasBridge(validated.bridge))) throw new ValidationError('bridge', `there is no bridge named ${validated.bridge} on this host`);
    const resolved = await this.resolve(request.container, request.containerId);
    let hostName = hostIfname(resolved.id, validated.ifname);
    this.reserve(hostName, `${validated.ifname} of container ${resolved.id}`);
    try {
      let container = resolved;
      const existing = await this.recorded(resolved, validated.ifname);
      if (existing && existing.attachment.containerId !== resolved.id) {
        // The same namespace, attached under another name of the container (by name, then by PID).
        const recordedId = existing.attachment.containerId;
        if (request.containerId !== undefined) throw new ConflictError(`${validated.ifname} of this namespace is already attached as container ${recordedId}`, ['containerId']);
        const adopted = hostIfname(recordedId, validated.ifname);
        this.reserve(adopted, `${validated.ifname} of container ${recordedId}`);
        this.inFlight.delete(hostName);
        hostName = adopted;
        container = { ...resolved, id: recordedId };
      }
      const spec = buildSpec(validated, container.id);
      if (!existing) return { job: { spec, container, hostName, attachmentId: randomUUID(), replaces: null } };
      const drift = await this.checkRepeat(existing, spec, container, hostLinks);
      if (drift.length === 0) {
        this.inFlight.delete(hostName);
        return { result: { attachment: existing.attachment, changed: false } };
      }
      return { job: { spec, container, hostName, attachmentId: existing.attachment.attachmentId, replaces: existing.row } };
    } catch (error) {
      this.inFlight.delete(hostName);
      throw error;
    }
  }

  /** What is recorded for this interface of the container: under its id, or in its very namespace under another id. */
  private async recorded(container: ResolvedContainer, ifname: string): Promise<Found | null> {
    const [byId] = await this.findOurs({ [ids.CONTAINER_ID]: container.id, [ids.OVS_DOCKER_CONTAINER_IFACE]: ifname });
    if (byId) return byId;
    for (const found of await this.findOurs({ [ids.NETNS_INODE]: String(container.netnsInode), [ids.OVS_DOCKER_CONTAINER_IFACE]: ifname })) {
      if (await inLiveNamespace(found.attachment, container.netnsInode)) return found;
    }
    return null;
  }

  /**
   * A repeated request: refused when it differs or the attachment is not in a usable state;
   * otherwise checked against the host, never answered from the record alone. Returns the
   * drift (empty: all is as asked).
   */
  private async checkRepeat(existing: Found, spec: AttachSpec, container: ResolvedContainer, hostLinks: () => Promise<Map<string, IpLink>>): Promise<string[]> {
    const { attachment: current } = existing;
    const what = `${spec.ifname} of container ${container.id}`;
    if (current.state !== 'ready') throw new ConflictError(`${what} was left half-attached by an interrupted run: call recover() first`);
    const differing = diffSpecs(current.spec, spec);
    if (differing.length > 0) throw new ConflictError(`${what} is already attached differently (${differing.join(', ')}): detach it first`, differing);
    if (!(await inLiveNamespace(current, container.netnsInode))) throw new ConflictError(`${what} is attached to an earlier namespace of the container: use replumb()`);
    return (await this.inspectOne(existing, await hostLinks())).drift;
  }

  /** Rows with our owner mark (plus `match`), with the attachment each records. */
  private async findOurs(match: Record<string, string>): Promise<Found[]> {
    const rows = await this.store.find({ [ids.OWNER]: this.owner, ...match });
    const out: Found[] = [];
    for (const row of rows) {
      const attachment = ids.attachmentFromRow(row, this.owner);
      if (attachment && isOurHostIfname(row.name)) out.push({ row, attachment });
    }
    return out;
  }

  private async select(selector: AttachmentSelector): Promise<Found[]> {
    if (typeof selector !== 'object' || selector === null) throw new ValidationError('selector', 'must be {attachmentId}, {containerId, ifname?} or {container, ifname?}');
    const ifname = 'ifname' in selector && selector.ifname !== undefined ? assertInterfaceName(selector.ifname, 'ifname') : undefined;
    const match: Record<string, string> = ifname === undefined ? {} : { [ids.OVS_DOCKER_CONTAINER_IFACE]: ifname };
    if ('attachmentId' in selector) {
      if (typeof selector.attachmentId !== 'string' || !/^[0-9a-f-]{36}$/.test(selector.attachmentId)) throw new ValidationError('attachmentId', 'must be a UUID');
      match[ids.ATTACHMENT_ID] = selector.attachmentId;
    } else if ('containerId' in selector) {
      if (typeof selector.containerId !== 'string' || !CONTAINER_ID_PATTERN.test(selector.containerId)) throw new ValidationError('containerId', 'is not a container id');
      match[ids.CONTAINER_ID] = selector.containerId;
    } else if ('container' in selector) {
      // Found by what was recorded, so a stopped or removed container can still be detached.
      const identity = await this.identify(selector.container);
      const out: Found[] = [];
      for (const found of await this.findOurs(match)) if (await belongsTo(found.attachment, identity)) out.push(found);
      return out;
    } else {
      throw new ValidationError('selector', 'must be {attachmentId}, {containerId, ifname?} or {container, ifname?}');
    }
    return this.findOurs(match);
  }

  /** Removes the OVS ports and veth pairs of the selected attachments; returns what was detached. */
  async detach(selector: AttachmentSelector): Promise<Attachment[]> {
    const [outcome] = await this.detachMany([selector]);
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  }

  /**
   * Detaches many selections at once: every port in one transaction and one ovs-vswitchd
   * reconfiguration (waited for), every host end in one `ip` batch. One outcome per selector,
   * in order: what it detached, or why not.
   */
  async detachMany(selectors: readonly AttachmentSelector[]): Promise<PromiseSettledResult<Attachment[]>[]> {
    if (!Array.isArray(selectors)) throw new ValidationError('selectors', 'must be a list of selectors');
    const selected = await Promise.allSettled(selectors.map((selector) => this.select(selector)));
    const rows = new Map<string, PortRow>();
    for (const outcome of selected) if (outcome.status === 'fulfilled') for (const { row } of outcome.value) rows.set(row.interfaceUuid, row);
    const failed = await this.remove([...rows.values()]);
    return selected.map((outcome): PromiseSettledResult<Attachment[]> => {
      if (outcome.status === 'rejected') return outcome;
      const error = outcome.value.map(({ row }) => failed.get(row.name)).find((e) => e !== undefined);
      return error ? { status: 'rejected', reason: error } : { status: 'fulfilled', value: outcome.value.map((f) => f.attachment) };
    });
  }

  /** Ports out in one transaction, host ends out in one batch, at once. Returns, by host end, what failed. */
  private async remove(rows: readonly PortRow[]): Promise<Map<string, DetachError>> {
    const failed = new Map<string, DetachError>();
    if (rows.length === 0) return failed;
    const [ports, links] = await Promise.allSettled([
      this.store.deletePorts(rows.flatMap((row) => (row.portUuid === null ? [] : [row.portUuid])), this.wait),
      this.host.delete(rows.map((row) => row.name)),
    ]);
    if (ports.status === 'rejected') for (const row of rows) failed.set(row.name, new DetachError('ovs-port', ports.reason));
    if (links.status === 'rejected') {
      for (const row of rows) if (!failed.has(row.name)) failed.set(row.name, new DetachError('veth', links.reason));
    } else {
      for (const [name, message] of links.value) if (!failed.has(name)) failed.set(name, new DetachError('veth', new Error(message)));
    }
    return failed;
  }

  /** Changes the access VLAN (or trunks) of existing attachments, and records it; one transaction, waited for. */
  async setVlan(selector: AttachmentSelector, vlan: { tag: number } | { trunks: number[] }): Promise<Attachment[]> {
    const v = validateVlan(vlan);
    const found = await this.select(selector);
    for (const { attachment } of found) attachment.spec = { ...attachment.spec, tag: v.tag, trunks: v.trunks };
    await this.store.updatePorts(
      found.map(({ row, attachment }) => ({ row, vlan: v, externalIds: { [ids.SPEC]: JSON.stringify(attachment.spec) } })),
      this.wait,
    );
    return found.map((f) => f.attachment);
  }

  /** What is really configured, on the bridge, on the host and inside the container, and how it differs from the request. */
  async inspect(selector: AttachmentSelector): Promise<Inspection[]> {
    const found = await this.select(selector);
    if (found.length === 0) return [];
    const hostLinks = await this.host.list();
    const out: Inspection[] = [];
    for (const f of found) out.push(await this.inspectOne(f, hostLinks));
    return out;
  }

  private async inspectOne({ row, attachment }: Found, hostLinks: Map<string, IpLink>): Promise<Inspection> {
    const host = hostLinks.get(row.name);
    const inspection: Inspection = {
      attachment,
      bridge: { bridge: row.bridge, tag: row.tag, trunks: row.trunks, ofport: row.ofport, linkState: row.linkState, error: row.error },
      host: { present: host !== undefined, mtu: host?.mtu ?? null, up: host?.flags.includes('UP') ?? false },
      container: await readContainerView(this.runner, attachment),
      drift: [],
    };
    inspection.drift = driftOf(inspection);
    return inspection;
  }

  /** Ends the long-lived host-side `ip`; the Plumber starts it again if used after. */
  close(): Promise<void> {
    return this.host.close();
  }

  /** Attachments whose container namespace is gone or replaced, or whose host veth end vanished. */
  async findStale(): Promise<StaleAttachment[]> {
    const found = await this.findOurs({});
    if (found.length === 0) return [];
    const hostLinks = await this.host.list();
    const stale: StaleAttachment[] = [];
    for (const { row, attachment } of found) {
      if (attachment.state !== 'ready' || this.inFlight.has(row.name)) continue;
      const reasons: StaleReason[] = [];
      const inode = await netnsInode(attachment.netnsPath);
      if (inode === null) reasons.push('namespace-gone');
      else if (inode !== attachment.netnsInode) reasons.push('namespace-replaced');
      if (!hostLinks.has(row.name)) reasons.push('host-veth-missing');
      if (row.error !== null || row.ofport === -1) reasons.push('ovs-error');
      if (reasons.length > 0) stale.push({ attachment, reasons });
    }
    return stale;
  }

  /** Removes stale attachments (their OVS port and whatever is left of the veth), all at once. */
  async cleanup(stale: readonly StaleAttachment[]): Promise<Attachment[]> {
    const outcomes = await this.detachMany(stale.map((s) => ({ attachmentId: s.attachment.attachmentId })));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    return outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
  }

  /** Plumbs an attachment again, as recorded and under the same attachment id, into the container's new namespace. */
  async replumb(attachmentId: string, container: NamespaceRef): Promise<AttachResult> {
    const [current] = await this.select({ attachmentId });
    if (!current) throw new ValidationError('attachmentId', `no attachment ${attachmentId}`);
    assertNamespaceRef(container);
    const { spec } = current.attachment;
    const resolved = await this.resolve(container, spec.containerId);
    const hostName = hostIfname(resolved.id, spec.ifname);
    this.reserve(hostName, `${spec.ifname} of container ${resolved.id}`);
    try {
      const [outcome] = await plumbTogether(this.groupContext(), [{ spec, container: resolved, hostName, attachmentId, replaces: current.row }]);
      if (outcome.status === 'rejected') throw outcome.reason;
      return { attachment: outcome.value, changed: true };
    } finally {
      this.inFlight.delete(hostName);
    }
  }

  /**
   * Crash leftovers, found by our name prefix and owner mark: veth ends of ours that no OVS
   * port records, ports whose veth is gone, and attaches interrupted before they were ready.
   * Call it at start-up; attaches under way in this instance are left alone.
   */
  async recover(): Promise<RecoveryReport> {
    const found = await this.findOurs({});
    const hostLinks = await this.host.list();
    const doomed = found.filter(({ row, attachment }) => !this.inFlight.has(row.name) && (attachment.state !== 'ready' || !hostLinks.has(row.name)));
    const recorded = new Set(found.map((f) => f.row.name));
    const orphanLinks = [...hostLinks.values()]
      .filter((l) => isOurHostIfname(l.ifname) && l.linkinfo?.info_kind === 'veth' && !recorded.has(l.ifname) && !this.inFlight.has(l.ifname))
      .map((l) => l.ifname);
    await this.store.deletePorts(doomed.flatMap(({ row }) => (row.portUuid === null ? [] : [row.portUuid])), this.wait);
    const links = [...orphanLinks, ...doomed.map((d) => d.row.name).filter((n) => hostLinks.has(n))];
    const failed = await this.host.delete(links);
    if (failed.size > 0) throw new DetachError('veth', new Error([...failed].map(([name, message]) => `${name}: ${message}`).join('; ')));
    return { removedPorts: doomed.map((d) => d.row.name), removedLinks: links };
  }
}

export { driftOf };
export type { ContainerView, Inspection } from './inspection';
