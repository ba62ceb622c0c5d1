import { randomUUID } from 'node:crypto';
import { assertInterfaceName, assertNetnsName, CommandError, IpLink, ValidationError } from '@ovs-fleet/iproute';
import { announceSysctls, containerConfigCommands, hostCreateCommands } from './commands';
import { AttachError, ConflictError } from './errors';
import * as ids from './external-ids';
import { hostIfname, isOurHostIfname } from './naming';
import { UndoStack } from './undo-stack';
import { driftOf, Inspection, readContainerView } from './inspection';
import { assertNamespaceRef, CONTAINER_ID as CONTAINER_ID_PATTERN, netnsInode, resolveNamespace, ResolveOptions } from './namespace';
import { PortRow, PortStore } from './port-store';
import { buildSpec, diffSpecs, validateAttachRequest, validateVlan } from './request';
import { BatchSession, defaultRunner, ipBatchIn, parseJsonLines, Prepared, PreparedBatch, prepareIpBatchInTarget, prepareSysctlInTarget, Runner, sessionWith } from './runner';
import { Attachment, AttachRequest, AttachSpec, NamespaceRef, ResolvedContainer } from './types';

export interface PlumberOptions {
  store: PortStore;
  /** Named namespace holding the host ends and OVS (a lab host); undefined: the current one. */
  hostNetns?: string;
  /** Docker Engine API socket for `{dockerContainer}` refs that name none. */
  dockerSocket?: string;
  /** Value of `ovs-fleet-owner` on our rows; only rows with it are ever touched. */
  owner?: string;
  /** Wait up to this long for ovs-vswitchd to take the port before the link comes up (0: don't). */
  liveTimeoutMs?: number;
  runner?: Runner;
  resolve?: (ref: NamespaceRef, options: ResolveOptions) => Promise<ResolvedContainer>;
}

/** Which attachments an operation is about. */
export type AttachmentSelector =
  | { attachmentId: string }
  | { containerId: string; ifname?: string }
  | { container: NamespaceRef; ifname?: string };

export interface AttachResult {
  attachment: Attachment;
  /** False when the same request was already in place (nothing was done). */
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

/**
 * Plumbs containers into an OVS bridge: veth pair, OVS port (through a PortStore), and the
 * container-side configuration, all or nothing. One instance per host namespace; reuse it.
 */
export class Plumber {
  private readonly store: PortStore;
  private readonly owner: string;
  private readonly runner: Runner;
  private readonly hostNetns: string | undefined;
  private readonly liveTimeoutMs: number;
  /** One long-lived `ip` in the host namespace for creating and deleting host ends. */
  private readonly hostIp: BatchSession;
  /** Host-side names of attaches under way: recover() and a concurrent attach leave them alone. */
  private readonly inFlight = new Set<string>();
  /**
   * Host-side names whose port was deleted, with the configuration number after which
   * ovs-vswitchd has let go of them. Re-adding a name before that could find vswitchd still
   * holding the old device (same name, dead ifindex), so attach waits for it first.
   */
  private readonly unsettled = new Map<string, number>();

