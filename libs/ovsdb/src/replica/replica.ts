import type { DatabaseSchema, MonitorCondRequest, TableUpdates, TableUpdates2, UuidString, WireCondition, WireRow } from '../protocol/wire';
import { OvsdbError } from '../errors';
import { parseSchema } from '../schema/parse';
import type { TableRef } from '../schema/table-ref';
import type { Atom, DatabaseMeta, TableMeta } from '../schema/types';
import { ColumnIndex, type IndexSpec } from './column-index';
import { ChangeSubscription, type ChangeEvent, type SubscribeOptions } from './events';
import { RowCodec, type ReplicaRow } from './row-codec';
import { SerialJobs, type Job } from './serial-jobs';
import { TableView } from './table-view';
import { Waiters } from './waiters';

export interface ReplicaOptions {
  /** Tables this replica mirrors (default: every table of the schema). */
  readonly tables?: readonly string[];
  /** Secondary indexes kept up to date on every change, e.g. `{ table: 'Bridge', column: 'name', unique: true }`. */
  readonly indexes?: readonly IndexSpec[];
  /** Longest stretch of work (ms) before a large update yields to the event loop (default 20). */
  readonly sliceMs?: number;
  /**
   * Told about notifications that do not fit the replica (a modify of an unknown row, a
   * value that does not decode): the replica may differ from the server, resync it.
   */
  readonly onInconsistency?: (error: OvsdbError) => void;
}

/** `monitor_cond_since` reply: [found, last-txn-id, table-updates2]. */
export type MonitorCondSinceReply = readonly [found: boolean, lastTxnId: UuidString, updates: TableUpdates2];

/** A notification that does not fit the replica (the IDL resyncs on it). */
export class OvsdbReplicaError extends OvsdbError {
  override readonly code: string = 'OVSDB_REPLICA';
}

interface TableStore {
  readonly meta: TableMeta;
  readonly codec: RowCodec;
  readonly rows: Map<UuidString, ReplicaRow>;
  readonly indexes: ColumnIndex[];
  /**
   * Rows made by a modify, holding large sets of their own, that nobody has been handed
   * yet (by a read, an iteration or an event): the next modify changes such a row in place
   * instead of copying its sets (a port added to a bridge of thousands). Every read that
   * hands a row out takes it out of here first.
   */
  readonly drafts: Set<UuidString>;
  readonly view: TableView<ReplicaRow>;
}

type RowOfRef<T> = T extends TableRef<string, infer Row> ? Row : ReplicaRow;

/**
 * An in-memory mirror (IDL cache) of one database, fed with monitor notifications.
 *
 * Notifications are applied strictly in the order they are handed in. Small ones are
 * applied before `apply*` returns, so a client that delivers `update2` before the
 * `transact` reply it precedes gets read-your-writes for free; big ones (an initial sync)
 * are applied in slices that yield to the event loop, and anything handed in meanwhile
 * waits its turn (`busy`, `idle()`, `whenApplied(seq)`).
 *
 * The apply methods take ownership of the notification objects (decoded sets reuse the
 * parsed arrays). Rows are read-only: every change makes a new row object.
 */
export class Replica {
  readonly schema: DatabaseMeta;
  private readonly stores = new Map<string, TableStore>();
  private readonly indexByName = new Map<string, ColumnIndex>();
  private readonly jobs: SerialJobs;
  private readonly subscriptions = new Set<ChangeSubscription>();
  private readonly waiters = new Waiters((ms) => new OvsdbReplicaError(`replica did not reach the expected state within ${ms} ms`));
  private monitored: ReadonlySet<string>;
  private txnId: UuidString | null = null;
  private readonly onInconsistency: (error: OvsdbError) => void;
  /** Applies the notifications handed in with defer* now: every read calls it first. */
  private readonly settle = (): void => this.jobs.settle();

