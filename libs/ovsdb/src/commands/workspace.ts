import type { Operation, UuidString, WireCondition } from '../protocol/wire';
import { columnCodec } from '../data/codec';
import type { TypedValue, WritableAtom, WritableValue } from '../data/typed-value';
import { NamedUuid } from '../data/uuid';
import type { IdlTransaction, InsertHandle, TypedMutation } from '../idl/transaction';
import type { Replica } from '../replica/replica';
import type { TableRef } from '../schema/table-ref';
import type { ColumnMeta, TableMeta } from '../schema/types';
import { validateValue } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';

export type TableArg = string | TableRef;
type Values = Readonly<Record<string, WritableValue>>;
type MutableRow = { -readonly [K in keyof WorkingRow]: WorkingRow[K] };

/** A row as the batch sees it: the replica's row plus the effects of earlier commands. */
export interface WorkingRow {
  readonly table: TableMeta;
  /** The real uuid, or the uuid-name of a row inserted by this batch. */
  readonly id: string;
  /** Set for rows inserted by this batch. */
  readonly handle: InsertHandle | undefined;
  /** Current values. Change them only through the Workspace. */
  readonly values: Values;
}

/** Pending partial changes of one column of an existing row, sent as one mutate. */
interface SetDelta {
  readonly kind: 'set';
  readonly adds: Map<string, WritableAtom>;
  readonly removes: Map<string, WritableAtom>;
}
interface MapDelta {
  readonly kind: 'map';
  readonly puts: Map<WritableAtom, WritableAtom>;
  readonly removedKeys: Map<string, WritableAtom>;
  readonly removedPairs: Map<WritableAtom, WritableAtom>;
}
type Delta = SetDelta | MapDelta;

interface Touched {
  readonly row: WorkingRow;
  deleted: boolean;
  /** Columns written whole (update); never also sent as deltas. */
  readonly whole: Set<string>;
  readonly deltas: Map<string, Delta>;
}

/** The id a uuid atom stands for: the uuid itself, or the uuid-name of an inserted row. */
export function idOf(atom: WritableAtom): string {
  return atom instanceof NamedUuid ? atom.namedUuid : String(atom);
}

/** What to put in a uuid column to refer to this row. */
export function refOf(row: WorkingRow): WritableAtom {
  return row.handle ? row.handle.ref : row.id;
}

export function membersOf(value: WritableValue | undefined): readonly WritableAtom[] {
  if (value === null || value === undefined || value instanceof Map) return [];
  return Array.isArray(value) ? (value as readonly WritableAtom[]) : [value as WritableAtom];
}

type Members = readonly WritableAtom[] | ReadonlyMap<WritableAtom, WritableAtom>;

function isMap(value: Members): value is ReadonlyMap<WritableAtom, WritableAtom> {
  return value instanceof Map;
}

/** Set members, or a map's keys. */
function keysOf(value: Members): readonly WritableAtom[] {
  return isMap(value) ? [...value.keys()] : value;
}

const whereUuid = (uuid: UuidString): WireCondition[] => [['_uuid', '==', ['uuid', uuid]]];
const NO_INDEX = Symbol('no index');
type BaseIndex = Map<string, string[]> | typeof NO_INDEX;

/**
 * The state a batch plans against: the replica overlaid with the changes of the commands
 * planned so far, so later commands see earlier ones (a port added to a bridge inserted in
 * the same batch). Changes go into an IdlTransaction (validated there and here); what was
 * read from the replica to make decisions is recorded as `wait` operations, so a
 * concurrent change makes the transaction fail with 'try again' instead of acting on
 * stale facts.
 */