  constructor(private readonly options: PlumberOptions) {
    this.store = options.store;
    this.owner = options.owner ?? DEFAULT_OWNER;
    if (typeof this.owner !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(this.owner)) throw new ValidationError('owner', 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
    this.runner = options.runner ?? defaultRunner;
    this.hostNetns = options.hostNetns === undefined ? undefined : assertNetnsName(options.hostNetns, 'hostNetns');
    if (options.dockerSocket !== undefined) assertNamespaceRef({ dockerContainer: 'x', dockerSocket: options.dockerSocket }, 'dockerSocket');
    this.liveTimeoutMs = options.liveTimeoutMs ?? 5000;
    this.hostIp = sessionWith(this.runner, this.hostNetns);
    if (!Number.isInteger(this.liveTimeoutMs) || this.liveTimeoutMs < 0) throw new ValidationError('liveTimeoutMs', 'must be a whole number of milliseconds');
  }

  private resolve(ref: NamespaceRef, containerId?: string): Promise<ResolvedContainer> {
    const resolveOptions: ResolveOptions = { containerId, dockerSocket: this.options.dockerSocket };
    return (this.options.resolve ?? resolveNamespace)(ref, resolveOptions);
  }

  async attach(request: AttachRequest): Promise<AttachResult> {
    const validated = validateAttachRequest(request);
    assertNamespaceRef(request.container);
    const container = await this.resolve(request.container, request.containerId);
    const spec = buildSpec(validated, container.id);
    const hostName = hostIfname(container.id, spec.ifname);
    if (this.inFlight.has(hostName)) throw new ConflictError(`${spec.ifname} of container ${container.id} is being attached right now`);
    this.inFlight.add(hostName);
    try {
      const existing = await this.findOurs({ [ids.CONTAINER_ID]: container.id, [ids.OVS_DOCKER_CONTAINER_IFACE]: spec.ifname });
      if (existing.length > 0) return { attachment: this.sameOrConflict(existing[0], spec, container), changed: false };
      return { attachment: await this.plumb(spec, container, hostName), changed: true };
    } finally {
      this.inFlight.delete(hostName);
    }
  }

  /**
   * Attaches many containers, `concurrency` at a time (default 8): ovs-vswitchd then takes
   * several ports per reconfiguration, which one-at-a-time attaches wait for one by one. One
   * outcome per request, in order; each attach is all or nothing on its own.
   */
  async attachMany(requests: readonly AttachRequest[], options: { concurrency?: number } = {}): Promise<PromiseSettledResult<AttachResult>[]> {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ValidationError('concurrency', 'must be a whole number from 1 to 64');
    const outcomes: PromiseSettledResult<AttachResult>[] = new Array(requests.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const i = next++;
        try {
          outcomes[i] = { status: 'fulfilled', value: await this.attach(requests[i]) };
        } catch (reason) {
          outcomes[i] = { status: 'rejected', reason };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    return outcomes;
  }

  private sameOrConflict({ row, attachment: current }: { row: PortRow; attachment: Attachment }, spec: AttachSpec, container: ResolvedContainer): Attachment {
    if (current.state !== 'ready') throw new ConflictError(`${spec.ifname} of container ${container.id} was left half-attached by an interrupted run: call recover() first`);
    const differing = diffSpecs(current.spec, spec);
    if (differing.length > 0) {
      throw new ConflictError(`${spec.ifname} of container ${container.id} is already attached differently (${differing.join(', ')}): detach it first`, differing);
    }
    // Namespace inodes are reused once freed, so the path (the PID) counts too; and a veth that
    // died with an earlier namespace shows in OVS as an interface it cannot open.
    const sameNamespace = current.netnsPath === container.target.path && current.netnsInode === container.netnsInode;
    if (!sameNamespace || row.error !== null || row.ofport === -1) {
      throw new ConflictError(`${spec.ifname} of container ${container.id} is attached to an earlier namespace of the container: use replumb()`);
    }
    return current;
  }

  private async plumb(spec: AttachSpec, container: ResolvedContainer, hostName: string): Promise<Attachment> {
    const attachment: Attachment = {
      attachmentId: randomUUID(),
      containerId: container.id,
      containerName: container.name,
      containerRef: container.typed,
      ifname: spec.ifname,
      bridge: spec.bridge,
      hostIfname: hostName,
      netnsPath: container.target.path,
      netnsInode: container.netnsInode,
      spec,
      state: 'pending',
    };
    let announceSide: Prepared<readonly string[]> | null = null;
    let containerSide: PreparedBatch | null = null;
    const undo = new UndoStack();
    let step = 'veth';
    try {
      const removal = this.unsettled.get(hostName);
      if (removal !== undefined && this.liveTimeoutMs > 0) {
        step = 'ovs-vswitchd';
        await this.store.waitApplied(removal, this.liveTimeoutMs);
        for (const [name, cfg] of this.unsettled) if (cfg <= removal) this.unsettled.delete(name);
        step = 'veth';
      }
      // The veth first, up: ovs-vswitchd must never see it down. Were the row there first, it
      // could open the device before `link set up` and, setting promiscuous mode from its stale
      // copy of the flags, turn it down again (seen here: the port then passes no traffic).
      // Its undo goes first (the name is ours: prefix + hash of this container and interface,
      // not in OVS, and no other attach of it is under way).
      undo.push(`delete veth ${hostName}`, () => this.deleteHostLinks([hostName]));
      const created = this.hostIp.run(hostCreateCommands(spec, hostName, container.target));
      created.catch(() => undefined);
      // While ip creates it, the container-side processes start, ahead of their input (see
      // prepare() in @ovs-fleet/iproute): their start-up is then off the path of the steps below.
      const sysctls = announceSysctls(spec);
      if (sysctls.length > 0) announceSide = prepareSysctlInTarget(this.runner, container.target);
      containerSide = prepareIpBatchInTarget(this.runner, container.target);
      await created;

      // Then the port row, and the announcement sysctls inside the container, at once.
      const ovsSide = (async () => {
        const row = await this.store.addPort({
          bridge: spec.bridge,
          name: hostName,
          tag: spec.tag,
          trunks: spec.trunks,
          mtuRequest: spec.mtu,
          interfaceExternalIds: ids.interfaceExternalIds(this.owner, attachment),
          portExternalIds: ids.portExternalIds(this.owner, attachment),
        });
        undo.push(`delete OVS port ${hostName}`, () => this.deletePorts([{ name: hostName, portUuid: row.portUuid }]));
        return row;
      })();
      const announced = announceSide ? announceSide.run(sysctls) : Promise.resolve();
      // The server-side wait for ovs-vswitchd starts as soon as the row exists. If the attach fails
      // meanwhile, the undo deletes the row, which ends the wait; its outcome is then ignored.
      const liveSide = this.liveTimeoutMs > 0 ? ovsSide.then(() => this.store.waitLive(hostName, this.liveTimeoutMs)) : Promise.resolve(null);
      liveSide.catch(() => undefined);
      const [announceResult, ovsResult] = await Promise.allSettled([announced, ovsSide]);
      if (ovsResult.status === 'rejected') {
        step = 'ovs-port';
        throw ovsResult.reason;
      }
      if (announceResult.status === 'rejected') {
        step = 'announce-sysctl';
        throw announceResult.reason;
      }
      const portRow = ovsResult.value;

      step = 'ovs-vswitchd';
      const live = await liveSide;
      if (live !== null && live.ofport < 0) throw new Error(`ovs-vswitchd could not add ${hostName}: ${live.error ?? 'no ofport'}`);

      step = 'container-config';
      await containerSide.run(containerConfigCommands(spec));

      step = 'mark-ready';
      await this.store.updatePort(portRow, { externalIds: { [ids.STATE]: 'ready' } });
      attachment.state = 'ready';
      return attachment;
    } catch (error) {
      throw new AttachError(step, error, await undo.unwind());
    } finally {
      // Whatever did not run exits without doing anything.
      announceSide?.discard();
      containerSide?.discard();
    }
  }

  /** Rows with our owner mark (plus `match`), with the attachment each records. */
  private async findOurs(match: Record<string, string>): Promise<{ row: PortRow; attachment: Attachment }[]> {
    const rows = await this.store.find({ [ids.OWNER]: this.owner, ...match });
    const out: { row: PortRow; attachment: Attachment }[] = [];
    for (const row of rows) {
      const attachment = ids.attachmentFromRow(row, this.owner);
      if (attachment && isOurHostIfname(row.name)) out.push({ row, attachment });
    }
    return out;
  }

  private async select(selector: AttachmentSelector): Promise<{ row: PortRow; attachment: Attachment }[]> {
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
      match[ids.CONTAINER_ID] = (await this.resolve(selector.container)).id;
    } else {
      throw new ValidationError('selector', 'must be {attachmentId}, {containerId, ifname?} or {container, ifname?}');
    }
    return this.findOurs(match);
  }

  /** Removes the OVS ports and veth pairs of the selected attachments; returns what was detached. */
  async detach(selector: AttachmentSelector): Promise<Attachment[]> {
    const found = await this.select(selector);
    await this.remove(found.map((f) => f.row));
    return found.map((f) => f.attachment);
  }

  private async remove(rows: PortRow[]): Promise<void> {
    if (rows.length === 0) return;
    await Promise.all([this.deletePorts(rows), this.deleteHostLinks(rows.map((r) => r.name))]);
  }

  private async deletePorts(rows: readonly Pick<PortRow, 'name' | 'portUuid'>[]): Promise<void> {
    const withPort = rows.filter((r): r is { name: string; portUuid: string } => r.portUuid !== null);
    const cfg = await this.store.deletePorts(withPort.map((r) => r.portUuid));
    if (cfg === null) return;
    for (const { name } of withPort) {
      this.unsettled.delete(name);
      this.unsettled.set(name, cfg);
    }
    // Bounded: the oldest entries are long settled.
    for (const name of this.unsettled.keys()) {
      if (this.unsettled.size <= 4096) break;
      this.unsettled.delete(name);
    }
  }

  /** Deletes host-side veth ends (the peer goes with them); only names of ours, and a missing one is fine. */
  private async deleteHostLinks(names: string[]): Promise<void> {
    const ours = names.filter(isOurHostIfname);
    if (ours.length === 0) return;
    try {
      await this.hostIp.run(ours.map((name) => ['link', 'del', name]));
    } catch (error) {
      const lines = error instanceof CommandError ? error.stderr.split('\n').filter((l) => l.trim() !== '') : ['?'];
      const real = lines.filter((l) => !/Cannot find device|Command failed/.test(l));
      if (real.length > 0) throw error;
    }
  }

  /** Changes the access VLAN (or trunks) of existing attachments, and records it. */
  async setVlan(selector: AttachmentSelector, vlan: { tag: number } | { trunks: number[] }): Promise<Attachment[]> {
    const v = validateVlan(vlan);
    const found = await this.select(selector);
    for (const { row, attachment } of found) {
      attachment.spec = { ...attachment.spec, tag: v.tag, trunks: v.trunks };
      await this.store.updatePort(row, { vlan: { tag: v.tag, trunks: v.trunks }, externalIds: { [ids.SPEC]: JSON.stringify(attachment.spec) } });
    }
    return found.map((f) => f.attachment);
  }

  /** What is really configured, on the bridge, on the host and inside the container, and how it differs from the request. */
  async inspect(selector: AttachmentSelector): Promise<Inspection[]> {
    const found = await this.select(selector);
    if (found.length === 0) return [];
    const hostLinks = await this.hostLinks();
    const out: Inspection[] = [];
    for (const { row, attachment } of found) {
      const host = hostLinks.get(row.name);
      const container = await readContainerView(this.runner, attachment);
      const inspection: Inspection = {
        attachment,
        bridge: { bridge: row.bridge, tag: row.tag, trunks: row.trunks, ofport: row.ofport, linkState: row.linkState, error: row.error },
        host: { present: host !== undefined, mtu: host?.mtu ?? null, up: host?.flags.includes('UP') ?? false },
        container,
        drift: [],
      };
      inspection.drift = driftOf(inspection);
      out.push(inspection);
    }
    return out;
  }

  /** Ends the long-lived host-side `ip`; the Plumber starts it again if used after. */
  close(): Promise<void> {
    return this.hostIp.close();
  }

  private async hostLinks(): Promise<Map<string, IpLink>> {
    const { stdout } = await ipBatchIn(this.runner, this.hostNetns, [['link', 'show']], { json: true, details: true });
    const [links] = parseJsonLines<IpLink[]>(stdout);
    return new Map((links ?? []).map((l) => [l.ifname, l]));
  }

  /** Attachments whose container namespace is gone or replaced, or whose host veth end vanished. */
  async findStale(): Promise<StaleAttachment[]> {
    const found = await this.findOurs({});
    if (found.length === 0) return [];
    const hostLinks = await this.hostLinks();
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

  /** Removes stale attachments (their OVS port and whatever is left of the veth). */
  async cleanup(stale: readonly StaleAttachment[]): Promise<Attachment[]> {
    const removed: Attachment[] = [];
    for (const s of stale) removed.push(...(await this.detach({ attachmentId: s.attachment.attachmentId })));
    return removed;
  }

  /** Plumbs an attachment again, as recorded, into the container's new namespace. */
  async replumb(attachmentId: string, container: NamespaceRef): Promise<AttachResult> {
    const [current] = await this.select({ attachmentId });
    if (!current) throw new ValidationError('attachmentId', `no attachment ${attachmentId}`);
    const { spec } = current.attachment;
    assertNamespaceRef(container);
    await this.remove([current.row]);
    return this.attach({
      container,
      containerId: spec.containerId,
      bridge: spec.bridge,
      ifname: spec.ifname,
      mac: spec.mac,
      mtu: spec.mtu ?? undefined,
      addresses: spec.addresses,
      gateway: spec.gateway ?? undefined,
      gateway6: spec.gateway6 ?? undefined,
      routes: spec.routes.map((r) => (r.via === null ? { to: r.to } : { to: r.to, via: r.via })),
      tag: spec.tag ?? undefined,
      trunks: spec.trunks.length > 0 ? spec.trunks : undefined,
      announce: spec.announce,
    });
  }

  /**
   * Crash leftovers, found by our name prefix and owner mark: veth ends of ours that no OVS
   * port records, ports whose veth is gone, and attaches interrupted before they were ready.
   * Call it at start-up; attaches under way in this instance are left alone.
   */
  async recover(): Promise<RecoveryReport> {
    const found = await this.findOurs({});
    const hostLinks = await this.hostLinks();
    const doomed = found.filter(({ row, attachment }) => !this.inFlight.has(row.name) && (attachment.state !== 'ready' || !hostLinks.has(row.name)));
    const recorded = new Set(found.map((f) => f.row.name));
    const orphanLinks = [...hostLinks.values()]
      .filter((l) => isOurHostIfname(l.ifname) && l.linkinfo?.info_kind === 'veth' && !recorded.has(l.ifname) && !this.inFlight.has(l.ifname))
      .map((l) => l.ifname);
    await this.deletePorts(doomed.map((d) => d.row));
    const links = [...orphanLinks, ...doomed.map((d) => d.row.name).filter((n) => hostLinks.has(n))];
    await this.deleteHostLinks(links);
    return { removedPorts: doomed.map((d) => d.row.name), removedLinks: links };
  }
}

export { driftOf };
export type { ContainerView, Inspection } from './inspection';