  constructor(schema: DatabaseMeta | DatabaseSchema, options: ReplicaOptions = {}) {
    this.schema = isMeta(schema) ? schema : parseSchema(schema);
    const tables = options.tables ?? [...this.schema.tables.keys()];
    for (const name of tables) {
      const meta = this.tableMeta(name);
      const rows = new Map<UuidString, ReplicaRow>();
      const drafts = new Set<UuidString>();
      this.stores.set(name, { meta, codec: new RowCodec(meta), rows, indexes: [], drafts, view: new TableView(rows, drafts, this.settle) });
    }
    this.monitored = new Set(tables);
    for (const spec of options.indexes ?? []) this.addIndex(spec);
    this.onInconsistency = options.onInconsistency ?? (() => undefined);
    this.jobs = new SerialJobs(
      options.sliceMs ?? 20,
      () => this.waiters.check(),
      (error) => queueMicrotask(() => this.reportFailure(error)),
    );
  }

  // ---- reading -------------------------------------------------------------------------

  /** The rows of a table by uuid. Pass a generated TableRef (e.g. `Bridge`) for typed rows. */
  table<T extends TableRef>(table: T): ReadonlyMap<UuidString, RowOfRef<T>>;
  table(table: string): ReadonlyMap<UuidString, ReplicaRow>;
  table(table: string | TableRef): ReadonlyMap<UuidString, unknown> {
    return this.store(typeof table === 'string' ? table : table.name).view;
  }

  get<T extends TableRef>(table: T, uuid: UuidString): RowOfRef<T> | undefined;
  get(table: string, uuid: UuidString): ReplicaRow | undefined;
  get(table: string | TableRef, uuid: UuidString): unknown {
    this.settle();
    return handOut(this.store(typeof table === 'string' ? table : table.name), uuid);
  }

  /** The row whose indexed column holds `key` (for a multi index: one of them). */
  lookup<T extends TableRef>(table: T, column: string, key: Atom): RowOfRef<T> | undefined;
  lookup(table: string, column: string, key: Atom): ReplicaRow | undefined;
  lookup(table: string | TableRef, column: string, key: Atom): unknown {
    this.settle();
    const name = typeof table === 'string' ? table : table.name;
    const uuid = this.index(name, column).first(key);
    return uuid === undefined ? undefined : handOut(this.stores.get(name)!, uuid);
  }

  /** Every row whose indexed column holds `key` (set columns: contains `key`). */
  lookupAll<T extends TableRef>(table: T, column: string, key: Atom): RowOfRef<T>[];
  lookupAll(table: string, column: string, key: Atom): ReplicaRow[];
  lookupAll(table: string | TableRef, column: string, key: Atom): unknown[] {
    this.settle();
    const name = typeof table === 'string' ? table : table.name;
    const store = this.stores.get(name)!;
    const out: ReplicaRow[] = [];
    for (const uuid of this.index(name, column).all(key)) out.push(handOut(store, uuid)!);
    return out;
  }

  /** The last transaction id seen in an update3 or monitor_cond_since reply (for resuming). */
  get lastTxnId(): UuidString | null {
    this.settle();
    return this.txnId;
  }

  /** True while notifications are still being applied (reads may see a partial update). */
  get busy(): boolean {
    this.settle();
    return this.jobs.busy;
  }

  /**
   * True while a notification is being applied in slices or waits behind one (not counting
   * those handed in with defer*, which any read applies first): what a read-your-writes
   * caller must wait for (`idle()`) before reading.
   */
  get applyingInSlices(): boolean {
    return this.jobs.busy;
  }

  /** Sequence number of the last notification handed in / fully applied. */
  get submittedSeq(): number {
    return this.jobs.submitted;
  }

  get appliedSeq(): number {
    this.settle();
    return this.jobs.completed;
  }

  get tableNames(): readonly string[] {
    return [...this.stores.keys()];
  }

  // ---- monitor requests ----------------------------------------------------------------

