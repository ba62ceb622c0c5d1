/**
 * Plans of database contents that fill every column of every table of a schema with
 * schema-valid values (see column-values.ts) and respect what the server enforces beyond
 * single values: uuid references point at planned rows of the refTable, every row of a
 * non-root table is reachable from a root row through strong references (otherwise the
 * server garbage-collects it), unique indexes hold, and maxRows.
 *
 *   for (const plan of edgePlans(meta)) ...       // deterministic corner values
 *   fc.assert(fc.asyncProperty(randomPlan(meta), async (plan) => ...));
 */
import fc from 'fast-check';
import type { Atom, BaseTypeMeta, ColumnMeta, ColumnTypeMeta, DatabaseMeta, TableMeta } from '@ovs-fleet/ovsdb';
import { atomEdges, columnCases, valueArbitrary, type UuidAtoms } from './column-values';

/** A reference to the `index`-th planned row of `table`. */
export class RowRef {
  constructor(
    readonly table: string,
    readonly index: number,
  ) {}

  get key(): string {
    return `${this.table}#${this.index}`;
  }

  toString(): string {
    return this.key;
  }

  [fc.toStringMethod](): string {
    return this.key;
  }
}

export type PlanAtom = Atom | RowRef;
export type PlanValue = PlanAtom | null | readonly PlanAtom[] | ReadonlyMap<PlanAtom, PlanAtom>;

/** One row to insert: a value for every column of the table. */
export class PlannedRow {
  constructor(
    readonly table: TableMeta,
    readonly index: number,
    readonly values: Map<string, PlanValue>,
  ) {}

  get key(): string {
    return `${this.table.name}#${this.index}`;
  }

  /** How fast-check prints a counterexample: the values, not the table metadata. */
  [fc.toStringMethod](): string {
    return `${this.key} ${fc.stringify(this.values)}`;
  }
}

export const rowKey = (row: PlannedRow): string => row.key;

const ROWS_PER_TABLE = 2;

/** How many rows of each table a plan holds. */
export type RowCounts = (table: TableMeta) => number;

export const rowCount: RowCounts = (table) => Math.min(ROWS_PER_TABLE, table.maxRows ?? ROWS_PER_TABLE);

const identity = (atom: unknown): unknown => (atom instanceof RowRef ? atom.key : atom);

function refPool(schema: DatabaseMeta, base: BaseTypeMeta, counts: RowCounts): RowRef[] {
  const table = schema.tables.get(base.refTable!)!;
  return Array.from({ length: counts(table) }, (_, i) => new RowRef(table.name, i));
}

/** The corner atoms of a base type: rows of the refTable for references. */
function planAtoms(schema: DatabaseMeta, base: BaseTypeMeta, counts: RowCounts): PlanAtom[] {
  return base.refTable !== undefined ? refPool(schema, base, counts) : atomEdges(base);
}

/**
 * The deterministic cases of a column (see `columnCases`), references to planned rows
 * included; undefined for a reference column when the refTable has no rows.
 */
export function planCases(schema: DatabaseMeta, column: ColumnMeta, counts: RowCounts = rowCount): PlanValue[] | undefined {
  const type = column.type;
  const keys = planAtoms(schema, type.key, counts);
  const values = type.value && planAtoms(schema, type.value, counts);
  if (keys.length === 0 || values?.length === 0) return undefined;
  return columnCases<PlanAtom>(type, keys, values);
}

/**
 * Deterministic contents: row i of a table in round r takes case (r * rows + i) of each
 * column (cycling), shifted per column so that rows differ in every column. A reference
 * column whose refTable has no rows is left empty (a row that needs a reference is left out).
 */
export function edgePlan(schema: DatabaseMeta, round: number, counts: RowCounts = rowCount): PlannedRow[] {
  const rows: PlannedRow[] = [];
  for (const table of schema.tables.values()) {
    const count = counts(table);
    for (let index = 0; index < count; index++) {
      const values = new Map<string, PlanValue>();
      const fits = table.columns.every((column, c) => {
        const cases = planCases(schema, column, counts) ?? (column.type.min === 0 ? [emptyValue(column.type)] : []);
        values.set(column.name, cases[(round * count + index + c) % cases.length]);
        return cases.length > 0;
      });
      if (fits) rows.push(new PlannedRow(table, index, values));
    }
  }
  return makeConsistent(rows);
}

