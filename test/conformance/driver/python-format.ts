/**
 * Printing exactly as OVS's tests/test-ovsdb.py does: Python's str()/repr() of the values
 * its IDL hands out, then the same regular expressions, and ovs.json.to_string.
 */
import type { ColumnMeta, ReplicaRow, TableMeta } from '@ovs-fleet/ovsdb';

/** A uuid.UUID (repr `UUID('...')`), as opposed to a str. */
export class PyUuid {
  constructor(readonly value: string) {}
}

/** A Python value as the IDL would return it. */
export type PyValue = number | boolean | string | PyUuid | null | PyValue[] | PyTuple;
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/**
 * Python's repr(float). An integral value prints as an int: ovsdb-server sends 2.0 as `2`, which
 * Python parses as an int (JSON.parse cannot tell `1.5e+16` from an integer: such reals differ).
 */
export function pyNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const abs = Math.abs(value);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** Python's repr(str): single quotes unless the text holds ' and no ". */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (value instanceof PyUuid) return `UUID('${value.value}')`;
  if (value instanceof PyTuple) return `(${value.items.map(pyRepr).join(', ')}${value.items.length === 1 ? ',' : ''})`;
  return `[${value.map(pyRepr).join(', ')}]`;
}

export function pyStr(value: PyValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof PyUuid) return value.value;
  return pyRepr(value);
}

function rank(value: PyValue): number {
  if (typeof value === 'boolean' || typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  if (value instanceof PyUuid) return 2;
  return 3;
}

/** Python's ordering for the values sorted() meets here. */
export function pyCompare(a: PyValue, b: PyValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' || typeof a === 'boolean') return Number(a) - Number(b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (a instanceof PyUuid) return a.value < (b as PyUuid).value ? -1 : a.value > (b as PyUuid).value ? 1 : 0;
  if (a instanceof PyTuple && b instanceof PyTuple) {
    for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
      const c = pyCompare(a.items[i], b.items[i]);
      if (c !== 0) return c;
    }
    return a.items.length - b.items.length;
  }
  return 0;
}

/** Compact JSON with sorted keys and \u escapes for non-ASCII, as ovs.json.to_string. */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((key) => `${pyJson(key)}:${pyJson(record[key])}`).join(',')}}`;
}

/** Looks up rows of referenced tables: a reference to a row the IDL lacks is dropped, as the Python IDL does. */
export type RowLookup = (table: string, uuid: string) => ReplicaRow | undefined;

/** Marker: the Python IDL would hand out an ovs.db.data.Atom (a scalar reference to a missing row). */
const ATOM = Symbol('atom');

function atomToPy(column: ColumnMeta, base: 'key' | 'value', atom: unknown, lookup: RowLookup): PyValue | typeof ATOM | undefined {
  const type = base === 'key' ? column.type.key : column.type.value!;
  if (type.type === 'uuid') {
    if (type.refTable !== undefined && lookup(type.refTable, atom as string) === undefined) return undefined;
    return new PyUuid(atom as string);
  }
  return atom as PyValue;
}

/** The value `getattr(row, column)` gives in the Python IDL, with row_to_uuid applied (refs as uuids). */
export function columnToPy(column: ColumnMeta, value: unknown, lookup: RowLookup): PyValue | typeof ATOM {
  const kind = column.type.kind;
  if (kind === 'atom') {
    const atom = atomToPy(column, 'key', value, lookup);
    return atom === undefined ? ATOM : atom;
  }
  if (kind === 'map') {
    const out: PyValue[] = [];
    for (const [k, v] of value as ReadonlyMap<unknown, unknown>) {
      const pk = atomToPy(column, 'key', k, lookup);
      const pv = atomToPy(column, 'value', v, lookup);
      if (pk !== undefined && pv !== undefined && pk !== ATOM && pv !== ATOM) out.push(new PyTuple([pk, pv]));
    }
    return out.sort(pyCompare);
  }
  const members = kind === 'optional' ? (value === null ? [] : [value]) : (value as readonly unknown[]);
  const out: PyValue[] = [];
  for (const member of members) {
    const py = atomToPy(column, 'key', member, lookup);
    if (py !== undefined && py !== ATOM) out.push(py);
  }
  return out.sort(pyCompare);
}

/** get_simple_printable_row_string(row, columns); `uuid` is the row's own uuid. */
export function simpleRowString(table: TableMeta, row: Readonly<Record<string, unknown>>, columns: readonly string[], lookup: RowLookup, registered?: ReadonlySet<string>): string {
  let s = '';
  for (const name of columns) {
    let value: PyValue;
    if (name === 'uuid') {
      value = new PyUuid(row._uuid as string);
    } else {
      const column = table.columnsByName.get(name);
      if (column === undefined || !(name in row) || (registered !== undefined && !registered.has(name))) continue;
      const py = columnToPy(column, row[name], lookup);
      if (py === ATOM) continue;
      value = py;
    }
    s += `${name}=${pyStr(value)} `;
  }
  s = s.trim();
  s = s.replace(/""|,|u?'/g, '');
  s = s.replace(/UUID\(([^)]+)\)/g, '$1');
  s = s.replace(/False/g, 'false');
  s = s.replace(/True/g, 'true');
  s = s.replace(/(ba)=([^[][^ ]*) /g, '$1=[$2] ');
  return s;
}