  /**
   * The `monitor_cond`/`monitor_cond_since` requests for this replica: every mirrored
   * table (or `tables`), with all columns (or `columns[table]`) plus `_version`, and the
   * conditions `where[table]` (rows leaving a condition arrive as deletes). The replica
   * remembers the tables asked for: a resync replaces exactly those.
   */
  monitorRequests(
    tables?: readonly string[],
    columns?: Readonly<Record<string, readonly string[]>>,
    where?: Readonly<Record<string, readonly WireCondition[]>>,
  ): Record<string, MonitorCondRequest> {
    const names = tables ?? [...this.stores.keys()];
    const requests: Record<string, MonitorCondRequest> = {};
    for (const name of names) {
      const store = this.store(name);
      const conditions = where?.[name];
      for (const condition of conditions ?? []) {
        if (typeof condition === 'boolean') continue;
        const column = condition[0];
        if (!store.meta.columnsByName.has(column) && column !== '_uuid' && column !== '_version') {
          throw new OvsdbReplicaError(`condition on ${name} names unknown column ${JSON.stringify(column)}`);
        }
      }
      const wanted = columns?.[name];
      if (wanted !== undefined) {
        for (const column of wanted) {
          if (!store.meta.columnsByName.has(column) && column !== '_version') {
            throw new OvsdbReplicaError(`${name} has no column ${JSON.stringify(column)}`);
          }
        }
      }
      const list = wanted ?? store.meta.columns.map((c) => c.name);
      const request: MonitorCondRequest = { columns: list.includes('_version') ? [...list] : ['_version', ...list] };
      if (conditions !== undefined) request.where = [...conditions];
      requests[name] = request;
    }
    this.monitored = new Set(names);
    return requests;
  }

  // ---- feeding -------------------------------------------------------------------------

  /** A `monitor_cond` reply or `update2` notification's table-updates2. */
  applyUpdate2(updates: TableUpdates2): Promise<void> {
    return this.run(this.update2Job(updates, null));
  }

  /** An `update3` notification: params [monitor-id, last-txn-id, table-updates2]. */
  applyUpdate3(lastTxnId: UuidString, updates: TableUpdates2): Promise<void> {
    return this.run(this.update2Job(updates, lastTxnId));
  }

  /**
   * applyUpdate2, applied later: before anything reads the replica (every reading method,
   * `table()`'s views, subscriptions' `poll`/`next`, `waitFor` and the sequence numbers
   * apply it first), else once the event loop has finished the I/O it is handling
   * (setImmediate), in order with every other notification. A client that hands in the
   * update ovsdb-server sends before a transact reply so sends its next request before the
   * work of applying it (read-your-writes holds: any read applies it first). Failures go
   * to onInconsistency. `updates` may be a function that supplies them (e.g. parses a
   * notification's text), called when they are applied: the update it returns is applied
   * in one go however large, so hand in a function only for a small update; if it throws,
   * the error goes to onInconsistency.
   */
  deferUpdate2(updates: TableUpdates2 | (() => TableUpdates2)): void {
    this.defer(updates, null);
  }

  /** applyUpdate3, applied later as deferUpdate2 is. */
  deferUpdate3(lastTxnId: UuidString, updates: TableUpdates2 | (() => TableUpdates2)): void {
    this.defer(updates, lastTxnId);
  }

  /** Applies now what defer* handed in (as any read does first). */
  applyDeferred(): void {
    this.jobs.settle();
  }

  /** An RFC 7047 `update` notification (`monitor`): per row `old`/`new`. */
  applyUpdate(updates: TableUpdates): Promise<void> {
    return this.run(this.updateJob(updates));
  }

  /** found: the server sent only what changed since our lastTxnId; otherwise a full snapshot. */
  applyMonitorCondSinceReply(reply: MonitorCondSinceReply): Promise<void> {
    const [found, lastTxnId, updates] = reply;
    return found ? this.applyUpdate3(lastTxnId, updates) : this.resync(updates, lastTxnId);
  }

  /**
   * Replaces the contents of the monitored tables with a full snapshot (a monitor reply
   * after reconnecting), diffing it against the current rows: only rows that really
   * changed produce events, rows missing from the snapshot are deleted.
   */
  resync(snapshot: TableUpdates2 | TableUpdates, lastTxnId?: UuidString): Promise<void> {
    return this.run(this.resyncJob(snapshot, lastTxnId ?? null));
  }

  /**
   * Column values read from the server outside the monitor (a `select` of one row, as
   * IdlTransaction.fetch does for columns not monitored), put into that row in order with
   * the notifications handed in before. A row gone meanwhile is left alone; a value that
   * differs from the one held emits a modify event. Monitor updates do not touch columns
   * they do not carry, so a fetched value stays until fetched again or until a resync
   * (a reconnection) rebuilds the row from the monitor's columns.
   */
  applyFetched(table: string, uuid: UuidString, values: WireRow): Promise<void> {
    const store = this.store(table);
    for (const column in values) {
      if (!store.meta.columnsByName.has(column)) throw new OvsdbReplicaError(`fetched ${table} ${uuid} has unknown column ${JSON.stringify(column)}`);
    }
    const fetchJob = (): IteratorResult<void, void> => {
      const old = store.rows.get(uuid);
      if (old !== undefined) {
        const next = store.codec.applyNew(old, values);
        if (!store.codec.equals(old, next)) this.put(store, old, next);
      }
      return { done: true, value: undefined };
    };
    return this.run({ next: fetchJob });
  }

