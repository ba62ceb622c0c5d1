/**
 * Python's IDL Row and Transaction (python/ovs/db/idl.py) as test-ovsdb.py's idl_set uses
 * them, over an OvsdbIdl IdlTransaction: each Python call turns into the IdlTransaction call
 * that does the same (insert, update, delete, verify, increment, abort), except the partial
 * updates (addvalue, delvalue, setkey, delkey), which Python collects per column as
 * `_inserts`/`_removes` and sends at commit, removes first: so do we (one mutate per row,
 * or, for a row inserted by this transaction, its whole value).
 *
 * Reads (`getattr`) see the row as Python's does inside a transaction: the replica's row,
 * then this transaction's writes, then its pending inserts and removes. idl_set's asserts
 * read through them.
 */
import type { ColumnMeta, CommitResult, IdlTransaction, InsertHandle, NamedUuid, OvsdbIdl, ReplicaRow, TableMeta, TypedMutation, WritableAtom, WritableValue } from '@ovs-fleet/ovsdb';

export type PyAtom = WritableAtom;
/** A value as getattr() gives it: sets (optional columns too) as arrays, maps as Maps. */
export type PyValue = PyAtom | readonly PyAtom[] | ReadonlyMap<PyAtom, PyAtom>;

/** getattr() of a column the row has no value for (Python's AttributeError). */
export class NoAttribute extends Error {}

const isSetColumn = (column: ColumnMeta) => column.type.kind === 'set' || column.type.kind === 'optional';

/** A committed value as Python's Datum.to_python gives it. */
function committed(column: ColumnMeta, value: unknown): PyValue {
  if (column.type.kind === 'optional') return value === null ? [] : [value as PyAtom];
  if (column.type.kind === 'set') return [...(value as readonly PyAtom[])];
  if (column.type.kind === 'map') return new Map(value as ReadonlyMap<PyAtom, PyAtom>);
  return value as PyAtom;
}

/** Datum.from_python: a list stands for a set (a one-element list for a scalar column), a bare atom for a one-element set. */
function pyForm(column: ColumnMeta, value: PyValue): PyValue {
  const kind = column.type.kind;
  if (kind === 'map') return value;
  if (kind === 'atom') return Array.isArray(value) ? (value as readonly PyAtom[])[0] : value;
  return Array.isArray(value) ? [...(value as readonly PyAtom[])] : [value as PyAtom];
}

/** What an update writes for a getattr()-style value (optional columns take the atom or null). */
function writable(column: ColumnMeta, value: PyValue): WritableValue {
  if (column.type.kind === 'optional') {
    const members = value as readonly PyAtom[];
    return members.length === 0 ? null : members[0];
  }
  return value as WritableValue;
}

const unique = (atoms: readonly PyAtom[]): PyAtom[] => [...new Set(atoms)];

export class PyRow {
  /** _changes; null once deleted in this transaction. */
  private changes: Map<string, PyValue> | null = new Map();
  private readonly inserts = new Map<string, Set<PyAtom> | Map<PyAtom, PyAtom>>();
  private readonly removes = new Map<string, Set<PyAtom>>();

  constructor(
    private readonly txn: PyTransaction,
    readonly table: TableMeta,
    /** The real uuid of an existing row, or the insert's handle. */
    readonly ref: string | InsertHandle,
    /** _data: the committed row; undefined for a row inserted by this transaction. */
    readonly data: ReplicaRow | undefined,
  ) {}

  /** row.uuid: what other rows of the transaction put in a reference to this one. */
  get uuid(): string | NamedUuid {
    return typeof this.ref === 'string' ? this.ref : this.ref.ref;
  }

  get deleted(): boolean {
    return this.changes === null;
  }

  private column(name: string): ColumnMeta {
    const column = this.table.columnsByName.get(name);
    if (column === undefined) throw new NoAttribute(`${this.table.name} has no column ${name}`);
    return column;
  }