function emptyValue(type: ColumnTypeMeta): PlanValue {
  return type.kind === 'map' ? new Map() : type.kind === 'set' ? [] : null;
}

/**
 * Plans that together write every case of every column: enough rounds of `rowCount` rows
 * per table to cycle through each column's cases, then rounds with fewer rows, because the
 * reachability rule fills reference columns whenever rows need reaching: one row per table
 * (reference sets of one element), rows of root tables only (empty reference sets), and
 * no rows of tables that only optional references reach (null references).
 */
export function edgePlans(schema: DatabaseMeta): PlannedRow[][] {
  let rounds = 1;
  for (const table of schema.tables.values()) {
    for (const column of table.columns) rounds = Math.max(rounds, Math.ceil((planCases(schema, column)?.length ?? 1) / rowCount(table)));
  }
  const plans = Array.from({ length: rounds }, (_, round) => edgePlan(schema, round));
  plans.push(edgePlan(schema, 0, () => 1));
  plans.push(edgePlan(schema, 1, (table) => (table.isRoot ? 1 : 0)));
  const inCollections = tablesReferencedFromCollections(schema);
  plans.push(edgePlan(schema, 2, (table) => (table.isRoot || inCollections.has(table.name) ? 1 : 0)));
  return plans;
}

/** Tables some set or map column refers to: rows of the others hang on optional references only. */
function tablesReferencedFromCollections(schema: DatabaseMeta): Set<string> {
  const out = new Set<string>();
  for (const table of schema.tables.values()) {
    for (const { type } of table.columns) {
      if (type.kind !== 'set' && type.kind !== 'map') continue;
      for (const base of [type.key, type.value]) if (base?.refTable !== undefined) out.add(base.refTable);
    }
  }
  return out;
}

/** Generated contents: every column of `rowCount` rows per table, made consistent. */
export function randomPlan(schema: DatabaseMeta): fc.Arbitrary<PlannedRow[]> {
  const refs: UuidAtoms<RowRef> = {
    arbitrary: (base) => (base.refTable === undefined ? fc.uuid() : fc.constantFrom(...refPool(schema, base, rowCount))) as fc.Arbitrary<RowRef>,
    identity,
  };
  const tables = [...schema.tables.values()].map((table) => {
    const row = fc.record(Object.fromEntries(table.columns.map((column) => [column.name, valueArbitrary(column.type, refs)])));
    return fc.array(row, { minLength: rowCount(table), maxLength: rowCount(table) }).map((rows) =>
      rows.map((values, index) => new PlannedRow(table, index, new Map(Object.entries(values)) as Map<string, PlanValue>)),
    );
  });
  return fc.tuple(...tables).map((perTable) => makeConsistent(perTable.flat()));
}

/**
 * `next` as an update of the rows written for `previous`: a row of the same table and index
 * is the same database row, so it keeps its immutable values; root rows of `previous` that
 * `next` lacks are kept (deleting a root row still referenced by rows the server has yet to
 * garbage-collect would be refused). Made consistent again; values are copied.
 */
export function evolvePlan(previous: readonly PlannedRow[], next: readonly PlannedRow[]): PlannedRow[] {
  const before = new Map(previous.map((row) => [row.key, row]));
  const rows = next.map((row) => {
    const values = new Map(row.values);
    const old = before.get(row.key);
    if (old !== undefined) for (const column of row.table.columns) if (!column.mutable) values.set(column.name, old.values.get(column.name)!);
    return new PlannedRow(row.table, row.index, values);
  });
  const keys = new Set(rows.map((row) => row.key));
  for (const old of previous) if (old.table.isRoot && !keys.has(old.key)) rows.push(new PlannedRow(old.table, old.index, new Map(old.values)));
  return makeConsistent(rows);
}