  /** Forgets every row and the last txn id; subscribers get a gap (in order with other updates). */
  clear(): Promise<void> {
    const clearAll = (): IteratorResult<void, void> => {
      for (const store of this.stores.values()) {
        store.rows.clear();
        store.drafts.clear();
        for (const index of store.indexes) index.clear();
      }
      this.txnId = null;
      for (const subscription of this.subscriptions) subscription.cleared();
      return { done: true, value: undefined };
    };
    return this.run({ next: clearAll });
  }

  // ---- waiting -------------------------------------------------------------------------

  /** Resolves once everything handed in up to now has been applied. */
  idle(): Promise<void> {
    this.settle();
    return this.whenApplied(this.jobs.submitted);
  }

  /** Resolves once notification `seq` (see submittedSeq) has been applied. */
  whenApplied(seq: number): Promise<void> {
    return this.waitFor(() => this.jobs.completed >= seq);
  }

  /**
   * Resolves when `predicate` holds, checked now and after each applied notification;
   * rejects after `timeoutMs` if given.
   */
  waitFor(predicate: (replica: this) => boolean, timeoutMs?: number): Promise<void> {
    this.settle();
    return this.waiters.waitFor(() => predicate(this), timeoutMs);
  }

  // ---- events --------------------------------------------------------------------------

  /** A bounded queue of change events from now on (see ChangeSubscription). */
  subscribe<T extends TableRef>(options: SubscribeOptions & { readonly tables: readonly T[] }): ChangeSubscription<RowOfRef<T>>;
  subscribe(options?: SubscribeOptions): ChangeSubscription;
  subscribe(options: SubscribeOptions = {}): ChangeSubscription<unknown> {
    // Changes handed in before are not the new subscriber's.
    this.settle();
    for (const table of options.tables ?? []) this.store(typeof table === 'string' ? table : table.name);
    const subscription: ChangeSubscription = new ChangeSubscription(options, () => this.subscriptions.delete(subscription), this.settle);
    this.subscriptions.add(subscription);
    return subscription;
  }

  // ---- internals -----------------------------------------------------------------------

  /** Queues a job; a failure (a value that does not decode) also goes to onInconsistency (reportFailure): resync. */
  private run(job: Job): Promise<void> {
    return this.jobs.submit(job);
  }

  /**
   * Only an update that is applied in one go is deferred, so that the read that applies it
   * finds it applied; a larger one (applied in slices) is applied now, as applyUpdate2 does.
   */
  private defer(updates: TableUpdates2 | (() => TableUpdates2), lastTxnId: UuidString | null): void {
    if (typeof updates === 'function') this.jobs.submitLater(this.suppliedUpdate2Job(updates, lastTxnId));
    else if (appliedInOneGo(updates)) this.jobs.submitLater(this.update2Job(updates, lastTxnId));
    else void this.run(this.update2Job(updates, lastTxnId));
  }

  /** The update `supply` returns, applied in one go (deferred: the read that applies it must find it applied). */
  private *suppliedUpdate2Job(supply: () => TableUpdates2, lastTxnId: UuidString | null): Generator<void, void, void> {
    yield* this.update2Job(supply(), lastTxnId, false);
  }

  private reportFailure(error: unknown): void {
    const message = `a notification failed part-way and the replica may be incomplete: ${error instanceof Error ? error.message : String(error)}`;
    this.onInconsistency(new OvsdbReplicaError(message, { cause: error }));
  }

