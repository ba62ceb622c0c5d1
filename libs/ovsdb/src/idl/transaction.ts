import type { Operation, OperationResult, UuidString, WireMutation, WireRow, WireValue, Mutator } from '../protocol/wire';
import { OvsdbError } from '../errors';
import { columnCodec } from '../data/codec';
import { encodeRow } from '../data/rows';
import type { TypedValue, WritableRow, WritableValue } from '../data/typed-value';
import { NamedUuid, isUuid, whereUuid } from '../data/uuid';
import type { TableRef } from '../schema/table-ref';
import type { ColumnMeta, DatabaseMeta, TableMeta } from '../schema/types';
import { validateValue } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';
import type { ReplicaRow } from '../replica/row-codec';

/** Like OVS's IDL Transaction statuses (python/ovs/db/idl.py). */
export type TransactionStatus = 'unchanged' | 'success' | 'try again' | 'error' | 'aborted' | 'not locked';

/** What a transaction needs from the IDL: the replica's current rows and a read-your-writes transact. */
export interface TransactionTarget {
  readonly schema: DatabaseMeta;
  get(table: string, uuid: UuidString): ReplicaRow | undefined;
  transact(ops: readonly Operation[]): Promise<OperationResult[]>;
  /**
   * Called once `transact`'s promise has settled (`failed`: it rejected), before the commit
   * resolves; a promise it returns is awaited first (on success only). For a target whose
   * bookkeeping after a transaction would otherwise cost a promise of its own.
   */
  transacted?(failed: boolean): Promise<void> | undefined;
  /** Puts a fetched row's column values into the replica (see Replica.applyFetched); without it, fetch() is refused. */
  applyFetched?(table: string, uuid: UuidString, values: WireRow): Promise<void>;
}

export interface CommitResult {
  status: TransactionStatus;
  /** Real uuid of each row inserted by this transaction, by its handle's uuid-name. */
  inserted: Map<string, UuidString>;
  /** The incremented column's value after the commit (increment() only, on success). */
  incrementNewValue?: number;
  /** The server's error and details when status is 'error', 'try again' or 'not locked'. */
  error?: string;
  details?: string;
}

/** A row inserted by a transaction: use `ref` in other rows of the same transaction. */
export interface InsertHandle {
  readonly table: string;
  readonly name: string;
  readonly ref: NamedUuid;
}

export type TypedMutation = readonly [column: string, mutator: Mutator, value: WritableValue];

type TableArg = string | TableRef;

interface RowChange {
  table: TableMeta;
  uuid: UuidString;
  kind: 'insert' | 'update' | 'delete';
  row: WireRow;
  mutations: WireMutation[];
  uuidName?: string;
  /** insert with a caller-chosen uuid (`"uuid"` member of insert, OVS 2.17+). */
  fixedUuid?: UuidString;
}

interface Fetch {
  table: TableMeta;
  uuid: UuidString;
  columns: string[];
}

/** Where commit() finds its own selects' results among the replies. */
interface Layout {
  readonly incrementSelect: number | undefined;
  readonly fetchSelects: readonly number[];
}

/** The layout of a transaction with no select of its own (nearly every one), shared. */
const NO_SELECTS: Layout = Object.freeze({ incrementSelect: undefined, fetchSelects: [] });

interface Verify {
  table: TableMeta;
  uuid: UuidString;
  columns: string[];
  rows: WireRow[];
}

/**
 * An IDL transaction, built like OVS's: inserts get named-uuids, updates only carry the
 * columns written, `verify` turns into `wait` ops on the replica's current values
 * (optimistic concurrency: a changed value makes the commit 'try again'), `increment`
 * into a mutate plus a select that reads the new value. Values are validated against the
 * schema when they are written, so errors name the table, column and value.
 */
export class IdlTransaction {
  private readonly changes = new Map<string, RowChange>();
  private readonly order: RowChange[] = [];
  private readonly verifies: Verify[] = [];
  private readonly fetches: Fetch[] = [];
  private layout: Layout = NO_SELECTS;
  private readonly namedUuids = new Map<string, string>();
  private readonly comments: string[] = [];
  private incremented: { table: TableMeta; uuid: UuidString; column: string } | undefined;
  private lockName: string | undefined;
  private aborted = false;
  private committed = false;
  private nextName = 1;

  constructor(private readonly target: TransactionTarget) {}

  insert<T extends TableArg>(table: T, row: WritableRow<Record<string, WritableValue>> = {}, options: { uuid?: UuidString } = {}): InsertHandle {
    const meta = this.tableMeta(table);
    const name = `row${this.nextName++}`;
    if (options.uuid !== undefined && !isUuid(options.uuid)) throw new OvsdbValidationError(meta.name, options.uuid, 'is not a uuid');
    this.namedUuids.set(name, meta.name);
    const change: RowChange = { table: meta, uuid: name, kind: 'insert', row: this.encode(meta, row, false), mutations: [], uuidName: name, fixedUuid: options.uuid };
    this.changes.set(`${meta.name}/${name}`, change);
    this.order.push(change);
    return { table: meta.name, name, ref: new NamedUuid(name) };
  }

