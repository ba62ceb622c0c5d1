import { EventEmitter } from 'node:events';
import { DEFAULT_IDL_CONNECT_TIMEOUT_MS } from '../defaults';
import { OvsdbError } from '../errors';
import { ReconnectingOvsdbClient, type ReconnectingClientOptions } from '../client/reconnecting-client';
import type { MonitorCondSinceResult, OvsdbClient, TransactOptions } from '../client/ovsdb-client';
import type { DeferredJson } from '../protocol/deferred-json';
import type { DatabaseSchema, Operation, OperationResult, TableUpdates, TableUpdates2, UuidString, WireCondition } from '../protocol/wire';
import { Replica } from '../replica/replica';
import type { IndexSpec } from '../replica/column-index';
import { IdlTransaction, type CommitResult, type TransactionTarget } from './transaction';
import { assertEveryRowSelected, isUnknownMethod, plainMonitorRequests } from './plain-monitor';
import { monitorServerDatabase, SERVER_MONITOR_ID, serverDatabaseReplica } from './server-database';
import type { DatabaseMeta } from '../schema/types';
import type { TableRef } from '../schema/table-ref';
import type { ReplicaRow } from '../replica/row-codec';

export interface OvsdbIdlOptions extends Omit<ReconnectingClientOptions, 'remotes'> {
  /** One remote or several (a cluster's members); or `remote` for just one. */
  remotes?: string | readonly string[];
  remote?: string;
  database: string;
  /** The schema document (e.g. the generated `OpenVSwitchSchema`); fetched with get_schema when absent. */
  schema?: DatabaseSchema | DatabaseMeta;
  /** Tables to mirror (default: all). */
  tables?: readonly string[];
  /** Columns to monitor per table (default: all). */
  columns?: Readonly<Record<string, readonly string[]>>;
  /**
   * monitor_cond conditions per table (rows leaving a condition arrive as deletes). On a
   * server without monitor_cond (plain `monitor` only) a condition that leaves rows out
   * makes the sync fail with OvsdbConditionsUnsupportedError.
   */
  conditions?: Readonly<Record<string, readonly WireCondition[]>>;
  indexes?: readonly IndexSpec[];
  sliceMs?: number;
  /** Use monitor_cond_since to resume after a reconnection (default true; falls back to monitor_cond when the server lacks it). */
  resume?: boolean;
  /**
   * How long `OvsdbIdl.connect` may take in all: connecting (retries included) and the
   * first complete sync (default DEFAULT_IDL_CONNECT_TIMEOUT_MS, 30 s); 0: no limit.
   * `timeoutMs` bounds each single connection attempt.
   */
  connectTimeoutMs?: number;
  /**
   * Also mirror `_Server`'s `Database` table (every column) on the same connection, as
   * Python's IDL does: `idl.serverReplica`, resynced on every connection before the
   * database's monitor (one more round trip). Default false.
   */
  serverDatabase?: boolean;
}

/** How the IDL monitors: resuming, conditional, or (a server without monitor_cond) plain RFC 7047 `monitor`. */
export type MonitorMethod = 'monitor_cond_since' | 'monitor_cond' | 'monitor';

export interface IdlSyncInfo {
  /** 'initial': first sync; 'resumed': monitor_cond_since found the history (only missed updates applied); 'resynced': full snapshot diffed. */
  kind: 'initial' | 'resumed' | 'resynced';
  remote: string;
  durationMs: number;
  /** The monitor request this sync used. */
  method: MonitorMethod;
}

export interface OvsdbIdlEvents {
  connected: [remote: string];
  disconnected: [error: Error | undefined, remote: string];
  /** The replica is consistent with the server again after a (re)connection. */
  resynced: [info: IdlSyncInfo];
  /** A notification did not fit the replica; the connection is dropped so it resyncs. */
  inconsistency: [error: OvsdbError];
}

const MONITOR_ID = 'ovs-fleet-idl';

