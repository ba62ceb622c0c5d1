import { columnCodec } from '../data/codec';
import type { WritableAtom, WritableValue } from '../data/typed-value';
import { isUuid, NamedUuid } from '../data/uuid';
import { OvsdbValidationError } from '../schema/validation-error';
import { fail } from './failure';
import { idOf, membersOf, type Members, type TableArg, type WorkingRow, type Workspace } from './workspace';

export type { Members };

/** `{ column: value }`; `'column:key'` sets one key of a map column (`'external_ids:iface-id'`). */
export type ColumnValues = Readonly<Record<string, WritableValue>>;
/**
 * Rows to find: per column, an equal value (sets without order); for a map column a Map
 * means "holds all these entries"; `'column:key'` matches one map entry.
 */
export type RowMatch = Readonly<Record<string, WritableValue>>;

/**
 * A record as ovs-vsctl names it: its uuid, its `name` (tables with a name column), or
 * `.` for the only row of Open_vSwitch.
 */
export function findRecord(ws: Workspace, table: TableArg, record: string, mustExist = true): WorkingRow | undefined {
  const meta = ws.table(table);
  let row: WorkingRow | undefined;
  if (isUuid(record)) row = ws.get(meta, record);
  if (row === undefined && record === '.' && meta.maxRows === 1) for (const first of ws.rows(meta)) return first;
  if (row === undefined && meta.columnsByName.has('name')) row = ws.byName(meta, record);
  if (row === undefined && mustExist) fail(`no row "${record}" in table ${meta.name}`);
  return row;
}

/** Splits `'column:key'` into the map column and its key. */
function splitKey(ws: Workspace, row: WorkingRow, spec: string): { column: string; key?: string } {
  if (row.table.columnsByName.has(spec)) return { column: spec };
  const colon = spec.indexOf(':');
  if (colon > 0) {
    const column = spec.slice(0, colon);
    const meta = ws.column(row.table, column);
    if (meta.type.kind !== 'map') throw new OvsdbValidationError(`${row.table.name}.${column}`, spec, 'is not a map column: "column:key" applies to maps');
    return { column, key: spec.slice(colon + 1) };
  }
  ws.column(row.table, spec);
  return { column: spec };
}

/** Map keys are strings in the Open_vSwitch schema, but a map may have integer keys (Bridge.flow_tables). */
function mapKey(ws: Workspace, row: WorkingRow, column: string, key: string): WritableAtom {
  const type = ws.column(row.table, column).type.key.type;
  if (type === 'integer' || type === 'real') {
    const number = Number(key);
    if (!Number.isFinite(number)) throw new OvsdbValidationError(`${row.table.name}.${column}`, key, `is not a ${type} key`);
    return number;
  }
  if (type === 'boolean') return key === 'true';
  return key;
}

export function setColumns(ws: Workspace, row: WorkingRow, values: ColumnValues): void {
  for (const [spec, value] of Object.entries(values)) {
    const { column, key } = splitKey(ws, row, spec);
    if (key === undefined) ws.set(row, column, value);
    else {
      if (value === null || Array.isArray(value) || value instanceof Map) {
        throw new OvsdbValidationError(`${row.table.name}.${column}`, value, `needs an atom for key "${key}"`);
      }
      ws.add(row, column, new Map([[mapKey(ws, row, column, key), value as WritableAtom]]));
    }
  }
}

export function clearColumn(ws: Workspace, row: WorkingRow, column: string): void {
  const meta = ws.column(row.table, column);
  if (meta.type.min > 0) fail(`"clear" operation cannot be applied to column ${column} of table ${row.table.name}, which is not allowed to be empty`);
  ws.set(row, column, columnCodec(meta).defaultValue);
}

/** Atoms equal by value; a uuid equals a named-uuid only if they name the same row. */
function atomEqual(a: WritableValue | undefined, b: WritableValue | undefined): boolean {
  if (a === undefined || b === undefined || a === null || b === null || Array.isArray(a) || Array.isArray(b) || a instanceof Map || b instanceof Map) return false;
  if (a instanceof NamedUuid || b instanceof NamedUuid) return idOf(a as WritableAtom) === idOf(b as WritableAtom);
  return a === b;
}

function matches(row: WorkingRow, column: string, key: string | undefined, want: WritableValue): boolean {
  const have = row.values[column];
  if (key !== undefined) return have instanceof Map && have.has(key) && atomEqual(have.get(key), want);
  if (want instanceof Map) {
    if (!(have instanceof Map)) return false;
    for (const [k, v] of want) if (!have.has(k) || !atomEqual(have.get(k), v)) return false;
    return true;
  }
  if (Array.isArray(want) || Array.isArray(have)) {
    const a = membersOf(want);
    const b = membersOf(have);
    if (a.length !== b.length) return false;
    const ids = new Set(b.map(idOf));
    return a.every((atom) => ids.has(idOf(atom)));
  }
  if (want === null || have === null) return want === have;
  return atomEqual(have, want);
}

/** The rows of a table matching every entry (see RowMatch), or a predicate. One scan. */
export function findRows(ws: Workspace, table: TableArg, match: RowMatch | ((row: WorkingRow) => boolean)): WorkingRow[] {
  const meta = ws.table(table);
  let test: (row: WorkingRow) => boolean;
  if (typeof match === 'function') test = match;
  else {
    const conditions = Object.entries(match).map(([spec, value]) => {
      if (meta.columnsByName.has(spec) || spec === '_uuid') return { column: spec, key: undefined, value };
      const colon = spec.indexOf(':');
      const column = colon > 0 ? spec.slice(0, colon) : spec;
      ws.column(meta, column);
      return { column, key: spec.slice(colon + 1), value };
    });
    test = (row) => conditions.every(({ column, key, value }) => (column === '_uuid' ? row.id === value : matches(row, column, key, value)));
  }
  const out: WorkingRow[] = [];
  for (const row of ws.rows(meta)) if (test(row)) out.push(row);
  return out;
}
