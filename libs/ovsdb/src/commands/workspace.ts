import type { Operation, UuidString, WireCondition } from '../protocol/wire';
import { columnCodec } from '../data/codec';
import type { TypedValue, WritableAtom, WritableValue } from '../data/typed-value';
import { NamedUuid, whereUuid } from '../data/uuid';
import type { IdlTransaction, TypedMutation } from '../idl/transaction';
import type { Replica } from '../replica/replica';
import type { TableRef } from '../schema/table-ref';
import type { ColumnMeta, TableMeta } from '../schema/types';
import { validateValue } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';
import { applyDelta, idOf, membersOf, RowState, type Values, type WorkingRow } from './working-row';

export { idOf, membersOf, refOf, type WorkingRow } from './working-row';

export type TableArg = string | TableRef;
/** Set members, or map entries (a Map). */
export type Members = readonly WritableAtom[] | ReadonlyMap<WritableAtom, WritableAtom>;

function isMap(value: Members): value is ReadonlyMap<WritableAtom, WritableAtom> {
  return value instanceof Map;
}

/** Set members, or a map's keys. */
function keysOf(value: Members): readonly WritableAtom[] {
  return isMap(value) ? [...value.keys()] : value;
}

/** A column's type with no size limits: what a partial change's members must satisfy. */
const unboundedColumns = new WeakMap<ColumnMeta, ColumnMeta>();
function unbounded(column: ColumnMeta): ColumnMeta {
  let meta = unboundedColumns.get(column);
  if (meta === undefined) {
    const kind = column.type.kind === 'map' ? 'map' : 'set';
    meta = { ...column, type: { ...column.type, min: 0, max: Infinity, kind } };
    unboundedColumns.set(column, meta);
  }
  return meta;
}

/** Sizes only matter when the column has limits (`Bridge.ports` has none; `Port.interfaces` needs one). */
function sizeLimited(column: ColumnMeta): boolean {
  return column.type.min > 0 || column.type.max !== Infinity;
}

/**
 * The state a batch plans against: the replica overlaid with the changes of the commands
 * planned so far, so later commands see earlier ones (a port added to a bridge inserted in
 * the same batch). Changes go into an IdlTransaction, validated against the schema; what
 * was read from the replica to decide is recorded as `wait` operations, so a concurrent
 * change makes the transaction fail with 'try again' instead of acting on stale facts.
 */
export class Workspace {
  private readonly touched = new Map<string, Map<string, RowState>>();
  /** Names given or freed by this batch, per table (null: freed). */
  private readonly names = new Map<string, Map<string, string | null>>();
  /** Per `table.column` without a declared replica index: member → uuids, built by one scan per batch. */
  private readonly scanned = new Map<string, Map<string, string[]>>();
  private readonly waits = new Map<string, Operation>();
  private readonly verified = new Set<string>();
  /** Database rows whose existence a wait already asserts (found by name, or holding a member). */
  private readonly confirmed = new Set<string>();
  private readonly namedUuids = new Map<string, string>();

  constructor(
    readonly replica: Replica,
    private readonly txn: IdlTransaction,
  ) {}

  table(table: TableArg): TableMeta {
    const name = typeof table === 'string' ? table : table.name;
    const meta = this.replica.schema.tables.get(name);
    if (meta === undefined) throw new OvsdbValidationError(name, name, `is not a table of ${this.replica.schema.name}`);
    return meta;
  }

  column(table: TableMeta, name: string): ColumnMeta {
    const column = table.columnsByName.get(name);
    if (column === undefined) throw new OvsdbValidationError(`${table.name}.${name}`, name, `is not a column of ${table.name}`);
    return column;
  }

  /** The row with this uuid (or uuid-name of a row inserted here), unless deleted. */
  get(table: TableArg, id: string): WorkingRow | undefined {
    const meta = this.table(table);
    const state = this.touched.get(meta.name)?.get(id);
    if (state) return state.deleted ? undefined : state;
    const base = this.replica.get(meta.name, id);
    return base === undefined ? undefined : this.state(meta, base._uuid, base);
  }