  /** Row.__getattr__ */
  get(name: string): PyValue {
    if (this.changes === null) throw new Error(`${this.table.name} row is deleted in this transaction`);
    const column = this.column(name);
    const changed = this.changes.get(name);
    if (changed !== undefined) return changed;
    const inserts = this.inserts.get(name);
    const removes = this.removes.get(name);
    if (this.data === undefined) {
      if (inserts === undefined) throw new NoAttribute(`${this.table.name} row has no ${name} yet`);
      return inserts instanceof Map ? new Map(inserts) : [...inserts];
    }
    if (!(name in this.data)) {
      if (inserts === undefined) throw new NoAttribute(`${name} of ${this.table.name} is not monitored`);
      return inserts instanceof Map ? new Map(inserts) : [...inserts];
    }
    const value = committed(column, this.data[name]);
    if (isSetColumn(column)) {
      let members = [...(value as readonly PyAtom[]), ...((inserts as Set<PyAtom> | undefined) ?? [])];
      if (removes !== undefined) members = members.filter((member) => !removes.has(member));
      return unique(members);
    }
    if (column.type.kind === 'map') {
      const map = new Map(value as ReadonlyMap<PyAtom, PyAtom>);
      if (inserts !== undefined) for (const [key, v] of inserts as Map<PyAtom, PyAtom>) map.set(key, v);
      if (removes !== undefined) for (const key of removes) if (!(inserts as Map<PyAtom, PyAtom> | undefined)?.has(key)) map.delete(key);
      return map;
    }
    return value;
  }

  /** getattr(row, name, default) */
  getOr(name: string, fallback: PyValue): PyValue {
    try {
      return this.get(name);
    } catch (error) {
      if (error instanceof NoAttribute) return fallback;
      throw error;
    }
  }

  /** len(getattr(row, name)) */
  len(name: string): number {
    const value = this.get(name);
    if (value instanceof Map) return value.size;
    if (Array.isArray(value)) return value.length;
    throw new Error(`len() of the scalar ${this.table.name}.${name}`);
  }

  /** Row.__setattr__ (Transaction._write): a whole-column write drops the column's pending inserts and removes. */
  set(name: string, value: PyValue): void {
    const column = this.column(name);
    if (this.txn.isReadonly(this.table.name, name)) {
      this.txn.warn(`attempting to write to readonly column ${name}`);
      return;
    }
    this.touch();
    this.inserts.delete(name);
    this.removes.delete(name);
    const datum = pyForm(column, value);
    this.changes!.set(name, datum);
    this.txn.idlTxn.update(this.table.name, this.ref, { [name]: writable(column, datum) });
  }

  addvalue(name: string, key: PyAtom): void {
    this.touch();
    const inserts = (this.inserts.get(name) as Set<PyAtom> | undefined) ?? new Set<PyAtom>();
    inserts.add(key);
    this.inserts.set(name, inserts);
  }

  delvalue(name: string, key: PyAtom): void {
    this.touch();
    const removes = this.removes.get(name) ?? new Set<PyAtom>();
    removes.add(key);
    this.removes.set(name, removes);
  }

  /** On a committed row, the key's old pair is removed first (then the new pair inserted). */
  setkey(name: string, key: PyAtom, value: PyAtom): void {
    this.touch();
    if (this.data !== undefined && name in this.data) {
      const removes = this.removes.get(name) ?? new Set<PyAtom>();
      removes.add(key);
      this.removes.set(name, removes);
    }
    const inserts = (this.inserts.get(name) as Map<PyAtom, PyAtom> | undefined) ?? new Map<PyAtom, PyAtom>();
    inserts.set(key, value);
    this.inserts.set(name, inserts);
  }

  /** With a value, only when the committed map holds exactly that pair. */
  delkey(name: string, key: PyAtom, value?: PyAtom): void {
    this.touch();
    if (value !== undefined) {
      const old = this.data?.[name] as ReadonlyMap<PyAtom, PyAtom> | undefined;
      if (old === undefined || !old.has(key) || old.get(key) !== value) return;
    }
    const removes = this.removes.get(name) ?? new Set<PyAtom>();
    removes.add(key);
    this.removes.set(name, removes);
  }

  /** Row.verify: nothing to verify on a row this transaction inserted or a column it already wrote. */
  verify(name: string): void {
    this.column(name);
    if (this.data === undefined || this.changes?.has(name)) return;
    this.txn.idlTxn.verify(this.table.name, this.ref as string, [name]);
  }

  /** Row.delete */
  delete(): void {
    this.touch();
    this.changes = null;
    this.inserts.clear();
    this.removes.clear();
    this.txn.idlTxn.delete(this.table.name, this.ref);
  }

  /** The partial updates, sent at commit as Python does: a mutate (removes, then inserts), or into an inserted row's value. */
  flushPartialUpdates(): void {
    if (this.changes === null) return;
    const columns = new Set([...this.removes.keys(), ...this.inserts.keys()]);
    if (columns.size === 0) return;
    if (this.data === undefined) {
      // Python inserts the row, then mutates it: the same as inserting the mutated value.
      const row: Record<string, WritableValue> = {};
      for (const name of columns) row[name] = writable(this.column(name), this.insertedValue(name));
      this.txn.idlTxn.update(this.table.name, this.ref, row);
      return;
    }
    const mutations: TypedMutation[] = [];
    for (const [name, removes] of this.removes) mutations.push([name, 'delete', [...removes]]);
    for (const [name, inserts] of this.inserts) mutations.push([name, 'insert', inserts instanceof Map ? new Map(inserts) : [...inserts]]);
    this.txn.idlTxn.mutate(this.table.name, this.ref as string, mutations);
  }

