import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AttachmentRecord, DESIRED_STATE_SCHEMA, DesiredHostState, HostRecord, NetworkRecord, redisKeys } from '@ovs-fleet/contracts';
import { assignLocalVlans, buildHostDocument, diffDesiredState, DesiredStateDiff, fleetView, FleetView, isSameDesiredState, spans } from '../desired-state';
import { AgentPlanAnswer, AgentPlans } from '../jobs/agent-plans';
import { HostQueues } from '../jobs/host-queues';
import { wantsAgentPlans } from '../common/explain';
import { IpamService } from '../ipam/ipam.service';
import { containsAddress } from '../ipam/subnet';
import { newOperation, OperationRecord, stageOperations } from '../operations/operation-record';
import { OperationsService } from '../operations/operations.service';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { REDIS } from '../redis/redis.module';
import { CommittedReads } from './committed-reads';
import { MeshState, readMeshState, resolvedForDiff, stageMeshes } from './mesh-state';
import { commitState } from './state-commit';
import { stateKeys } from './state-keys';
import { StateTransaction } from './state-transaction';
import { WriteCommands } from './write-commands';
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
  /** Dry runs only. */
  diff?: DesiredStateDiff;
  /** Dry runs with explain: what the host's agent would do. */
  agentPlan?: AgentPlanAnswer;
}

export interface MutationOutcome<T> {
  value: T;
  dryRun: boolean;
  /** Every host whose desired state changed (or would change, in a dry run). */
  hosts: HostChange[];
  /** The operation that tracks the change to its hosts; null for a dry run. */
  operation: OperationRecord | null;
}

/** Mutations committed together at most (a batch still answers each one on its own). */
const MAX_BATCH = 200;

interface PendingMutation {
  context: MutationContext;
  decide: (tx: StateTransaction) => Promise<unknown>;
  hooks: MutationHooks;
  resolve: (outcome: MutationOutcome<unknown>) => void;
  reject: (error: unknown) => void;
  settled?: boolean;
  /** A dry run that asks the agents for their plans. */
  explain?: boolean;
}

interface DecidedMutation {
  pending: PendingMutation;
  value: unknown;
  scope: ReadonlySet<string> | 'every';
  changes: HostChange[];
  operation: OperationRecord | null;
}

interface CommittedBatch {
  tx: StateTransaction;
  rebuilt: RebuiltHost[];
  meshes: MeshState;
  changes: HostChange[];
  dryRun: boolean;
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
 * revisions and the operation are written in ONE atomic step (state-commit.ts). Jobs are queued
 * after the commit.
 */
@Injectable()
export class StateStore {
  private readonly lock: WriteLock;
  private readonly committedReads = new CommittedReads();
  private readonly logger = new Logger(StateStore.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    private readonly queues: HostQueues,
    private readonly operations: OperationsService,
    private readonly ipam: IpamService,
    private readonly agentPlans: AgentPlans,
  ) {
    this.lock = new WriteLock(redis, stateKeys.writeLock);
  }

  /** A transaction for reads only (no lock): a consistent-enough view for GET requests. */
  reader(): StateTransaction {
    return new StateTransaction(this.redis);
  }

  /** Runs `fn` holding the write lock, so that no change commits between what it reads and what it does. */
  exclusive<T>(fn: (reader: StateTransaction) => Promise<T>): Promise<T> {
    return this.lock.run(() => fn(this.reader()));
  }

  async desired(hostId: string): Promise<DesiredHostState | null> {
    const text = await this.redis.get(redisKeys.hostDesired(hostId));
    return text ? (JSON.parse(text) as DesiredHostState) : null;
  }

  /**
   * Decides and stores one change. `hooks.undo` runs when the mutation is refused or is a dry
   * run (e.g. to release addresses allocated while deciding); `hooks.afterCommit` once it is stored.
   *
   * Mutations arriving while others are being written are committed together (group commit):
   * one lock, one rebuild of each affected host's document and one commit for the whole batch,
   * each mutation still decided on its own (a refused one is rolled back alone) and answered
   * with its own operation. A dry run is never batched.
   */
  mutate<T>(context: MutationContext, decide: (tx: StateTransaction) => Promise<T>, hooks: MutationHooks = {}): Promise<MutationOutcome<T>> {
    return new Promise<MutationOutcome<T>>((resolve, reject) => {
      const pending: PendingMutation = { context, decide, hooks, resolve: resolve as PendingMutation['resolve'], reject, explain: context.dryRun && wantsAgentPlans() };
      if (context.dryRun) {
        void this.commitBatch([pending]);
        return;
      }
      this.pending.push(pending);
      void this.drain();
    });
  }