  /** The row named `name` (tables with a `name` column). Reading the replica records a wait. */
  byName(table: TableArg, name: string): WorkingRow | undefined {
    const meta = this.table(table);
    const overlay = this.names.get(meta.name)?.get(name);
    if (overlay !== undefined) return overlay === null ? undefined : this.get(meta, overlay);
    const uuids = this.baseLookup(meta, 'name', name);
    this.addWait(`name ${meta.name} ${name}`, {
      op: 'wait',
      table: meta.name,
      timeout: 0,
      where: [['name', '==', name]],
      columns: ['_uuid'],
      until: '==',
      rows: uuids.map((uuid) => ({ _uuid: ['uuid', uuid] })),
    });
    if (uuids.length === 0) return undefined;
    this.confirmed.add(uuids[0]);
    return this.get(meta, uuids[0]);
  }

  /**
   * The row of `table` whose set column `column` holds `member` (the bridge of a port, the
   * port of an interface). When the member is a database row, the answer the replica gave
   * is recorded as a wait.
   */
  holderOf(table: TableArg, column: string, member: WorkingRow): WorkingRow | undefined {
    const meta = this.table(table);
    let baseHolders: readonly string[] = [];
    if (member.handle === undefined) {
      baseHolders = this.baseLookup(meta, column, member.id);
      const holder = baseHolders[0];
      if (holder !== undefined) this.confirmed.add(holder);
      const memberCondition: WireCondition = [column, 'includes', ['uuid', member.id]];
      this.addWait(`member ${meta.name}.${column} ${member.id}`, {
        op: 'wait',
        table: meta.name,
        timeout: 0,
        where: holder === undefined ? [memberCondition] : [...whereUuid(holder), memberCondition],
        columns: ['_uuid'],
        until: '==',
        rows: holder === undefined ? [] : [{ _uuid: ['uuid', holder] }],
      });
    }
    const touched = this.touched.get(meta.name);
    for (const state of touched?.values() ?? []) {
      if (!state.deleted && this.contains(state, column, member.id)) return state;
    }
    for (const uuid of baseHolders) if (!touched?.has(uuid)) return this.get(meta, uuid);
    return undefined;
  }

  /** The rows of a table this batch inserts (and does not delete again). */
  *inserted(table: TableArg): IterableIterator<WorkingRow> {
    for (const state of this.touched.get(this.table(table).name)?.values() ?? []) if (state.handle && !state.deleted) yield state;
  }

  /** Every current row of a table (replica rows not deleted here, then rows inserted here). */
  *rows(table: TableArg): IterableIterator<WorkingRow> {
    const meta = this.table(table);
    const touched = this.touched.get(meta.name);
    for (const [uuid, base] of this.replica.table(meta.name)) {
      const state = touched?.get(uuid);
      if (state === undefined) yield { table: meta, id: uuid, handle: undefined, values: base };
      else if (!state.deleted) yield state;
    }
    for (const state of touched?.values() ?? []) if (state.handle && !state.deleted) yield state;
  }

  /** One column's current value (folds only that column's pending changes). */
  valueOf(row: WorkingRow, column: string): WritableValue {
    return row instanceof RowState ? this.stateOf(row).value(column) : row.values[column];
  }

  /** Makes the transaction fail ('try again') if these columns of a database row change meanwhile. */
  verify(row: WorkingRow, columns: readonly string[]): void {
    if (row.handle !== undefined) return;
    const key = `${row.table.name} ${row.id} ${columns.join(',')}`;
    if (this.verified.has(key)) return;
    this.verified.add(key);
    this.txn.verify(row.table.name, row.id, columns);
  }

  insert(table: TableArg, values: Values): WorkingRow {
    const meta = this.table(table);
    const handle = this.txn.insert(meta.name, values);
    this.namedUuids.set(handle.name, meta.name);
    const full: Record<string, WritableValue> = {};
    for (const column of meta.columns) full[column.name] = values[column.name] ?? columnCodec(column).defaultValue;
    const state = new RowState(meta, handle.name, handle, full);
    this.tableStates(meta).set(handle.name, state);
    if (typeof full.name === 'string') this.nameOverlay(meta).set(full.name, handle.name);
    return state;
  }

  delete(row: WorkingRow): void {
    const state = this.stateOf(row);
    if (state.deleted) return;
    state.deleted = true;
    this.txn.delete(row.table.name, row.handle ?? row.id);
    const name = state.value('name');
    if (typeof name === 'string') this.nameOverlay(row.table).set(name, null);
  }