  /** An inserted row's column after its insert and its mutate: the written value (or none) plus inserts, minus removes. */
  private insertedValue(name: string): PyValue {
    const column = this.column(name);
    const written = this.changes?.get(name);
    const inserts = this.inserts.get(name);
    const removes = this.removes.get(name) ?? new Set<PyAtom>();
    if (column.type.kind === 'map') {
      const map = new Map((written as ReadonlyMap<PyAtom, PyAtom> | undefined) ?? []);
      for (const key of removes) map.delete(key);
      for (const [key, value] of (inserts as Map<PyAtom, PyAtom> | undefined) ?? []) map.set(key, value);
      return map;
    }
    const members = [...((written as readonly PyAtom[] | undefined) ?? [])].filter((member) => !removes.has(member));
    return unique([...members, ...((inserts as Set<PyAtom> | undefined) ?? [])]);
  }

  private touch(): void {
    this.txn.touch(this);
  }
}

/** ovs.db.idl.Transaction, for idl_set. */
export class PyTransaction {
  readonly idlTxn: IdlTransaction;
  private readonly rows = new Map<string, PyRow>();
  private readonly touched = new Set<PyRow>();
  private readonly fetched: [PyRow, string][] = [];

  constructor(
    private readonly idl: OvsdbIdl,
    private readonly readonly: ReadonlyMap<string, ReadonlySet<string>>,
    readonly warn: (message: string) => void,
  ) {
    this.idlTxn = idl.transaction();
  }

  isReadonly(table: string, column: string): boolean {
    return this.readonly.get(table)?.has(column) ?? false;
  }

  /** Transaction.insert(table, new_uuid, persist_uuid): a row visible in the table at once. */
  insert(table: string, uuid?: string): PyRow {
    const meta = this.meta(table);
    const handle = this.idlTxn.insert(table, {}, uuid === undefined ? {} : { uuid });
    const row = new PyRow(this, meta, handle, undefined);
    this.rows.set(`${table}/${handle.name}`, row);
    this.touched.add(row);
    return row;
  }

  /** idl.tables[table].rows.values() as seen inside the transaction: rows it deleted gone, rows it inserted added. */
  *rowsOf(table: string): Generator<PyRow> {
    for (const data of this.idl.replica.table(table).values()) {
      const row = this.wrap(table, data);
      if (!row.deleted) yield row;
    }
    for (const [key, row] of this.rows) if (key.startsWith(`${table}/`) && row.data === undefined && !row.deleted) yield row;
  }

  /** The transaction's view of a replica row. */
  wrap(table: string, data: ReplicaRow): PyRow {
    const key = `${table}/${data._uuid}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = new PyRow(this, this.meta(table), data._uuid, data);
      this.rows.set(key, row);
    }
    return row;
  }

  /** A row joins the transaction (Python's _txn_rows) in the order it is first written. */
  touch(row: PyRow): void {
    if (this.touched.has(row)) return;
    this.touched.add(row);
    if (row.data !== undefined) this.idlTxn.update(row.table.name, row.ref, {});
  }

  /** Row.fetch(column): read from the server at commit into the replica's row (an existing row only). */
  fetch(row: PyRow, column: string): void {
    if (row.data === undefined) throw new Error(`AssertionError: fetch of ${row.table.name} row inserted by this transaction`);
    this.idlTxn.fetch(row.table.name, row.ref as string, [column]);
    this.fetched.push([row, column]);
  }

  /** The (row, column) pairs fetched, for the caller to read after a successful commit. */
  get fetches(): readonly (readonly [PyRow, string])[] {
    return this.fetched;
  }

  increment(row: PyRow, column: string): void {
    this.idlTxn.increment(row.table.name, row.ref as string, column);
  }

  abort(): void {
    this.idlTxn.abort();
  }

  /** Transaction.commit_block() */
  commit(): Promise<CommitResult> {
    for (const row of this.touched) row.flushPartialUpdates();
    return this.idlTxn.commit();
  }

  private meta(table: string): TableMeta {
    const meta = this.idl.replica.schema.tables.get(table);
    if (meta === undefined) throw new Error(`no table ${table}`);
    return meta;
  }
}
