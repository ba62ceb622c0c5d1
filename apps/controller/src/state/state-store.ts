import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AttachmentRecord, DesiredHostState, HostRecord, NetworkRecord, redisKeys } from '@ovs-fleet/contracts';
import { assignLocalVlans, buildDesiredState, diffDesiredState, DesiredStateDiff, isSameDesiredState, spans } from '../desired-state';
import { HostQueues } from '../jobs/host-queues';
import { IpamService } from '../ipam/ipam.service';
import { containsAddress } from '../ipam/subnet';
import { newOperation, OperationRecord, stageOperation } from '../operations/operation-record';
import { OperationsService } from '../operations/operations.service';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { REDIS } from '../redis/redis.module';
import { stateKeys } from './state-keys';
import { StateTransaction } from './state-transaction';
import { WriteLock } from './write-lock';

export interface MutationContext {
  /** What the operation says it did, e.g. `network.create`. */
  kind: string;
  resource: { type: string; id: string } | null;
  dryRun: boolean;
  requestId: string | null;
}

export interface MutationHooks {
  undo?: () => Promise<void>;
  afterCommit?: (removedAttachments: AttachmentRecord[]) => Promise<void>;
}

export interface HostChange {
  hostId: string;
  fromRevision: number;
  toRevision: number;
  diff: DesiredStateDiff;
}

export interface MutationOutcome<T> {
  value: T;
  dryRun: boolean;
  /** Every host whose desired state changed (or would change, in a dry run). */
  hosts: HostChange[];
  /** The operation that tracks the change to its hosts; null for a dry run. */
  operation: OperationRecord | null;
}

interface RebuiltHost {
  hostId: string;
  before: DesiredHostState | null;
  after: DesiredHostState;
  localVlans: Record<string, number>;
}

/**
 * The only writer of desired state. A mutation runs under the fleet-wide write lock: it reads
 * through a StateTransaction, decides (throwing an ApiError refuses it and changes nothing),
 * then every affected host's desired-state document is rebuilt, and records, documents,
 * revisions and the operation are written in ONE MULTI. Jobs are queued after the commit.
 */