  /** Writes a whole column. */
  set(row: WorkingRow, column: string, value: WritableValue): void {
    const meta = this.column(row.table, column);
    validateValue(meta, value, { namedUuids: this.namedUuids });
    const state = this.writable(row);
    const previousName = column === 'name' ? state.value('name') : undefined;
    state.setWhole(column, value);
    this.txn.update(row.table.name, row.handle ?? row.id, { [column]: value });
    if (column === 'name') {
      const names = this.nameOverlay(row.table);
      if (typeof previousName === 'string') names.set(previousName, null);
      if (typeof value === 'string') names.set(value, row.id);
    }
  }

  /** Adds set members or map entries (an entry replaces the key's current value). */
  add(row: WorkingRow, column: string, value: Members): void {
    const meta = this.column(row.table, column);
    if (meta.type.kind === 'map' && !isMap(value)) throw new OvsdbValidationError(`${row.table.name}.${column}`, value, 'is a map column: add key/value pairs (a Map)');
    validateValue(unbounded(meta), meta.type.kind === 'map' ? value : keysOf(value), { namedUuids: this.namedUuids });
    const state = this.writable(row);
    const delta = state.delta(column, meta.type.kind === 'map' ? 'map' : 'set');
    if (delta.kind === 'map') {
      for (const [key, atom] of value as ReadonlyMap<WritableAtom, WritableAtom>) {
        delta.puts.set(key, atom);
        delta.removedPairs.delete(key);
        delta.removedKeys.delete(idOf(key));
      }
    } else {
      for (const atom of keysOf(value)) {
        delta.removes.delete(idOf(atom));
        delta.adds.set(idOf(atom), atom);
      }
    }
    if (sizeLimited(meta)) this.checkFolded(state, meta);
  }

  /**
   * Removes set members, map keys (an array of keys) or map pairs (a Map: only where the
   * current value matches, as OVSDB's "delete" mutation with a map).
   */
  remove(row: WorkingRow, column: string, value: Members): void {
    const meta = this.column(row.table, column);
    const state = this.writable(row);
    const delta = state.delta(column, meta.type.kind === 'map' ? 'map' : 'set');
    if (delta.kind === 'map') {
      if (isMap(value)) {
        for (const [key, atom] of value) {
          const put = delta.puts.get(key);
          if (put !== undefined && idOf(put) === idOf(atom)) {
            delta.puts.delete(key);
            delta.removedKeys.set(idOf(key), key);
          } else if (put === undefined) delta.removedPairs.set(key, atom);
        }
      } else {
        for (const key of value) {
          delta.puts.delete(key);
          delta.removedPairs.delete(key);
          delta.removedKeys.set(idOf(key), key);
        }
      }
    } else {
      for (const atom of keysOf(value)) {
        delta.adds.delete(idOf(atom));
        // A member inserted by this batch and dropped again is simply never added.
        if (!(atom instanceof NamedUuid)) delta.removes.set(idOf(atom), atom);
      }
    }
    if (sizeLimited(meta)) this.checkFolded(state, meta);
  }

  /** Sends the pending partial changes and returns the wait operations to put first. */
  finish(): Operation[] {
    for (const states of this.touched.values()) {
      for (const state of states.values()) {
        this.confirmExistence(state);
        if (state.deleted || state.deltas.size === 0) continue;
        const mutations: TypedMutation[] = [];
        const whole: Record<string, WritableValue> = {};
        for (const [column, delta] of state.deltas) {
          if (state.handle !== undefined || state.whole.has(column)) {
            // Inserted rows and whole-written columns carry the whole value, validated once.
            const meta = state.table.columnsByName.get(column)!;
            whole[column] = applyDelta(delta, meta.type.kind === 'optional');
          } else if (delta.kind === 'set') {
            if (delta.removes.size > 0) mutations.push([column, 'delete', [...delta.removes.values()]]);
            if (delta.adds.size > 0) mutations.push([column, 'insert', [...delta.adds.values()]]);
          } else {
            const keys = new Map(delta.removedKeys);
            for (const key of delta.puts.keys()) keys.set(idOf(key), key);
            if (keys.size > 0) mutations.push([column, 'delete', [...keys.values()]]);
            if (delta.removedPairs.size > 0) mutations.push([column, 'delete', new Map(delta.removedPairs)]);
            if (delta.puts.size > 0) mutations.push([column, 'insert', new Map(delta.puts)]);
          }
        }
        if (Object.keys(whole).length > 0) this.txn.update(state.table.name, state.handle ?? state.id, whole);
        if (mutations.length > 0) this.txn.mutate(state.table.name, state.id, mutations);
      }
    }
    const ops: Operation[] = [];
    for (const op of this.waits.values()) ops.push(op);
    return ops;
  }