/** Maps every RowRef inside a planned value (atoms, set members, map keys and values). */
export function resolveValue<T>(value: PlanValue, resolve: (ref: RowRef) => T): T | Atom | null | (T | Atom)[] | Map<T | Atom, T | Atom> {
  const atom = (a: PlanAtom): T | Atom => (a instanceof RowRef ? resolve(a) : a);
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly PlanAtom[]).map(atom);
  if (value instanceof Map) return new Map([...(value as ReadonlyMap<PlanAtom, PlanAtom>)].map(([k, v]) => [atom(k), atom(v)]));
  return atom(value as PlanAtom);
}

function refsIn(value: PlanValue): RowRef[] {
  if (value instanceof RowRef) return [value];
  if (Array.isArray(value)) return (value as readonly PlanAtom[]).filter((a): a is RowRef => a instanceof RowRef);
  if (value instanceof Map) return [...(value as ReadonlyMap<PlanAtom, PlanAtom>)].flat().filter((a): a is RowRef => a instanceof RowRef);
  return [];
}

const isStrong = (base: BaseTypeMeta | undefined): boolean => base?.refTable !== undefined && base.refType !== 'weak';

/**
 * Makes planned rows acceptable to the server, without changing the values of columns that
 * already fit: (1) of rows sharing a unique index, the later ones are dropped; (2) references
 * to dropped rows are removed, and a row whose column would then break its minimum is
 * dropped too; (3) a non-root row no root row reaches through strong references is added to
 * a reachable row's reference column with room (a set or map with the most members first,
 * then an empty optional), or dropped when there is none. Repeated until nothing changes.
 */
export function makeConsistent(rows: PlannedRow[]): PlannedRow[] {
  let alive = rows.slice();
  for (;;) {
    const before = alive.length;
    alive = attachUnreachable(dropDanglingReferences(dropIndexDuplicates(alive)));
    // Attaching may fill an indexed reference column: settled only when that dropped nothing.
    if (alive.length === before && dropIndexDuplicates(alive).length === alive.length) return alive;
  }
}

function canonical(value: PlanValue): string {
  if (Array.isArray(value)) return JSON.stringify((value as readonly PlanAtom[]).map((a) => String(identity(a))).sort());
  if (value instanceof Map) return JSON.stringify([...(value as ReadonlyMap<PlanAtom, PlanAtom>)].map(([k, v]) => `${String(identity(k))}=${String(identity(v))}`).sort());
  return JSON.stringify(identity(value));
}