@Injectable()
export class StateStore {
  private readonly lock: WriteLock;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    private readonly queues: HostQueues,
    private readonly operations: OperationsService,
    private readonly ipam: IpamService,
  ) {
    this.lock = new WriteLock(redis, stateKeys.writeLock);
  }

  /** A transaction for reads only (no lock): a consistent-enough view for GET requests. */
  reader(): StateTransaction {
    return new StateTransaction(this.redis);
  }

  async desired(hostId: string): Promise<DesiredHostState | null> {
    const text = await this.redis.get(redisKeys.hostDesired(hostId));
    return text ? (JSON.parse(text) as DesiredHostState) : null;
  }

  /**
   * `hooks.undo` runs when the mutation is refused or is a dry run (e.g. to release addresses
   * allocated while deciding); `hooks.afterCommit` runs once the change is stored.
   */
  async mutate<T>(context: MutationContext, decide: (tx: StateTransaction) => Promise<T>, hooks: MutationHooks = {}): Promise<MutationOutcome<T>> {
    const undo = hooks.undo;
    const committed = await this.lock.run(async () => {
      const tx = new StateTransaction(this.redis);
      try {
        const value = await decide(tx);
        const rebuilt = await this.rebuild(tx);
        const hosts = rebuilt.map((r) => ({
          hostId: r.hostId,
          fromRevision: r.before?.revision ?? 0,
          toRevision: r.after.revision,
          diff: diffDesiredState(r.before, r.after),
        }));
        if (context.dryRun) {
          await undo?.();
          return { value, hosts, operation: null, removed: [], networks: [], deletedNetworks: [] };
        }
        const now = Date.now();
        const operation = newOperation({
          kind: context.kind,
          resource: context.resource,
          requestId: context.requestId,
          createdAt: now,
          timeoutMs: this.config.operationTimeoutS * 1000,
          targets: Object.fromEntries(rebuilt.map((r) => [r.hostId, r.after.revision])),
        });
        const multi = this.redis.multi();
        tx.stage(multi);
        for (const r of rebuilt) {
          multi
            .set(redisKeys.hostDesired(r.hostId), JSON.stringify(r.after))
            .set(stateKeys.hostRevision(r.hostId), String(r.after.revision))
            .set(stateKeys.hostLocalVlans(r.hostId), JSON.stringify(r.localVlans));
        }
        stageOperation(multi, operation);
        const results = await multi.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error('the state write was aborted');
        return { value, hosts, operation, removed: tx.removedAttachments(), networks: await tx.allNetworks(), deletedNetworks: tx.deletedNetworks() };
      } catch (error) {
        await undo?.();
        throw error;
      }
    });
    const { value, hosts, operation } = committed;
    if (operation) {
      await this.releaseAddresses(committed.removed, committed.networks, committed.deletedNetworks);
      await hooks.afterCommit?.(committed.removed);
    }
    if (operation && hosts.length > 0) {
      const queuedAt = await this.queues.enqueue(
        hosts.map((h) => ({ hostId: h.hostId, revision: h.toRevision })),
        context.requestId,
      );
      await this.operations.markQueued(operation.id, queuedAt);
    }
    return { value, dryRun: context.dryRun, hosts, operation };
  }

  /**
   * After the commit: the addresses of removed attachments go back to their subnets, and a
   * deleted network's IPAM goes. A crash before this leaks addresses, never hands one out twice.
   */
  private async releaseAddresses(removed: AttachmentRecord[], networks: NetworkRecord[], deleted: NetworkRecord[] = []): Promise<void> {
    const byName = new Map(networks.map((n) => [n.name, n]));
    await Promise.all(
      removed.flatMap((attachment) =>
        attachment.addresses.map((address) => {
          const subnet = byName.get(attachment.network)?.subnets.find((s) => containsAddress(s, address.split('/')[0]));
          return subnet ? this.ipam.release(attachment.network, subnet.cidr, address, attachment.id) : Promise.resolve(false);
        }),
      ),
    );
    await Promise.all(deleted.map((network) => this.ipam.dropNetwork(network.name, network.subnets.map((s) => s.cidr))));
  }

  /** New desired-state documents for the hosts this mutation affects, unchanged ones left out. */
  private async rebuild(tx: StateTransaction): Promise<RebuiltHost[]> {
    const hosts = await tx.allHosts();
    const networks = await tx.allNetworks();
    const ids = tx.everyHost ? [...hosts.map((h) => h.id), ...tx.deletedHostIds()] : [...tx.touchedHosts];
    const reservedVlans = new Set(networks.filter((n) => n.type === 'vlan').map((n) => n.segmentId));
    const rebuilt: RebuiltHost[] = [];
    const hostById = new Map(hosts.map((h) => [h.id, h]));
    const befores = ids.length ? await this.redis.mget(ids.map(redisKeys.hostDesired)) : [];
    const vlanTexts = ids.length ? await this.redis.mget(ids.map(stateKeys.hostLocalVlans)) : [];
    for (const [i, hostId] of ids.entries()) {
      const before = befores[i] ? (JSON.parse(befores[i] as string) as DesiredHostState) : null;
      const host = hostById.get(hostId);
      const after = host
        ? await this.documentFor(tx, host, hosts, networks, reservedVlans, vlanTexts[i], (before?.revision ?? 0) + 1)
        : drainedDocument(before);
      if (!after) continue;
      if (before && isSameDesiredState(before, after.doc)) continue;
      rebuilt.push({ hostId, before, after: after.doc, localVlans: after.localVlans });
    }
    return rebuilt;
  }

  private async documentFor(
    tx: StateTransaction,
    host: HostRecord,
    hosts: HostRecord[],
    networks: NetworkRecord[],
    reservedVlans: ReadonlySet<number>,
    vlanText: string | null,
    revision: number,
  ): Promise<{ doc: DesiredHostState; localVlans: Record<string, number> }> {
    const overlays = networks.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name);
    const localVlans = assignLocalVlans(vlanText ? (JSON.parse(vlanText) as Record<string, number>) : {}, overlays, reservedVlans);
    const doc = buildDesiredState({
      host,
      revision,
      hosts,
      networks,
      attachments: await tx.attachmentsOfHost(host.id),
      localVlans,
      operator: await tx.operator(host.id),
    });
    return { doc, localVlans };
  }
}

/**
 * A deleted host's last document: nothing of ours left on it, so its agent (if it still runs)
 * removes every tunnel, port and veth it made. Null when it already is that.
 */
function drainedDocument(before: DesiredHostState | null): { doc: DesiredHostState; localVlans: Record<string, number> } | null {
  if (!before) return null;
  const doc: DesiredHostState = { ...before, revision: before.revision + 1, networks: [], tunnels: [], attachments: [], operator: { bridges: [], ports: [], tunnels: [] } };
  return { doc, localVlans: {} };
}