/**
 * Longest update text whose parse is left to the replica's deferred apply, which applies
 * it in one go: about a millisecond of work, well within a slice (sliceMs); a longer one
 * is parsed now and applied as its size calls for.
 */
const DEFERRED_PARSE_MAX_CHARS = 64 * 1024;

/** The updates for Replica.deferUpdate2/3: still to be parsed when small, else parsed now. */
function deferredUpdates(updates: DeferredJson<TableUpdates2>): TableUpdates2 | (() => TableUpdates2) {
  const length = updates.pendingLength;
  return length === 0 || length > DEFERRED_PARSE_MAX_CHARS ? updates.value : () => updates.value;
}

type RowOfRef<T> = T extends TableRef<string, infer Row> ? Row : ReplicaRow;

/**
 * An OVSDB IDL: a ReconnectingOvsdbClient plus a Replica kept in sync with it.
 *
 * On every connection a monitor_cond_since with the replica's last txn id resumes where
 * the replica left off (only missed updates, no purge) or, when the server lacks the
 * history, a full snapshot is diffed into the replica (only real changes emit events).
 * `transact` resolves only once the replica holds the transaction's effects.
 */
export class OvsdbIdl extends EventEmitter<OvsdbIdlEvents> {
  readonly client: ReconnectingOvsdbClient;
  readonly database: string;
  /** Resolves after the first complete sync. */
  readonly ready: Promise<void>;
  private replicaOrUndefined: Replica | undefined;
  private readonly serverReplicaOrUndefined: Replica | undefined;
  private conditions: Record<string, readonly WireCondition[]>;
  private supportsSince: boolean;
  /** False once a server answered monitor_cond with "unknown method": plain `monitor` from then on. */
  private supportsCond = true;
  private lastMonitorMethod: MonitorMethod | undefined;
  private synced = false;
  private replicaHasData = false;
  private holds = 0;
  /** Set when the replica may differ from the server: the next sync takes a full snapshot. */
  private needsFullSync = false;
  private deferred: (() => void)[] = [];
  /** What IDL transactions see of this IDL; built once (the replica never changes once made). */
  private transactionTarget: TransactionTarget | undefined;
  private readyResolve!: () => void;

  private constructor(private readonly options: OvsdbIdlOptions) {
    super();
    const remotes = options.remotes ?? options.remote;
    if (remotes === undefined) throw new RangeError('OvsdbIdl needs remote or remotes');
    this.database = options.database;
    this.conditions = { ...(options.conditions ?? {}) };
    this.supportsSince = options.resume ?? true;
    if (options.schema !== undefined) this.replicaOrUndefined = this.buildReplica(options.schema);
    // Its snapshot is taken afresh on every connection: an inconsistency is only reported.
    if (options.serverDatabase) this.serverReplicaOrUndefined = serverDatabaseReplica((error) => this.emit('inconsistency', error));
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    this.client = new ReconnectingOvsdbClient({ ...options, remotes });
    this.client.onConnect((client, info) => this.sync(client, info.remote));
    this.client.on('connected', (_client, info) => this.emit('connected', info.remote));
    this.client.on('disconnected', (error, remote) => this.emit('disconnected', error, remote));
  }

  /**
   * Connects and resolves once the replica holds the first complete snapshot. Rejects with
   * OvsdbTimeoutError after `connectTimeoutMs`, or at once when the server cannot be used
   * at all (it does not speak OVSDB, or lacks the database).
   */
  static connect(options: OvsdbIdlOptions): Promise<OvsdbIdl> {
    return OvsdbIdl.create(options).start();
  }

  /**
   * An IDL that has not connected yet: subscribe to its replicas (`replica` needs the
   * `schema` option; `serverReplica`) to see the first sync's events too, then `start()`.
   */
  static create(options: OvsdbIdlOptions): OvsdbIdl {
    return new OvsdbIdl(options);
  }