  /** Writes columns of an existing row (or of a row inserted earlier in this transaction). */
  update(table: TableArg, uuid: UuidString | InsertHandle, row: WritableRow<Record<string, WritableValue>>): void {
    const change = this.changeFor(table, uuid);
    if (change.kind === 'delete') throw new OvsdbError(`${change.table.name} ${change.uuid} is deleted in this transaction`);
    Object.assign(change.row, this.encode(change.table, row, change.kind === 'update'));
    // A whole-column write replaces partial mutations queued for that column.
    const written = new Set(Object.keys(row));
    change.mutations = change.mutations.filter(([column]) => !written.has(column));
  }

  delete(table: TableArg, uuid: UuidString | InsertHandle): void {
    const change = this.changeFor(table, uuid);
    if (change.kind === 'insert') {
      this.order.splice(this.order.indexOf(change), 1);
      this.changes.delete(`${change.table.name}/${change.uuid}`);
      return;
    }
    change.kind = 'delete';
    change.row = {};
    change.mutations = [];
  }

  /** Partial changes (`insert`/`delete` set members or map keys, arithmetic), sent as one `mutate` op. */
  mutate(table: TableArg, uuid: UuidString | InsertHandle, mutations: readonly TypedMutation[]): void {
    const change = this.changeFor(table, uuid);
    if (change.kind !== 'update') throw new OvsdbError(`${change.table.name}: mutate applies to existing rows (write inserted rows whole)`);
    for (const [column, mutator, value] of mutations) change.mutations.push([column, mutator, this.encodeMutation(change.table, column, mutator, value)]);
  }

  /** Makes the commit fail with 'try again' if any of these columns changed since the replica read them. */
  verify(table: TableArg, uuid: UuidString, columns: readonly string[]): void {
    const meta = this.tableMeta(table);
    const row = this.target.get(meta.name, uuid);
    if (row === undefined) throw new OvsdbError(`verify: ${meta.name} has no row ${uuid} in the replica`);
    const wire: WireRow = {};
    for (const name of columns) wire[name] = columnCodec(this.column(meta, name)).encode(row[name] as TypedValue);
    this.verifies.push({ table: meta, uuid, columns: [...columns], rows: [wire] });
  }

  /** Adds 1 to an integer column on the server; the new value is in `CommitResult.incrementNewValue`. */
  increment(table: TableArg, uuid: UuidString, column: string): void {
    const meta = this.tableMeta(table);
    const type = this.column(meta, column).type;
    if (type.key.type !== 'integer' || type.kind !== 'atom') throw new OvsdbValidationError(`${meta.name}.${column}`, column, 'is not an integer column');
    if (this.incremented) throw new OvsdbError('one increment per transaction');
    this.incremented = { table: meta, uuid, column };
  }

  /**
   * Reads these columns of an existing row at commit (a `select` after this transaction's
   * changes) and puts their values into the replica's row, which the commit resolves after:
   * Python's Row.fetch, for columns the IDL does not monitor. Like any read of a column not
   * monitored, the value is as of the commit: later changes on the server do not reach it.
   * A row deleted before the commit is left as it is (the replica drops it anyway).
   */
  fetch(table: TableArg, uuid: UuidString, columns: readonly string[]): void {
    const meta = this.tableMeta(table);
    if (this.target.applyFetched === undefined) throw new OvsdbError('fetch needs a transaction of an IDL (its target keeps no replica)');
    if (columns.length === 0) throw new OvsdbValidationError(`${meta.name}.columns`, columns, 'names no column to fetch');
    for (const name of columns) this.column(meta, name);
    if (this.target.get(meta.name, uuid) === undefined) throw new OvsdbError(`fetch: ${meta.name} has no row ${uuid} in the replica`);
    this.fetches.push({ table: meta, uuid, columns: [...columns] });
  }

  comment(text: string): void {
    this.comments.push(text);
  }

  /** Adds an `assert` of this lock: without it held, the commit is 'not locked'. */
  requireLock(name: string): void {
    this.lockName = name;
  }

  abort(): void {
    this.aborted = true;
  }

