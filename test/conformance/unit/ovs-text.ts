/**
 * What test-ovsdb prints for OVSDB types, values and schemas (ovs.json.to_string of their
 * to_json(), and ovsdb_atom_to_string), written from our parsed metadata and decoded
 * values: so that OVS's ovsdb-data.at / ovsdb-types.at / ovsdb-schema.at expectations are
 * compared as the text they are.
 */
import type { Atom, BaseTypeMeta, ColumnMeta, ColumnTypeMeta, DatabaseMeta, TableMeta } from '@ovs-fleet/ovsdb';

/** A real as OVS prints it: integral values without a fraction (-0 as 0), others shortest, exponents as 1e+37. */
export function ovsReal(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return value === 0 ? '0' : String(value);
  const text = String(value);
  const exponent = /^(-?[\d.]+)e([+-])(\d+)$/.exec(text);
  if (exponent) return `${exponent[1]}e${exponent[2]}${exponent[3].padStart(2, '0')}`;
  if (Math.abs(value) >= 1e16) {
    const [mantissa, power] = value.toExponential().split('e');
    return `${mantissa}e${power.startsWith('-') ? '-' : '+'}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return text;
}

/** ovs.json.to_string: compact, object keys sorted, numbers as OVS prints them. */
export function ovsJsonText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return ovsReal(value);
  if (typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(ovsJsonText).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${ovsJsonText(record[key])}`)
    .join(',')}}`;
}

/** OVS's order of atoms (ovsdb_atom_compare_3way): numbers, false < true, strings by UTF-8 bytes, uuids as text. */
export function compareAtoms(a: Atom, b: Atom): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return Number(a) - Number(b);
}

/** Atom.to_json: a uuid is ["uuid", "..."]. */
export function atomJson(type: BaseTypeMeta, atom: Atom): unknown {
  return type.type === 'uuid' ? ['uuid', atom] : atom;
}

/** Datum.to_json: a map as ["map", pairs sorted by key]; one atom alone; else ["set", sorted atoms]. */
export function datumJson(type: ColumnTypeMeta, value: unknown): unknown {
  if (type.kind === 'map') {
    const pairs = [...(value as ReadonlyMap<Atom, Atom>)].sort(([a], [b]) => compareAtoms(a, b));
    return ['map', pairs.map(([k, v]) => [atomJson(type.key, k), atomJson(type.value!, v)])];
  }
  const atoms: Atom[] = type.kind === 'atom' ? [value as Atom] : type.kind === 'optional' ? (value === null ? [] : [value as Atom]) : [...(value as readonly Atom[])];
  if (atoms.length === 1) return atomJson(type.key, atoms[0]);
  return ['set', atoms.sort(compareAtoms).map((atom) => atomJson(type.key, atom))];
}

/** INT64_MIN and INT64_MAX as doubles (both round to +-2^63). */
const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
const UINT_MAX = 4294967295;

/** BaseType.to_json: just the type's name when it has no constraint. */
export function baseTypeJson(base: BaseTypeMeta): unknown {
  const json: Record<string, unknown> = { type: base.type };
  if (base.enum !== undefined) {
    const members = [...base.enum];
    json.enum = members.length === 1 ? atomJson(base, members[0]) : ['set', members.sort(compareAtoms).map((atom) => atomJson(base, atom))];
  }
  if (base.type === 'integer') {
    if (base.minInteger !== undefined && base.minInteger !== INT64_MIN) json.minInteger = base.minInteger;
    if (base.maxInteger !== undefined && base.maxInteger !== INT64_MAX) json.maxInteger = base.maxInteger;
  } else if (base.type === 'real') {
    if (base.minReal !== undefined && base.minReal !== -Number.MAX_VALUE) json.minReal = base.minReal;
    if (base.maxReal !== undefined && base.maxReal !== Number.MAX_VALUE) json.maxReal = base.maxReal;
  } else if (base.type === 'string') {
    if (base.minLength !== undefined && base.minLength !== 0) json.minLength = base.minLength;
    if (base.maxLength !== undefined && base.maxLength !== UINT_MAX) json.maxLength = base.maxLength;
  } else if (base.type === 'uuid' && base.refTable !== undefined) {
    json.refTable = base.refTable;
    if (base.refType === 'weak') json.refType = 'weak';
  }
  return Object.keys(json).length === 1 ? base.type : json;
}

/** Type.to_json: a scalar without constraints as its base type; else key, value, min (when not 1), max (when not 1). */
export function columnTypeJson(type: ColumnTypeMeta): unknown {
  const key = baseTypeJson(type.key);
  if (type.min === 1 && type.max === 1 && type.value === undefined && typeof key === 'string') return key;
  const json: Record<string, unknown> = { key };
  if (type.value !== undefined) json.value = baseTypeJson(type.value);
  if (type.min !== 1) json.min = type.min;
  if (type.max === Infinity) json.max = 'unlimited';
  else if (type.max !== 1) json.max = type.max;
  return json;
}

function columnJson(column: ColumnMeta): unknown {
  const json: Record<string, unknown> = { type: columnTypeJson(column.type) };
  if (!column.mutable) json.mutable = false;
  if (column.ephemeral) json.ephemeral = true;
  return json;
}

function tableJson(table: TableMeta, defaultIsRoot: boolean): unknown {
  const json: Record<string, unknown> = {};
  if (defaultIsRoot !== table.isRoot) json.isRoot = table.isRoot;
  json.columns = Object.fromEntries(table.columns.map((column) => [column.name, columnJson(column)]));
  if (table.maxRows !== undefined) json.maxRows = table.maxRows;
  if (table.indexes.length > 0) json.indexes = table.indexes.map((index) => [...index]);
  return json;
}

/** DbSchema.to_json: isRoot spelled out only when not every table is a root. */
export function schemaJson(schema: DatabaseMeta, version: string | undefined): unknown {
  const tables = [...schema.tables.values()];
  const defaultIsRoot = tables.every((table) => table.isRoot);
  const json: Record<string, unknown> = { name: schema.name, tables: Object.fromEntries(tables.map((table) => [table.name, tableJson(table, defaultIsRoot)])) };
  if (version !== undefined) json.version = version;
  return json;
}

/**
 * ovsdb_atom_to_string: numbers as OVS prints them, uuids bare, strings bare unless they
 * need quotes (empty, not a simple word, "true"/"false", or a uuid), then JSON-quoted.
 */
export function atomString(type: BaseTypeMeta, atom: Atom): string {
  if (typeof atom === 'number') return type.type === 'real' ? ovsReal(atom) : String(atom);
  if (typeof atom === 'boolean' || type.type === 'uuid') return String(atom);
  const needsQuotes = !/^[A-Za-z_][A-Za-z_.-]*$/.test(atom) || atom === 'true' || atom === 'false';
  return needsQuotes ? JSON.stringify(atom) : atom;
}