  /** Connects as `connect` does (same timeout and errors; closed when it fails); resolves with this IDL. */
  async start(): Promise<this> {
    const started = this.client.start({ timeoutMs: this.options.connectTimeoutMs ?? DEFAULT_IDL_CONNECT_TIMEOUT_MS });
    try {
      await started;
      await this.ready;
    } catch (error) {
      this.close();
      throw error;
    }
    return this;
  }

  get replica(): Replica {
    if (this.replicaOrUndefined === undefined) throw new OvsdbError('the IDL has no schema yet (await OvsdbIdl.connect)');
    return this.replicaOrUndefined;
  }

  /** The monitor method of the last sync (undefined before the first). */
  get monitorMethod(): MonitorMethod | undefined {
    return this.lastMonitorMethod;
  }

  /** `_Server`'s `Database` table, mirrored on the IDL's connection (option `serverDatabase`). */
  get serverReplica(): Replica {
    if (this.serverReplicaOrUndefined === undefined) throw new OvsdbError('the IDL does not mirror _Server (option serverDatabase)');
    return this.serverReplicaOrUndefined;
  }

  get isConnected(): boolean {
    return this.client.state === 'connected';
  }

  /**
   * Runs `ops` and resolves when the replica holds their effects (read your writes):
   * ovsdb-server sends a client's own update before the transact reply, and the replica
   * receives each notification in arrival order and applies it, at the latest, when it is
   * next read; if it is busy with a large sync we wait.
   */
  async transact(ops: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    let results: OperationResult[];
    try {
      results = await this.client.transact(this.database, ops, options);
    } catch (error) {
      this.transacted(true);
      throw error;
    }
    const settling = this.transacted(false);
    if (settling !== undefined) await settling;
    return results;
  }

  /** What transact does once the client's transact has settled; a promise to wait for before resolving, if any. */
  private transacted(failed: boolean): Promise<void> | undefined {
    // Also when the server refused it: what arrived before the reply is older than it.
    this.applyDeferred();
    if (failed) return undefined;
    // The update handed in before the reply is applied by the first read (deferUpdate3),
    // after this transaction's caller has had its turn (its next request already sent);
    // only one still waiting behind a sliced sync needs waiting for.
    const replica = this.replica;
    return replica.applyingInSlices ? replica.idle() : undefined;
  }

  /** A new IDL transaction on this replica (see IdlTransaction). */
  transaction(): IdlTransaction {
    if (this.transactionTarget === undefined) {
      const replica = this.replica;
      const options: TransactOptions = { allowErrors: true };
      this.transactionTarget = {
        schema: replica.schema,
        get: (table, uuid) => replica.get(table, uuid),
        // The client's promise itself, and transacted() run by the commit: no promise of transact's own in between.
        transact: (ops) => this.client.transact(this.database, ops, options),
        transacted: (failed) => this.transacted(failed),
        applyFetched: (table, uuid, values) => replica.applyFetched(table, uuid, values),
      };
    }
    return new IdlTransaction(this.transactionTarget);
  }

  /**
   * Reads columns of one row from the server into the replica's row and returns the row:
   * Python's Row.fetch, for columns registered but not monitored (`columns` option). One
   * transaction with a `select` (IdlTransaction.fetch). Throws OvsdbError when the row is
   * not in the replica or is gone by then, or when the server refused the transaction.
   */
  async fetch<T extends TableRef>(table: T, uuid: UuidString, columns: readonly string[]): Promise<RowOfRef<T>>;
  async fetch(table: string, uuid: UuidString, columns: readonly string[]): Promise<ReplicaRow>;
  async fetch(table: string | TableRef, uuid: UuidString, columns: readonly string[]): Promise<unknown> {
    const name = typeof table === 'string' ? table : table.name;
    const txn = this.transaction();
    txn.fetch(name, uuid, columns);
    const result = await txn.commit();
    if (result.status !== 'success') {
      throw new OvsdbError(`fetch of ${name} ${uuid} failed (${result.status})${result.error === undefined ? '' : `: ${result.error}`}`);
    }
    const row = this.replica.get(name, uuid);
    if (row === undefined) throw new OvsdbError(`fetch: ${name} ${uuid} was deleted before it could be read`);
    return row;
  }