export class Workspace {
  private readonly touched = new Map<string, Map<string, Touched>>();
  /** Names given or freed by this batch, per table (null: freed). */
  private readonly names = new Map<string, Map<string, string | null>>();
  /** Per `table.column`: the replica's index, or a map built by one scan (no index declared). */
  private readonly baseIndexes = new Map<string, Map<string, string[]>>();
  private readonly waits = new Map<string, Operation>();
  private readonly verified = new Set<string>();
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
    const touched = this.touched.get(meta.name)?.get(id);
    if (touched) return touched.deleted ? undefined : touched.row;
    const base = this.replica.get(meta.name, id);
    return base === undefined ? undefined : this.touch(meta, base._uuid, base).row;
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
    return uuids.length === 0 ? undefined : this.get(meta, uuids[0]);
  }

  /**
   * The row of `table` whose set column `column` holds `member` (the bridge of a port, the
   * port of an interface). When the member is a database row, the answer the replica gave
   * is recorded as a wait.
   */
  holderOf(table: TableArg, column: string, member: WorkingRow): WorkingRow | undefined {
    const meta = this.table(table);
    let baseHolder: string | undefined;
    if (member.handle === undefined) {
      baseHolder = this.baseLookup(meta, column, member.id)[0];
      const memberCondition: WireCondition = [column, 'includes', ['uuid', member.id]];
      this.addWait(`member ${meta.name}.${column} ${member.id}`, {
        op: 'wait',
        table: meta.name,
        timeout: 0,
        where: baseHolder === undefined ? [memberCondition] : [...whereUuid(baseHolder), memberCondition],
        columns: ['_uuid'],
        until: '==',
        rows: baseHolder === undefined ? [] : [{ _uuid: ['uuid', baseHolder] }],
      });
    }
    for (const touched of this.touched.get(meta.name)?.values() ?? []) {
      if (!touched.deleted && membersOf(touched.row.values[column]).some((atom) => idOf(atom) === member.id)) return touched.row;
    }
    if (baseHolder !== undefined && !this.touched.get(meta.name)?.has(baseHolder)) return this.get(meta, baseHolder);
    return undefined;
  }

  /** Every current row of a table (replica rows not deleted here, then rows inserted here). */
  *rows(table: TableArg): IterableIterator<WorkingRow> {
    const meta = this.table(table);
    const touched = this.touched.get(meta.name);
    for (const [uuid, base] of this.replica.table(meta.name)) {
      const t = touched?.get(uuid);
      if (t === undefined) yield { table: meta, id: uuid, handle: undefined, values: base };
      else if (!t.deleted) yield t.row;
    }
    for (const t of touched?.values() ?? []) if (t.row.handle && !t.deleted) yield t.row;
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
    const row: WorkingRow = { table: meta, id: handle.name, handle, values: full };
    this.tableTouched(meta).set(handle.name, { row, deleted: false, whole: new Set(), deltas: new Map() });
    if (typeof full.name === 'string') this.nameOverlay(meta).set(full.name, handle.name);
    return row;
  }

  delete(row: WorkingRow): void {
    const touched = this.touch(row.table, row.id, row.values);
    if (touched.deleted) return;
    touched.deleted = true;
    this.txn.delete(row.table.name, row.handle ?? row.id);
    if (typeof row.values.name === 'string') this.nameOverlay(row.table).set(row.values.name, null);
  }

  /** Writes a whole column. */
  set(row: WorkingRow, column: string, value: WritableValue): void {
    const meta = this.column(row.table, column);
    this.check(meta, value);
    const previousName = this.current(row).name;
    const touched = this.write(row, column, value);
    touched.deltas.delete(column);
    touched.whole.add(column);
    if (row.handle !== undefined) this.txn.update(row.table.name, row.handle, { [column]: value });
    else this.txn.update(row.table.name, row.id, { [column]: value });
    if (column === 'name' && row.table.columnsByName.has('name')) {
      const names = this.nameOverlay(row.table);
      if (typeof previousName === 'string') names.set(previousName, null);
      if (typeof value === 'string') names.set(value, row.id);
    }
  }

  /** Adds set members or map entries (a map entry replaces the key's current value). */
  add(row: WorkingRow, column: string, value: Members): void {
    const meta = this.column(row.table, column);
    const current = this.current(row)[column];
    let next: WritableValue;
    if (meta.type.kind === 'map') {
      if (!isMap(value)) throw new OvsdbValidationError(`${row.table.name}.${column}`, value, 'is a map column: add key/value pairs (a Map)');
      const merged = new Map(current as ReadonlyMap<WritableAtom, WritableAtom>);
      for (const [k, v] of value) merged.set(k, v);
      next = merged;
    } else {
      const members = keysOf(value);
      const have = membersOf(current);
      const ids = new Set(have.map(idOf));
      const added = members.filter((m) => !ids.has(idOf(m)) && ids.add(idOf(m)));
      next = meta.type.kind === 'set' ? [...have, ...added] : (added[0] ?? have[0] ?? null);
    }
    this.check(meta, next);
    this.partial(row, column, next, (delta) => {
      if (delta.kind === 'map') {
        for (const [k, v] of value as ReadonlyMap<WritableAtom, WritableAtom>) {
          delta.puts.set(k, v);
          delta.removedPairs.delete(k);
          delta.removedKeys.delete(idOf(k));
        }
      }
      else {
        for (const m of keysOf(value)) {
          delta.removes.delete(idOf(m));
          delta.adds.set(idOf(m), m);
        }
      }
    });
  }

  /**
   * Removes set members, map keys (an array of keys) or map pairs (a Map: only where the
   * current value matches, as OVSDB's "delete" mutation with a map).
   */
  remove(row: WorkingRow, column: string, value: Members): void {
    const meta = this.column(row.table, column);
    const current = this.current(row)[column];
    let next: WritableValue;
    if (meta.type.kind === 'map') {
      const merged = new Map(current as ReadonlyMap<WritableAtom, WritableAtom>);
      if (isMap(value)) {
        for (const [k, v] of value) if (merged.has(k) && idOf(merged.get(k)!) === idOf(v)) merged.delete(k);
      } else for (const k of value) merged.delete(k);
      next = merged;
    } else {
      const gone = new Set(keysOf(value).map(idOf));
      const kept = membersOf(current).filter((m) => !gone.has(idOf(m)));
      next = meta.type.kind === 'set' ? kept : (kept[0] ?? null);
    }
    this.check(meta, next);
    this.partial(row, column, next, (delta) => {
      if (delta.kind === 'map') {
        if (isMap(value)) {
          for (const [k, v] of value) {
            if (delta.puts.has(k) && idOf(delta.puts.get(k)!) === idOf(v)) {
              delta.puts.delete(k);
              delta.removedKeys.set(idOf(k), k);
            } else if (!delta.puts.has(k)) delta.removedPairs.set(k, v);
          }
        } else {
          for (const k of value) {
            delta.puts.delete(k);
            delta.removedPairs.delete(k);
            delta.removedKeys.set(idOf(k), k);
          }
        }
      } else {
        for (const m of keysOf(value)) {
          delta.adds.delete(idOf(m));
          // A member inserted by this batch and dropped again is simply never added.
          if (!(m instanceof NamedUuid)) delta.removes.set(idOf(m), m);
        }
      }
    });
  }

  /** Sends the pending partial changes and returns the wait operations to put first. */
  finish(): Operation[] {
    for (const tableRows of this.touched.values()) {
      for (const touched of tableRows.values()) {
        if (touched.deleted || touched.deltas.size === 0) continue;
        const mutations: TypedMutation[] = [];
        for (const [column, delta] of touched.deltas) {
          if (delta.kind === 'set') {
            if (delta.removes.size > 0) mutations.push([column, 'delete', [...delta.removes.values()]]);
            if (delta.adds.size > 0) mutations.push([column, 'insert', [...delta.adds.values()]]);
          } else {
            const keys = new Map(delta.removedKeys);
            for (const k of delta.puts.keys()) keys.set(idOf(k), k);
            if (keys.size > 0) mutations.push([column, 'delete', [...keys.values()]]);
            if (delta.removedPairs.size > 0) mutations.push([column, 'delete', new Map(delta.removedPairs)]);
            if (delta.puts.size > 0) mutations.push([column, 'insert', new Map(delta.puts)]);
          }
        }
        if (mutations.length > 0) this.txn.mutate(touched.row.table.name, touched.row.id, mutations);
      }
    }
    const ops: Operation[] = [];
    for (const op of this.waits.values()) if (op.op === 'wait') ops.push(op);
    return ops;
  }

  /** The real uuid of a row after the commit (`inserted`: uuid-name → uuid). */
  static resolve(row: WorkingRow, inserted: ReadonlyMap<string, UuidString>): UuidString | undefined {
    return row.handle === undefined ? row.id : inserted.get(row.handle.name);
  }

  private partial(row: WorkingRow, column: string, next: WritableValue, change: (delta: Delta) => void): void {
    const touched = this.write(row, column, next);
    if (row.handle !== undefined || touched.whole.has(column)) {
      // Inserted rows and whole-written columns carry the whole current value.
      touched.whole.add(column);
      if (row.handle !== undefined) this.txn.update(row.table.name, row.handle, { [column]: next });
      else this.txn.update(row.table.name, row.id, { [column]: next });
      return;
    }
    let delta = touched.deltas.get(column);
    if (delta === undefined) {
      delta = row.table.columnsByName.get(column)!.type.kind === 'map'
        ? { kind: 'map', puts: new Map(), removedKeys: new Map(), removedPairs: new Map() }
        : { kind: 'set', adds: new Map(), removes: new Map() };
      touched.deltas.set(column, delta);
    }
    change(delta);
  }

  private current(row: WorkingRow): Values {
    return this.touch(row.table, row.id, row.values).row.values;
  }

  private write(row: WorkingRow, column: string, value: WritableValue): Touched {
    const touched = this.touch(row.table, row.id, row.values);
    if (touched.deleted) throw new OvsdbValidationError(row.table.name, row.id, 'is deleted in this batch');
    (touched.row as MutableRow).values = { ...touched.row.values, [column]: value };
    return touched;
  }

  private check(column: ColumnMeta, value: WritableValue): void {
    validateValue(column, value, { namedUuids: this.namedUuids });
  }

  private touch(meta: TableMeta, id: string, values: Values): Touched {
    const rows = this.tableTouched(meta);
    let touched = rows.get(id);
    if (touched === undefined) {
      touched = { row: { table: meta, id, handle: undefined, values }, deleted: false, whole: new Set(), deltas: new Map() };
      rows.set(id, touched);
    }
    return touched;
  }

  private tableTouched(meta: TableMeta): Map<string, Touched> {
    let rows = this.touched.get(meta.name);
    if (rows === undefined) this.touched.set(meta.name, (rows = new Map()));
    return rows;
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
  private baseLookup(meta: TableMeta, column: string, key: string): string[] {
    const id = `${meta.name}.${column}`;
    let index: BaseIndex | undefined = this.baseIndexes.get(id) ?? indexSupport.get(this.replica)?.get(id);
    if (index === undefined) {
      try {
        return this.replica.lookupAll(meta.name, column, key).map((row) => row._uuid);
      } catch {
        rememberNoIndex(this.replica, id);
        index = NO_INDEX;
      }
    }
    if (index === NO_INDEX) {
      const built = new Map<string, string[]>();
      for (const [uuid, row] of this.replica.table(meta.name)) {
        for (const atom of membersOf(row[column] as TypedValue)) {
          const list = built.get(String(atom));
          if (list === undefined) built.set(String(atom), [uuid]);
          else list.push(uuid);
        }
      }
      this.baseIndexes.set(id, built);
      index = built;
    }
    return index.get(key) ?? [];
  }
}

/** Per replica: `table.column` pairs known to have no declared index (so lookups scan once per batch). */
const indexSupport = new WeakMap<Replica, Map<string, typeof NO_INDEX>>();

function rememberNoIndex(replica: Replica, id: string): void {
  let known = indexSupport.get(replica);
  if (known === undefined) indexSupport.set(replica, (known = new Map()));
  known.set(id, NO_INDEX);
}