  /** `sliced`: whether it may yield (a job run in one go must not). */
  private *update2Job(updates: TableUpdates2, lastTxnId: UuidString | null, sliced = true): Generator<void, void, void> {
    let n = 0;
    for (const table in updates) {
      const store = this.stores.get(table);
      if (store === undefined) continue;
      const rowUpdates = updates[table];
      for (const uuid in rowUpdates) {
        const update = rowUpdates[uuid] as Record<string, WireRow | null>;
        const old = store.rows.get(uuid);
        let wire: WireRow | null | undefined;
        if ((wire = update.modify) !== undefined) {
          if (old === undefined) this.inconsistent(`modify of unknown row ${table} ${uuid}`);
          else this.modify(store, old, wire!);
        } else if ((wire = update.initial ?? update.insert) !== undefined) {
          this.put(store, old, store.codec.create(uuid, wire!));
        } else if ('delete' in update) {
          if (old === undefined) this.inconsistent(`delete of unknown row ${table} ${uuid}`);
          else this.remove(store, old);
        } else {
          this.inconsistent(`row update of ${table} ${uuid} has none of initial/insert/modify/delete`);
        }
        if ((++n & YIELD_CHECK_MASK) === 0 && sliced && this.jobs.shouldYield()) yield;
      }
    }
    if (lastTxnId !== null) this.txnId = lastTxnId;
  }

  private *updateJob(updates: TableUpdates): Generator<void, void, void> {
    let n = 0;
    for (const table in updates) {
      const store = this.stores.get(table);
      if (store === undefined) continue;
      const rowUpdates = updates[table];
      for (const uuid in rowUpdates) {
        const { new: values } = rowUpdates[uuid];
        const old = store.rows.get(uuid);
        if (values === undefined) {
          if (old !== undefined) this.remove(store, old);
        } else if (old === undefined) {
          this.put(store, undefined, store.codec.create(uuid, values));
        } else {
          this.put(store, old, store.codec.applyNew(old, values));
        }
        if ((++n & YIELD_CHECK_MASK) === 0 && this.jobs.shouldYield()) yield;
      }
    }
  }

  private *resyncJob(snapshot: TableUpdates2 | TableUpdates, lastTxnId: UuidString | null): Generator<void, void, void> {
    let n = 0;
    for (const table of this.monitored) {
      const store = this.stores.get(table)!;
      const rowUpdates = (snapshot[table] ?? {}) as Record<string, Record<string, WireRow | undefined>>;
      for (const uuid in rowUpdates) {
        const update = rowUpdates[uuid];
        const wire = update.initial ?? update.insert ?? update.new;
        if (wire === undefined) {
          this.inconsistent(`snapshot row ${table} ${uuid} has no contents`);
          continue;
        }
        const fresh = store.codec.create(uuid, wire);
        // The snapshot is ours: let the parsed row go now (the key stays, for the deletions
        // below), so a large sync does not hold the whole parsed reply next to the replica.
        rowUpdates[uuid] = APPLIED;
        const old = store.rows.get(uuid);
        if (old === undefined || !store.codec.equals(old, fresh)) this.put(store, old, fresh);
        // Same contents under a new version (changed and changed back): no event, keep the version.
        else if (old._version !== fresh._version) {
          store.rows.set(uuid, fresh);
          store.drafts.delete(uuid);
        }
        if ((++n & YIELD_CHECK_MASK) === 0 && this.jobs.shouldYield()) yield;
      }
      for (const [uuid, old] of store.rows) {
        if (!Object.prototype.hasOwnProperty.call(rowUpdates, uuid)) this.remove(store, old);
        if ((++n & YIELD_CHECK_MASK) === 0 && this.jobs.shouldYield()) yield;
      }
    }
    if (lastTxnId !== null) this.txnId = lastTxnId;
  }

  /**
   * An update2 `modify`: a draft (see TableStore.drafts) is changed in place when nobody
   * would be handed it by an event and no index needs its old value; otherwise a new row,
   * itself a draft when only it holds its large sets and no event hands it out.
   */
  private modify(store: TableStore, old: ReplicaRow, diff: WireRow): void {
    const drafts = store.drafts;
    if (drafts.size !== 0 && drafts.has(old._uuid) && !this.handsOut(store) && !touchesIndex(store, diff)) {
      store.codec.applyDiffInPlace(old, diff);
      return;
    }
    const next = store.codec.applyDiff(old, diff);
    this.put(store, old, next);
    if (store.codec.ownsLargeSets(old, next) && !this.handsOut(store)) drafts.add(next._uuid);
  }