  /**
   * Runs `fn` with a fresh transaction and commits it; on 'try again' (a verify failed or
   * the connection dropped) runs it again against the updated replica, up to `retries` times.
   */
  async run(fn: (txn: IdlTransaction, replica: Replica) => void | Promise<void>, options: { retries?: number } = {}): Promise<CommitResult> {
    const retries = options.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const txn = this.transaction();
      await fn(txn, this.replica);
      const result = await txn.commit();
      if (result.status !== 'try again' || attempt >= retries) return result;
      await this.client.whenConnected();
    }
  }

  /**
   * Replaces a table's monitor conditions (monitor_cond_change); kept for later reconnections.
   * On a server without monitor_cond, conditions that leave rows out are refused
   * (OvsdbConditionsUnsupportedError, nothing changed); others need no request.
   */
  async setConditions(table: string, where: readonly WireCondition[]): Promise<void> {
    if (!this.supportsCond) assertEveryRowSelected({ [table]: where });
    // A new object each time: a sync in progress can tell that conditions changed under it.
    this.conditions = { ...this.conditions, [table]: [...where] };
    const client = this.client.client;
    if (client === undefined || !this.synced || !this.supportsCond) return;
    await client.monitorCondChange(MONITOR_ID, MONITOR_ID, { [table]: [{ where: [...where] }] });
  }

  /**
   * Freezes the replica: notifications are queued instead of applied until every hold is
   * released (then applied in order). Emulates a pull-model IDL between two `run()` calls
   * (OVS's conformance tests depend on it). `transact` still reads its writes: its reply
   * applies everything queued up to it.
   */
  hold(): () => void {
    // What arrived before the hold is applied before it (deferUpdate3 leaves it for later).
    this.replicaOrUndefined?.applyDeferred();
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.applyDeferred();
    };
  }

  private applyDeferred(): void {
    if (this.deferred.length === 0) return;
    const queued = this.deferred;
    this.deferred = [];
    for (const apply of queued) apply();
  }

  /** Drops the current connection; it reconnects and resyncs (for tests and `reconnect`). */
  forceReconnect(): void {
    this.client.client?.close(new OvsdbError('reconnect requested'));
  }

  close(): void {
    this.client.close();
  }

  private buildReplica(schema: DatabaseSchema | DatabaseMeta): Replica {
    return new Replica(schema, {
      tables: this.options.tables,
      indexes: this.options.indexes,
      sliceMs: this.options.sliceMs,
      onInconsistency: (error) => {
        this.needsFullSync = true;
        this.emit('inconsistency', error);
        this.forceReconnect();
      },
    });
  }

  /** onConnect hook: (re)issues the monitor and brings the replica up to date before the connection is handed out. */
  private async sync(client: OvsdbClient, remote: string): Promise<void> {
    const started = performance.now();
    this.synced = false;
    this.replicaOrUndefined ??= this.buildReplica(await client.getSchema(this.database));
    const replica = this.replicaOrUndefined;
    // Notifications that arrive before the monitor reply has been applied wait here, so
    // the replica sees the snapshot first and every later update after it, in order.
    let held: (() => void)[] | undefined = [];
    const deliver = (apply: () => void) => {
      if (held) held.push(apply);
      else if (this.holds > 0) this.deferred.push(apply);
      else apply();
    };
    // Whatever the previous connection queued under hold() predates the new monitor reply.
    this.applyDeferred();
    // Nothing held (every update once synced): handed to the replica at once, with no
    // closure to queue, to be parsed and applied by its first read or once this I/O is
    // handled. Held, it is parsed now. One that does not parse drops the connection with a
    // protocol error, as any message; parsed late, the replica may have been handed later
    // updates meanwhile, so it also reports it (an inconsistency: the next sync is full).
    const applyNow = () => held === undefined && this.holds === 0;
    client.on('deferred-update2', (id, updates) => {
      if (id !== MONITOR_ID) return;
      if (applyNow()) replica.deferUpdate2(deferredUpdates(updates));
      else {
        const parsed = updates.value;
        deliver(() => void replica.applyUpdate2(parsed));
      }
    });
    client.on('deferred-update3', (id, lastTxnId, updates) => {
      if (id !== MONITOR_ID) return;
      if (applyNow()) replica.deferUpdate3(lastTxnId, deferredUpdates(updates));
      else {
        const parsed = updates.value;
        deliver(() => void replica.applyUpdate3(lastTxnId, parsed));
      }
    });
    // Plain `monitor`: the database's on a server without monitor_cond, and _Server's Database table.
    const serverReplica = this.serverReplicaOrUndefined;
    client.on('update', (id, updates) => {
      const target = id === MONITOR_ID ? replica : id === SERVER_MONITOR_ID ? serverReplica : undefined;
      if (target === undefined) return;
      if (applyNow()) void target.applyUpdate(updates);
      else deliver(() => void target.applyUpdate(updates));
    });
    // As Python's IDL: _Server's Database first, then the database.
    if (serverReplica !== undefined) await serverReplica.resync(await monitorServerDatabase(client, serverReplica));
    const requestedConditions = this.conditions;
    const requests = replica.monitorRequests(this.options.tables, this.options.columns, requestedConditions);
    let kind: IdlSyncInfo['kind'] = this.replicaHasData ? 'resynced' : 'initial';
    let snapshot: TableUpdates2 | TableUpdates | undefined;
    const full = this.needsFullSync;
    this.needsFullSync = false;
    let since: MonitorCondSinceResult | undefined;
    if (this.supportsSince) {
      try {
        // A null txn id asks for everything (found=false): the snapshot is diffed in.
        since = await client.monitorCondSince(this.database, MONITOR_ID, requests, full ? null : replica.lastTxnId);
      } catch (error) {
        this.needsFullSync ||= full;
        if (!isUnknownMethod(error)) throw error;
        this.supportsSince = false;
      }
    }
    if (since === undefined && this.supportsCond) {
      try {
        snapshot = await client.monitorCond(this.database, MONITOR_ID, requests);
      } catch (error) {
        if (!isUnknownMethod(error)) throw error;
        this.supportsCond = false;
      }
    }
    if (since === undefined && !this.supportsCond) {
      assertEveryRowSelected(requestedConditions);
      snapshot = await client.monitor(this.database, MONITOR_ID, plainMonitorRequests(requests));
    }
    let applied: Promise<void>;
    if (since !== undefined) {
      if (since[0] && kind !== 'initial') kind = 'resumed';
      applied = replica.applyMonitorCondSinceReply(since);
    } else {
      applied = replica.resync(snapshot!);
    }
    const pending = held;
    held = undefined;
    for (const apply of pending) deliver(apply);
    await applied;
    this.replicaHasData = true;
    this.synced = true;
    // setConditions() during the sync changed what we asked for: send the difference now.
    if (this.conditions !== requestedConditions && this.supportsCond) {
      const changed: Record<string, { where: WireCondition[] }[]> = {};
      for (const table of Object.keys(this.conditions)) {
        if (this.conditions[table] !== requestedConditions[table]) changed[table] = [{ where: [...this.conditions[table]] }];
      }
      if (Object.keys(changed).length > 0) await client.monitorCondChange(MONITOR_ID, MONITOR_ID, changed);
    }
    this.readyResolve();
    const method: MonitorMethod = since !== undefined ? 'monitor_cond_since' : this.supportsCond ? 'monitor_cond' : 'monitor';
    this.lastMonitorMethod = method;
    const info: IdlSyncInfo = { kind, remote, durationMs: performance.now() - started, method };
    // After the reconnecting client has taken this connection as its current one (the hook
    // returns first): a listener may then use the connection or force another reconnect.
    setImmediate(() => this.emit('resynced', info));
  }
}