  /** The real uuid of a row after the commit (`inserted`: uuid-name → uuid). */
  static resolve(row: WorkingRow, inserted: ReadonlyMap<string, UuidString>): UuidString | undefined {
    return row.handle === undefined ? row.id : inserted.get(row.handle.name);
  }

  /**
   * An update or mutate of a row that another client deleted meanwhile would match nothing
   * and still "succeed": a database row the batch writes is asserted to exist, unless a
   * name or membership wait already does.
   */
  private confirmExistence(state: RowState): void {
    if (state.handle !== undefined || this.confirmed.has(state.id)) return;
    const writes = state.deleted ? state.table.isRoot : state.whole.size > 0 || state.deltas.size > 0;
    if (!writes) return;
    this.addWait(`exists ${state.table.name} ${state.id}`, {
      op: 'wait',
      table: state.table.name,
      timeout: 0,
      where: whereUuid(state.id),
      columns: ['_uuid'],
      until: '==',
      rows: [{ _uuid: ['uuid', state.id] }],
    });
  }

  /** Whether the row's set column holds the member, without folding a large pending delta. */
  private contains(state: RowState, column: string, memberId: string): boolean {
    const delta = state.deltas.get(column);
    if (delta?.kind === 'set') {
      if (delta.adds.has(memberId)) return true;
      if (delta.removes.has(memberId)) return false;
    }
    if (state.handle === undefined && !state.whole.has(column)) return this.baseLookup(state.table, column, memberId).includes(state.id);
    return membersOf(delta?.origin ?? state.value(column)).some((atom) => idOf(atom) === memberId);
  }

  /** A size-limited column's whole new value against the schema (min/max members). */
  private checkFolded(state: RowState, column: ColumnMeta): void {
    validateValue(column, state.value(column.name), { namedUuids: this.namedUuids });
  }

  private writable(row: WorkingRow): RowState {
    const state = this.stateOf(row);
    if (state.deleted) throw new OvsdbValidationError(row.table.name, row.id, 'is deleted in this batch');
    return state;
  }

  /** The batch's state of a row (rows yielded by `rows()` for the replica are plain snapshots). */
  private stateOf(row: WorkingRow): RowState {
    if (row instanceof RowState) return this.tableStates(row.table).get(row.id) ?? row;
    return this.state(row.table, row.id, row.values);
  }

  private state(meta: TableMeta, id: string, values: Values): RowState {
    const states = this.tableStates(meta);
    let state = states.get(id);
    if (state === undefined) {
      state = new RowState(meta, id, undefined, values);
      states.set(id, state);
    }
    return state;
  }

  private tableStates(meta: TableMeta): Map<string, RowState> {
    let states = this.touched.get(meta.name);
    if (states === undefined) this.touched.set(meta.name, (states = new Map()));
    return states;
  }

  private nameOverlay(meta: TableMeta): Map<string, string | null> {
    let names = this.names.get(meta.name);
    if (names === undefined) this.names.set(meta.name, (names = new Map()));
    return names;
  }

  private addWait(key: string, op: Operation): void {
    if (!this.waits.has(key)) this.waits.set(key, op);
  }

  /** uuids of replica rows whose `column` holds `key`: the replica's index if declared, else one scan per batch. */
  private baseLookup(meta: TableMeta, column: string, key: string): readonly string[] {
    const id = `${meta.name}.${column}`;
    let scanned = this.scanned.get(id);
    if (scanned === undefined) {
      if (!unindexed.get(this.replica)?.has(id)) {
        try {
          return this.replica.lookupAll(meta.name, column, key).map((row) => row._uuid);
        } catch {
          rememberUnindexed(this.replica, id);
        }
      }
      scanned = new Map();
      for (const [uuid, row] of this.replica.table(meta.name)) {
        for (const atom of membersOf(row[column] as TypedValue)) {
          const list = scanned.get(String(atom));
          if (list === undefined) scanned.set(String(atom), [uuid]);
          else list.push(uuid);
        }
      }
      this.scanned.set(id, scanned);
    }
    return scanned.get(key) ?? [];
  }
}

/** Per replica: `table.column` pairs known to have no declared index (so lookups scan once per batch). */
const unindexed = new WeakMap<Replica, Set<string>>();

function rememberUnindexed(replica: Replica, id: string): void {
  let known = unindexed.get(replica);
  if (known === undefined) unindexed.set(replica, (known = new Set()));
  known.add(id);
}