  private readonly pending: PendingMutation[] = [];
  private draining = false;

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0) await this.commitBatch(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  /** Decides every mutation of the batch, then stores those not refused in one commit. Never throws: each mutation's promise settles. */
  private async commitBatch(batch: PendingMutation[]): Promise<void> {
    let decided: DecidedMutation[] = [];
    let committed: CommittedBatch | null;
    try {
      committed = await this.lock.run(async (token) => {
        const dryRun = batch[0].context.dryRun;
        // A dry run writes nothing, so it neither needs nor disturbs what the last commit left.
        const generation = dryRun ? null : await this.redis.get(stateKeys.generation);
        const tx = new StateTransaction(this.redis, dryRun ? undefined : this.committedReads.take(generation));
        decided = await this.decideEach(tx, batch);
        if (decided.length === 0) return null;
        const { rebuilt, meshes } = await this.rebuild(tx, dryRun);
        // The diff is an answer to dry runs only: a real change's answer is its operation.
        const changes: HostChange[] = rebuilt.map((r) => ({
          hostId: r.hostId,
          fromRevision: r.before?.revision ?? 0,
          toRevision: r.after.revision,
          ...(dryRun ? { diff: diffDesiredState(r.before && resolvedForDiff(r.before, meshes.stored), resolvedForDiff(r.after, meshes.next)) } : {}),
        }));
        if (dryRun) return { tx, rebuilt, meshes, changes, dryRun };
        const nextGeneration = CommittedReads.nextGeneration();
        const commands = new WriteCommands();
        tx.stage(commands);
        stageMeshes(commands, meshes);
        // One MSET for every host's three keys: a thousand hosts are one command, not three thousand.
        if (rebuilt.length > 0) {
          commands.mset(
            rebuilt.flatMap((r) => [
              redisKeys.hostDesired(r.hostId),
              JSON.stringify(r.after),
              stateKeys.hostRevision(r.hostId),
              String(r.after.revision),
              stateKeys.hostLocalVlans(r.hostId),
              JSON.stringify(r.localVlans),
            ]),
          );
        }
        const now = Date.now();
        const operations = decided.map((mutation) => {
          const targets = changes.filter((c) => mutation.scope === 'every' || mutation.scope.has(c.hostId));
          mutation.changes = targets;
          return (mutation.operation = newOperation({
            kind: mutation.pending.context.kind,
            resource: mutation.pending.context.resource,
            requestId: mutation.pending.context.requestId,
            createdAt: now,
            timeoutMs: this.config.operationTimeoutS * 1000,
            targets: Object.fromEntries(targets.map((c) => [c.hostId, c.toRevision])),
          }));
        });
        stageOperations(commands, operations);
        const swappedOut = await commitState(this.redis, { lockKey: stateKeys.writeLock, token, generationKey: stateKeys.generation, nextGeneration, commands });
        this.committedReads.keep(generation, swappedOut, nextGeneration, tx.committedReads(rebuilt));
        return { tx, rebuilt, meshes, changes, dryRun };
      });
    } catch (error) {
      // The lock, a read or the write failed: nothing of the batch is stored.
      for (const mutation of decided) await mutation.pending.hooks.undo?.().catch(() => undefined);
      for (const pending of batch) if (!decided.some((d) => d.pending === pending) && !pending.settled) pending.reject(error);
      for (const mutation of decided) mutation.pending.reject(error);
      return;
    }
    if (!committed) return;
    if (committed.dryRun) {
      if (batch[0]?.explain) await this.explain(committed, batch[0].context.requestId);
      for (const mutation of decided) {
        await mutation.pending.hooks.undo?.().catch(() => undefined);
        mutation.pending.resolve({ value: mutation.value, dryRun: true, hosts: committed.changes, operation: null });
      }
      return;
    }
    await this.afterCommit(committed, decided);
  }

  /** Asks every affected host's agent for its plan to reach the dry run's document (in parallel). */
  private async explain(committed: CommittedBatch, requestId: string | null): Promise<void> {
    await Promise.all(
      committed.changes.map(async (change) => {
        const rebuilt = committed.rebuilt.find((r) => r.hostId === change.hostId);
        if (rebuilt) change.agentPlan = await this.agentPlans.ask(resolvedForDiff(rebuilt.after, committed.meshes.next), requestId);
      }),
    );
  }

  private async decideEach(tx: StateTransaction, batch: PendingMutation[]): Promise<DecidedMutation[]> {
    const decided: DecidedMutation[] = [];
    for (const pending of batch) {
      const savepoint = batch.length > 1 ? tx.savepoint() : null;
      tx.beginMutation();
      try {
        const value = await pending.decide(tx);
        decided.push({ pending, value, scope: tx.mutationScope(), changes: [], operation: null });
      } catch (error) {
        if (savepoint) tx.rollback(savepoint);
        await pending.hooks.undo?.().catch(() => undefined);
        pending.settled = true;
        pending.reject(error);
        if (!savepoint) return [];
      }
    }
    return decided;
  }

  /** Releases addresses, queues the hosts' jobs and answers each mutation with its operation. */
  private async afterCommit(committed: CommittedBatch, decided: DecidedMutation[]): Promise<void> {
    const { tx, changes } = committed;
    try {
      await this.releaseAddresses(tx.removedAttachments(), await tx.allNetworks(), tx.deletedNetworks());
      for (const mutation of decided) await mutation.pending.hooks.afterCommit?.(tx.removedAttachments());
      const requestIds = requestIdsByHost(decided);
      const queuedAt = changes.length ? await this.queues.enqueue(changes.map((c) => ({ hostId: c.hostId, revision: c.toRevision, requestIds: requestIds.get(c.hostId) ?? [] }))) : {};
      await this.operations.markQueued(
        decided
          .filter((m) => m.operation && m.changes.length > 0)
          .map((m) => ({ id: (m.operation as OperationRecord).id, queuedAt: Object.fromEntries(m.changes.map((c) => [c.hostId, queuedAt[c.hostId]])) })),
      );
    } catch (error) {
      // Stored, but not (all) queued: the agents' periodic reconcile and the next change still converge the hosts.
      this.logger.warn(`batch stored but not fully queued: ${(error as Error).message}`);
    }
    for (const mutation of decided) {
      mutation.pending.resolve({ value: mutation.value, dryRun: false, hosts: mutation.changes, operation: mutation.operation });
    }
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

  /**
   * New desired-state documents for the hosts this mutation affects, unchanged ones left out,
   * and the overlay networks' meshes they are built with. The fleet (FleetView) is computed
   * once, so each document costs its own host's share only.
   */
  private async rebuild(tx: StateTransaction, dryRun: boolean): Promise<{ rebuilt: RebuiltHost[]; meshes: MeshState }> {
    const hosts = await tx.allHosts();
    const networks = await tx.allNetworks();
    const view = fleetView(hosts, networks);
    // Only a change of the fleet's topology (hosts, networks) can change a mesh; a dry run shows the tunnels.
    const meshes = await readMeshState(this.redis, view, tx.deletedNetworks(), tx.everyHost || dryRun);
    const ids = tx.everyHost ? [...hosts.map((h) => h.id), ...tx.deletedHostIds()] : [...tx.touchedHosts];
    const reservedVlans = new Set(networks.filter((n) => n.type === 'vlan').map((n) => n.segmentId));
    const rebuilt: RebuiltHost[] = [];
    const befores = await tx.documents(ids);
    const storedVlans = await tx.localVlans(ids);
    // Every host's own records at once (the client pipelines them), not two round trips per host in turn.
    await Promise.all(ids.filter((id) => view.hosts.has(id)).flatMap((id) => [tx.attachmentsOfHost(id), tx.operator(id)]));
    for (const [i, hostId] of ids.entries()) {
      const before = befores[i];
      const host = view.hosts.get(hostId);
      const after = host
        ? await this.documentFor(tx, view, host, meshes.revisions, reservedVlans, storedVlans[i], (before?.revision ?? 0) + 1)
        : drainedDocument(before);
      if (!after) continue;
      if (before && isSameDesiredState(before, after.doc)) continue;
      rebuilt.push({ hostId, before, after: after.doc, localVlans: after.localVlans });
    }
    return { rebuilt, meshes };
  }

  private async documentFor(
    tx: StateTransaction,
    view: FleetView,
    host: HostRecord,
    meshRevisions: Readonly<Record<string, number>>,
    reservedVlans: ReadonlySet<number>,
    storedVlans: Readonly<Record<string, number>>,
    revision: number,
  ): Promise<{ doc: DesiredHostState; localVlans: Record<string, number> }> {
    const overlays = view.networks.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name);
    const localVlans = assignLocalVlans(storedVlans, overlays, reservedVlans);
    const doc = buildHostDocument(view, {
      host,
      revision,
      attachments: await tx.attachmentsOfHost(host.id),
      localVlans,
      meshRevisions,
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
  // Built field by field, in this controller's schema: `before` may be an older controller's document.
  const doc: DesiredHostState = {
    schema: DESIRED_STATE_SCHEMA,
    hostId: before.hostId,
    revision: before.revision + 1,
    integrationBridge: before.integrationBridge,
    tunnelIp: before.tunnelIp,
    networks: [],
    attachments: [],
    operator: { bridges: [], ports: [], tunnels: [] },
  };
  return { doc, localVlans: {} };
}

/** Per host, the ids of the batch's requests that changed it, in the order they were decided (one pass: a fan-out changes a thousand hosts). */
function requestIdsByHost(decided: readonly DecidedMutation[]): Map<string, string[]> {
  const byHost = new Map<string, string[]>();
  for (const mutation of decided) {
    const { requestId } = mutation.pending.context;
    if (requestId === null) continue;
    for (const { hostId } of mutation.changes) {
      const ids = byHost.get(hostId);
      if (ids) ids.push(requestId);
      else byHost.set(hostId, [requestId]);
    }
  }
  return byHost;
}