  /** The operations commit() would send (null: nothing changes, commit is 'unchanged'). */
  buildOperations(): Operation[] | null {
    const ops: Operation[] = [];
    let changes = false;
    if (this.lockName !== undefined) ops.push({ op: 'assert', lock: this.lockName });
    for (const verify of this.verifies) {
      ops.push({ op: 'wait', table: verify.table.name, timeout: 0, where: whereUuid(verify.uuid), until: '==', columns: verify.columns, rows: verify.rows });
    }
    for (const change of this.order) {
      const table = change.table.name;
      if (change.kind === 'insert') {
        const op: Operation = { op: 'insert', table, row: change.row, 'uuid-name': change.uuidName };
        if (change.fixedUuid !== undefined) op.uuid = change.fixedUuid;
        ops.push(op);
        changes = true;
      } else if (change.kind === 'delete') {
        // As in OVS: a non-root row is left to the server's garbage collection.
        if (change.table.isRoot) ops.push({ op: 'delete', table, where: whereUuid(change.uuid) });
        changes = true;
      } else {
        if (hasColumns(change.row)) {
          ops.push({ op: 'update', table, where: whereUuid(change.uuid), row: change.row });
          changes = true;
        }
        if (change.mutations.length > 0) {
          ops.push({ op: 'mutate', table, where: whereUuid(change.uuid), mutations: change.mutations });
          changes = true;
        }
      }
    }
    this.layout = NO_SELECTS;
    if (this.fetches.length > 0 || this.incremented) {
      this.layout = this.pushSelects(ops);
      changes = true;
    }
    if (!changes) return null;
    for (const comment of this.comments) ops.push({ op: 'comment', comment });
    return ops;
  }

  /** fetch()'s and increment()'s operations at the end of `ops`; returns where their selects are. */
  private pushSelects(ops: Operation[]): Layout {
    const fetchSelects: number[] = [];
    let incrementSelect: number | undefined;
    for (const fetch of this.fetches) {
      fetchSelects.push(ops.length);
      ops.push({ op: 'select', table: fetch.table.name, where: whereUuid(fetch.uuid), columns: fetch.columns });
    }
    if (this.incremented) {
      const { table, uuid, column } = this.incremented;
      ops.push({ op: 'mutate', table: table.name, where: whereUuid(uuid), mutations: [[column, '+=', 1]] });
      incrementSelect = ops.length;
      ops.push({ op: 'select', table: table.name, where: whereUuid(uuid), columns: [column] });
    }
    return { incrementSelect, fetchSelects };
  }

  /** Sends the transaction; resolves once the replica holds its effects (on success). */
  async commit(): Promise<CommitResult> {
    if (this.committed) throw new OvsdbError('transaction already committed');
    this.committed = true;
    const inserted = new Map<string, UuidString>();
    if (this.aborted) return { status: 'aborted', inserted };
    const ops = this.buildOperations();
    if (ops === null) return { status: 'unchanged', inserted };
    let results: OperationResult[];
    try {
      results = await this.target.transact(ops);
    } catch (error) {
      this.target.transacted?.(true);
      if (error instanceof OvsdbError && error.retryable) return { status: 'try again', inserted, error: error.message };
      throw error;
    }
    const settling = this.target.transacted?.(false);
    if (settling !== undefined) await settling;
    const result = interpret(ops, results, inserted, this.layout.incrementSelect ?? null);
    // No fetch (nearly every transaction): no async call, so the caller resumes a tick sooner.
    if (result.status === 'success' && this.fetches.length > 0) await this.applyFetched(results);
    return result;
  }

  /** Each fetched row's values into the replica (the row is gone when the select found none). */
  private async applyFetched(results: readonly OperationResult[]): Promise<void> {
    for (let i = 0; i < this.fetches.length; i++) {
      const { table, uuid } = this.fetches[i];
      const row = results[this.layout.fetchSelects[i]]?.rows?.[0];
      if (row !== undefined) await this.target.applyFetched!(table.name, uuid, row);
    }
  }

  private changeFor(table: TableArg, uuid: UuidString | InsertHandle): RowChange {
    const meta = this.tableMeta(table);
    const key = typeof uuid === 'string' ? uuid : uuid.name;
    const existing = this.changes.get(`${meta.name}/${key}`);
    if (existing) return existing;
    if (typeof uuid !== 'string') throw new OvsdbError(`${meta.name}: ${uuid.name} was not inserted by this transaction`);
    if (!isUuid(uuid)) throw new OvsdbValidationError(meta.name, uuid, 'is not a uuid');
    const change: RowChange = { table: meta, uuid, kind: 'update', row: {}, mutations: [] };
    this.changes.set(`${meta.name}/${uuid}`, change);
    this.order.push(change);
    return change;
  }

  private encode(table: TableMeta, row: WritableRow<Record<string, WritableValue>>, update: boolean): WireRow {
    return encodeRow(table, row, { namedUuids: this.namedUuids, update });
  }