  /** True when a change to this table is handed out in events (a subscriber wants the table). */
  private handsOut(store: TableStore): boolean {
    if (this.subscriptions.size === 0) return false;
    for (const subscription of this.subscriptions) if (subscription.wants(store.meta.name)) return true;
    return false;
  }

  private put(store: TableStore, old: ReplicaRow | undefined, next: ReplicaRow): void {
    store.rows.set(next._uuid, next);
    if (store.drafts.size !== 0) store.drafts.delete(next._uuid);
    const indexes = store.indexes;
    for (let i = 0; i < indexes.length; i++) {
      if (old === undefined) indexes[i].add(next);
      else indexes[i].update(old, next);
    }
    if (this.subscriptions.size === 0) return;
    const table = store.meta.name;
    this.emit(
      old === undefined
        ? { type: 'insert', table, uuid: next._uuid, old: null, new: next }
        : { type: 'modify', table, uuid: next._uuid, old, new: next },
    );
  }

  private remove(store: TableStore, old: ReplicaRow): void {
    store.rows.delete(old._uuid);
    if (store.drafts.size !== 0) store.drafts.delete(old._uuid);
    for (const index of store.indexes) index.remove(old);
    if (this.subscriptions.size === 0) return;
    this.emit({ type: 'delete', table: store.meta.name, uuid: old._uuid, old, new: null });
  }

  private emit(event: ChangeEvent): void {
    for (const subscription of this.subscriptions) if (subscription.wants(event.table)) subscription.push(event);
  }

  private inconsistent(message: string): void {
    this.onInconsistency(new OvsdbReplicaError(message));
  }

  private addIndex(spec: IndexSpec): void {
    const store = this.store(spec.table);
    const column = store.meta.columnsByName.get(spec.column);
    if (column === undefined) throw new OvsdbReplicaError(`cannot index ${spec.table}.${spec.column}: no such column`);
    const key = `${spec.table}.${spec.column}`;
    if (this.indexByName.has(key)) throw new OvsdbReplicaError(`${key} is indexed twice`);
    const index = new ColumnIndex(column, spec.unique === true);
    for (const row of store.rows.values()) index.add(row);
    store.indexes.push(index);
    this.indexByName.set(key, index);
  }

  private index(table: string, column: string): ColumnIndex {
    const index = this.indexByName.get(`${table}.${column}`);
    if (index === undefined) throw new OvsdbReplicaError(`${table}.${column} is not indexed (declare it in ReplicaOptions.indexes)`);
    return index;
  }

  private store(table: string): TableStore {
    const store = this.stores.get(table);
    if (store === undefined) throw new OvsdbReplicaError(`table ${JSON.stringify(table)} is not part of this replica`);
    return store;
  }

  private tableMeta(name: string): TableMeta {
    const meta = this.schema.tables.get(name);
    if (meta === undefined) throw new OvsdbReplicaError(`schema ${this.schema.name} has no table ${JSON.stringify(name)}`);
    return meta;
  }
}

/** The apply jobs ask whether to yield after every YIELD_CHECK_MASK + 1 rows. */
const YIELD_CHECK_MASK = 63;

/** True when the update has too few row updates for its job to ever ask whether to yield. */
function appliedInOneGo(updates: TableUpdates2): boolean {
  let n = 0;
  for (const table in updates) {
    for (const _ in updates[table]) if (++n > YIELD_CHECK_MASK) return false;
  }
  return true;
}

/** A row as handed to a reader: from then on it is no draft, never changed in place. */
function handOut(store: TableStore, uuid: UuidString): ReplicaRow | undefined {
  if (store.drafts.size !== 0) store.drafts.delete(uuid);
  return store.rows.get(uuid);
}

/** True when the diff changes an indexed column (the index needs the old value apart from the new). */
function touchesIndex(store: TableStore, diff: WireRow): boolean {
  const indexes = store.indexes;
  for (let i = 0; i < indexes.length; i++) if (Object.hasOwn(diff, indexes[i].column.name)) return true;
  return false;
}

/** Stands in for a snapshot row once applied. */
const APPLIED: Record<string, WireRow | undefined> = Object.freeze({});

function isMeta(schema: DatabaseMeta | DatabaseSchema): schema is DatabaseMeta {
  return schema.tables instanceof Map;
}