function dropIndexDuplicates(rows: PlannedRow[]): PlannedRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    for (const index of row.table.indexes) {
      const key = `${row.table.name}/${index.join(',')}/${index.map((column) => canonical(row.values.get(column) ?? null)).join('|')}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
    return true;
  });
}

/** Removes references to rows not in `rows`; drops rows whose column would fall below its minimum. */
function dropDanglingReferences(rows: PlannedRow[]): PlannedRow[] {
  let alive = rows;
  for (;;) {
    const keys = new Set(alive.map(rowKey));
    const live = (a: PlanAtom): boolean => !(a instanceof RowRef) || keys.has(a.key);
    const kept = alive.filter((row) => {
      for (const column of row.table.columns) {
        const value = row.values.get(column.name)!;
        if (refsIn(value).every(live)) continue;
        const pruned = prune(column.type, value, live);
        if (pruned === undefined) return false;
        row.values.set(column.name, pruned);
      }
      return true;
    });
    if (kept.length === alive.length) return kept;
    alive = kept;
  }
}

/** The value without dead references, or undefined when that breaks the type's minimum. */
function prune(type: ColumnTypeMeta, value: PlanValue, live: (a: PlanAtom) => boolean): PlanValue | undefined {
  switch (type.kind) {
    case 'atom':
      return undefined;
    case 'optional':
      return null;
    case 'set': {
      const members = (value as readonly PlanAtom[]).filter(live);
      return members.length >= type.min ? members : undefined;
    }
    case 'map': {
      const pairs = [...(value as ReadonlyMap<PlanAtom, PlanAtom>)].filter(([k, v]) => live(k) && live(v));
      return pairs.length >= type.min ? new Map(pairs) : undefined;
    }
  }
}

function reachable(rows: readonly PlannedRow[]): Set<string> {
  const byKey = new Map(rows.map((row) => [rowKey(row), row]));
  const seen = new Set<string>();
  const stack = rows.filter((row) => row.table.isRoot);
  for (const row of stack) seen.add(rowKey(row));
  while (stack.length > 0) {
    const row = stack.pop()!;
    for (const column of row.table.columns) {
      const type = column.type;
      const value = row.values.get(column.name)!;
      const refs: RowRef[] = [];
      if (type.kind === 'map') {
        for (const [k, v] of value as ReadonlyMap<PlanAtom, PlanAtom>) {
          if (isStrong(type.key) && k instanceof RowRef) refs.push(k);
          if (isStrong(type.value) && v instanceof RowRef) refs.push(v);
        }
      } else if (isStrong(type.key)) {
        refs.push(...refsIn(value));
      }
      for (const ref of refs) {
        const target = byKey.get(ref.key);
        if (target !== undefined && !seen.has(ref.key)) {
          seen.add(ref.key);
          stack.push(target);
        }
      }
    }
  }
  return seen;
}

interface Slot {
  owner: PlannedRow;
  column: ColumnMeta;
  /** Higher is better: fill columns that already hold many members before empty ones. */
  rank: number;
  add(ref: RowRef): PlanValue;
}

/** Where `target` could be referenced strongly from a reachable row without breaking a constraint. */
function slotsFor(target: RowRef, rows: readonly PlannedRow[], isReachable: (row: PlannedRow) => boolean): Slot[] {
  const slots: Slot[] = [];
  for (const owner of rows) {
    if (!isReachable(owner)) continue;
    for (const column of owner.table.columns) {
      const type = column.type;
      const value = owner.values.get(column.name)!;
      if (type.kind === 'set' && isStrong(type.key) && type.key.refTable === target.table) {
        const members = value as readonly PlanAtom[];
        if (members.length < type.max) slots.push({ owner, column, rank: members.length, add: (ref) => [...members, ref] });
      } else if (type.kind === 'optional' && isStrong(type.key) && type.key.refTable === target.table && value === null) {
        slots.push({ owner, column, rank: 0.5, add: (ref) => ref });
      } else if (type.kind === 'map' && isStrong(type.value) && type.value!.refTable === target.table && type.key.refTable === undefined) {
        const map = value as ReadonlyMap<PlanAtom, PlanAtom>;
        const key = map.size < type.max ? freshKey(type.key, map) : undefined;
        if (key !== undefined) slots.push({ owner, column, rank: map.size, add: (ref) => new Map([...map, [key, ref]]) });
      }
    }
  }
  return slots.sort((a, b) => b.rank - a.rank);
}

/** A key of the base type not yet in the map, or undefined if none is easy to find. */
function freshKey(base: BaseTypeMeta, map: ReadonlyMap<PlanAtom, PlanAtom>): Atom | undefined {
  const free = (candidate: Atom): boolean => !map.has(candidate);
  const fromEdges = atomEdges(base).find(free);
  if (fromEdges !== undefined || base.enum !== undefined) return fromEdges;
  for (let n = 1; n < 100; n++) {
    const candidate = base.type === 'string' ? `key${n}` : base.type === 'integer' ? (base.minInteger ?? 0) + n : undefined;
    if (candidate === undefined) return undefined;
    if (free(candidate) && (base.maxInteger === undefined || (candidate as number) <= base.maxInteger)) return candidate;
  }
  return undefined;
}

function attachUnreachable(rows: PlannedRow[]): PlannedRow[] {
  const dropped = new Set<PlannedRow>();
  let seen = reachable(rows);
  for (const row of rows) {
    if (seen.has(rowKey(row))) continue;
    const slot = slotsFor(new RowRef(row.table.name, row.index), rows, (owner) => seen.has(rowKey(owner)))[0];
    if (slot === undefined) {
      dropped.add(row);
      continue;
    }
    slot.owner.values.set(slot.column.name, slot.add(new RowRef(row.table.name, row.index)));
    seen = reachable(rows);
  }
  return dropped.size === 0 ? rows : rows.filter((row) => !dropped.has(row));
}