  /** Mutation values: set/map mutators take a set (or, deleting from a map, a set of keys); arithmetic takes an atom. */
  private encodeMutation(table: TableMeta, column: string, mutator: Mutator, value: WritableValue): WireValue {
    const meta = this.column(table, column);
    const type = meta.type;
    const shapes = mutationShapes(meta);
    if (mutator === 'insert' || mutator === 'delete') {
      if (type.kind === 'map' && value instanceof Map) return columnCodec(shapes.map).encode(value);
      const members = Array.isArray(value) ? value : [value];
      validateValue(shapes.set, members, { namedUuids: this.namedUuids });
      return columnCodec(shapes.set).encode(members);
    }
    if (type.key.type !== 'integer' && type.key.type !== 'real') throw new OvsdbValidationError(`${table.name}.${column}`, value, `cannot take "${mutator}"`);
    if (typeof value !== 'number') throw new OvsdbValidationError(`${table.name}.${column}`, value, `"${mutator}" needs a number`);
    return columnCodec(shapes.atom).encode(value);
  }

  private tableMeta(table: TableArg): TableMeta {
    const name = typeof table === 'string' ? table : table.name;
    const meta = this.target.schema.tables.get(name);
    if (meta === undefined) throw new OvsdbValidationError(name, name, `is not a table of ${this.target.schema.name}`);
    return meta;
  }

  private column(table: TableMeta, name: string): ColumnMeta {
    const column = table.columnsByName.get(name);
    if (column === undefined) throw new OvsdbValidationError(`${table.name}.${name}`, name, `is not a column of ${table.name}`);
    return column;
  }
}

/** True when an update writes any column (no array of keys made for the question). */
function hasColumns(row: WireRow): boolean {
  for (const _ in row) return true;
  return false;
}

interface MutationShapes {
  /** The column as a set of any size (set mutators on sets; their members are validated as such). */
  readonly set: ColumnMeta;
  /** The column as a map of any size (insert/delete of map entries). */
  readonly map: ColumnMeta;
  /** One atom of the column's key type (arithmetic mutators). */
  readonly atom: ColumnMeta;
}

/** Built once per column: codecs are compiled per ColumnMeta object, so these must be stable. */
const shapesByColumn = new WeakMap<ColumnMeta, MutationShapes>();

function mutationShapes(meta: ColumnMeta): MutationShapes {
  let shapes = shapesByColumn.get(meta);
  if (shapes === undefined) {
    const type = meta.type;
    shapes = {
      set: { ...meta, type: { key: type.key, min: 0, max: Infinity, kind: 'set' } },
      map: { ...meta, type: { ...type, min: 0, max: Infinity } },
      atom: { ...meta, type: { key: type.key, min: 1, max: 1, kind: 'atom' } },
    };
    shapesByColumn.set(meta, shapes);
  }
  return shapes;
}

/**
 * Turns a transact reply into a status, as OVS does: hard errors, then lock errors, then
 * failed waits. `incrementSelect`: the index of increment()'s select (null: none); when
 * not given, a select right after a mutate is taken for it.
 */
export function interpret(
  ops: readonly Operation[],
  results: readonly (OperationResult | null)[],
  inserted = new Map<string, UuidString>(),
  incrementSelect?: number | null,
): CommitResult {
  let hard: OperationResult | undefined;
  let lock: OperationResult | undefined;
  let soft: OperationResult | undefined;
  let incrementNewValue: number | undefined;
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    if (result === null || result === undefined) continue;
    const op = ops[i];
    if (result.error !== undefined) {
      if (op?.op === 'wait' && result.error === 'timed out') soft ??= result;
      else if (op?.op === 'assert' && result.error === 'not owner') lock ??= result;
      else hard ??= result;
      continue;
    }
    if (op?.op === 'insert' && op['uuid-name'] !== undefined && result.uuid) inserted.set(op['uuid-name'], result.uuid[1]);
    const isIncrementSelect = incrementSelect === undefined ? op?.op === 'select' && i > 0 && ops[i - 1].op === 'mutate' : i === incrementSelect;
    if (op?.op === 'select' && isIncrementSelect) {
      const column = op.columns?.[0];
      const value = column === undefined ? undefined : result.rows?.[0]?.[column];
      if (typeof value === 'number') incrementNewValue = value;
      else hard ??= { error: 'increment failed', details: 'the incremented row is gone' };
    }
  }
  if (results.length < ops.length && !hard && !lock && !soft) hard = { error: 'short reply', details: `${results.length} results for ${ops.length} operations` };
  const failure = hard ?? lock ?? soft;
  const status: TransactionStatus = hard ? 'error' : lock ? 'not locked' : soft ? 'try again' : 'success';
  const result: CommitResult = { status, inserted };
  if (failure) {
    result.error = failure.error;
    if (failure.details !== undefined) result.details = failure.details;
  } else if (incrementNewValue !== undefined) result.incrementNewValue = incrementNewValue;
  return result;
}
