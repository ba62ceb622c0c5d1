import type { AtomicType, BaseType, ColumnSchema, ColumnType, DatabaseSchema, TableSchema, WireValue } from '../protocol/wire';
import { isId } from '../data/uuid';
import { OvsdbSchemaError } from './schema-error';
import type { Atom, BaseTypeMeta, ColumnMeta, ColumnTypeMeta, DatabaseMeta, TableMeta, ValueKind } from './types';

const ATOMIC_TYPES: ReadonlySet<string> = new Set(['integer', 'real', 'boolean', 'string', 'uuid']);

/** Parses a `.ovsschema` document (RFC 7047 3.2) into normalized, checked metadata. */
export function parseSchema(doc: DatabaseSchema): DatabaseMeta {
  if (typeof doc !== 'object' || doc === null) throw new OvsdbSchemaError('schema', 'must be a JSON object');
  if (!isId(doc.name)) throw new OvsdbSchemaError('schema', `name ${JSON.stringify(doc.name)} is not an <id>`);
  // OVS still accepts schemas without a version (deprecated); they get version "".
  if (doc.version !== undefined && (typeof doc.version !== 'string' || !/^\d+\.\d+\.\d+$/.test(doc.version))) {
    throw new OvsdbSchemaError(doc.name, `version ${JSON.stringify(doc.version)} is not "x.y.z"`);
  }
  if (typeof doc.tables !== 'object' || doc.tables === null) throw new OvsdbSchemaError(doc.name, 'tables must be an object');
  const tables = new Map<string, TableMeta>();
  const isRoot = (name: string): boolean => doc.tables[name]?.isRoot === true;
  for (const [name, table] of Object.entries(doc.tables)) tables.set(name, parseTable(name, table, isRoot));
  for (const table of tables.values()) checkReferences(table, tables);
  return { name: doc.name, version: doc.version ?? '', ...(doc.cksum === undefined ? {} : { cksum: doc.cksum }), tables };
}

function parseTable(name: string, table: TableSchema, isRoot: (table: string) => boolean): TableMeta {
  if (!isId(name) || name.startsWith('_')) throw new OvsdbSchemaError(name, 'table name must be an <id> not starting with "_"');
  if (typeof table?.columns !== 'object' || table.columns === null) throw new OvsdbSchemaError(name, 'columns must be an object');
  const columns: ColumnMeta[] = [];
  for (const [columnName, column] of Object.entries(table.columns)) columns.push(parseColumn(name, columnName, column, isRoot));
  const columnsByName = new Map(columns.map((c) => [c.name, c]));
  const indexes = (table.indexes ?? []).map((index) => {
    if (!Array.isArray(index) || index.length === 0) throw new OvsdbSchemaError(name, 'each index must be a non-empty array of column names');
    for (const column of index) {
      if (!columnsByName.has(column) && column !== '_uuid' && column !== '_version') {
        throw new OvsdbSchemaError(name, `index names unknown column ${JSON.stringify(column)}`);
      }
    }
    return [...index];
  });
  if (table.maxRows !== undefined && (!Number.isInteger(table.maxRows) || table.maxRows < 1)) {
    throw new OvsdbSchemaError(name, 'maxRows must be a positive integer');
  }
  return {
    name,
    columns,
    columnsByName,
    ...(table.maxRows === undefined ? {} : { maxRows: table.maxRows }),
    isRoot: table.isRoot === true,
    indexes,
  };
}

function parseColumn(table: string, name: string, column: ColumnSchema, isRoot: (table: string) => boolean): ColumnMeta {
  const where = `${table}.${name}`;
  // Names starting with "_" are reserved (RFC 7047 3.2); this also keeps "__proto__" out of row objects.
  if (!isId(name) || name.startsWith('_')) throw new OvsdbSchemaError(where, 'column name must be an <id> not starting with "_"');
  if (typeof column !== 'object' || column === null) throw new OvsdbSchemaError(where, 'column must be an object');
  const type = parseColumnType(column.type, where);
  const refs = [type.key, type.value].filter((base) => base?.refTable !== undefined) as BaseTypeMeta[];
  return {
    name,
    table,
    type,
    // As ovsdb-server does: a strong reference to a non-root table must persist (else the
    // referenced rows would vanish on restart), and a weak reference must stay mutable
    // (deleting the referenced row changes it).
    ephemeral: column.ephemeral === true && !refs.some((ref) => ref.refType === 'strong' && !isRoot(ref.refTable!)),
    mutable: column.mutable !== false || refs.some((ref) => ref.refType === 'weak'),
  };
}

/** Normalizes an RFC 7047 <type>: defaults min=1, max=1; "unlimited" becomes Infinity. */
export function parseColumnType(type: ColumnType, where = 'type'): ColumnTypeMeta {
  if (typeof type === 'string') return makeType(parseBaseType(type, where), undefined, 1, 1);
  if (typeof type !== 'object' || type === null) throw new OvsdbSchemaError(where, `invalid type ${JSON.stringify(type)}`);
  const key = parseBaseType(type.key, `${where} key`);
  const value = type.value === undefined ? undefined : parseBaseType(type.value, `${where} value`);
  const min = type.min ?? 1;
  const max = type.max === undefined ? 1 : type.max === 'unlimited' ? Infinity : type.max;
  if (min !== 0 && min !== 1) throw new OvsdbSchemaError(where, `min must be 0 or 1, not ${JSON.stringify(type.min)}`);
  if (!(max === Infinity || (Number.isInteger(max) && max >= 1)) || max < min) {
    throw new OvsdbSchemaError(where, `max must be a positive integer or "unlimited" and at least min, not ${JSON.stringify(type.max)}`);
  }
  return makeType(key, value, min, max);
}

function makeType(key: BaseTypeMeta, value: BaseTypeMeta | undefined, min: number, max: number): ColumnTypeMeta {
  const kind: ValueKind = value !== undefined ? 'map' : max > 1 ? 'set' : min === 0 ? 'optional' : 'atom';
  return value === undefined ? { key, min, max, kind } : { key, value, min, max, kind };
}

export function parseBaseType(base: AtomicType | BaseType, where = 'type'): BaseTypeMeta {
  if (typeof base === 'string') {
    if (!ATOMIC_TYPES.has(base)) throw new OvsdbSchemaError(where, `unknown atomic type ${JSON.stringify(base)}`);
    return { type: base };
  }
  if (typeof base !== 'object' || base === null || !ATOMIC_TYPES.has(base.type)) {
    throw new OvsdbSchemaError(where, `invalid base type ${JSON.stringify(base)}`);
  }
  const t = base.type;
  const meta: { -readonly [K in keyof BaseTypeMeta]: BaseTypeMeta[K] } = { type: t };
  if (base.enum !== undefined) meta.enum = parseEnum(t, base.enum, where);
  const allowed = (member: keyof BaseType, forType: AtomicType): boolean => {
    if (base[member] === undefined) return false;
    if (t !== forType) throw new OvsdbSchemaError(where, `${member} is not allowed on a ${t}`);
    return true;
  };
  if (allowed('minInteger', 'integer')) meta.minInteger = checkNumber(base.minInteger, where, 'minInteger', true);
  if (allowed('maxInteger', 'integer')) meta.maxInteger = checkNumber(base.maxInteger, where, 'maxInteger', true);
  if (allowed('minReal', 'real')) meta.minReal = checkNumber(base.minReal, where, 'minReal', false);
  if (allowed('maxReal', 'real')) meta.maxReal = checkNumber(base.maxReal, where, 'maxReal', false);
  if (allowed('minLength', 'string')) meta.minLength = checkLength(base.minLength, where, 'minLength');
  if (allowed('maxLength', 'string')) meta.maxLength = checkLength(base.maxLength, where, 'maxLength');
  if (allowed('refTable', 'uuid')) {
    if (!isId(base.refTable)) throw new OvsdbSchemaError(where, `refTable ${JSON.stringify(base.refTable)} is not an <id>`);
    meta.refTable = base.refTable;
    const refType = base.refType ?? 'strong';
    if (refType !== 'strong' && refType !== 'weak') throw new OvsdbSchemaError(where, `refType must be "strong" or "weak"`);
    meta.refType = refType;
  } else if (base.refType !== undefined) {
    throw new OvsdbSchemaError(where, 'refType needs refTable');
  }
  checkRange(meta.minInteger, meta.maxInteger, where, 'Integer');
  checkRange(meta.minReal, meta.maxReal, where, 'Real');
  checkRange(meta.minLength, meta.maxLength, where, 'Length');
  return meta;
}

function parseEnum(type: AtomicType, value: WireValue, where: string): ReadonlySet<Atom> {
  const members: unknown[] = Array.isArray(value) && value[0] === 'set' ? (value[1] as unknown[]) : [value];
  if (!Array.isArray(members) || members.length === 0) throw new OvsdbSchemaError(where, 'enum must not be empty');
  return new Set(members.map((member) => parseEnumAtom(type, member, where)));
}

function parseEnumAtom(type: AtomicType, member: unknown, where: string): Atom {
  const ok =
    (type === 'string' && typeof member === 'string') ||
    (type === 'boolean' && typeof member === 'boolean') ||
    (type === 'integer' && Number.isInteger(member)) ||
    (type === 'real' && typeof member === 'number');
  if (ok) return member as Atom;
  if (type === 'uuid' && Array.isArray(member) && member[0] === 'uuid' && typeof member[1] === 'string') return member[1];
  throw new OvsdbSchemaError(where, `enum member ${JSON.stringify(member)} is not a ${type}`);
}

function checkNumber(value: unknown, where: string, member: string, integer: boolean): number {
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
    throw new OvsdbSchemaError(where, `${member} must be ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

function checkLength(value: unknown, where: string, member: string): number {
  const length = checkNumber(value, where, member, true);
  if (length < 0 || length > 0xffffffff) throw new OvsdbSchemaError(where, `${member} out of valid range 0 to 4294967295`);
  return length;
}

function checkRange(min: number | undefined, max: number | undefined, where: string, what: string): void {
  if (min !== undefined && max !== undefined && min > max) throw new OvsdbSchemaError(where, `min${what} > max${what}`);
}

function checkReferences(table: TableMeta, tables: ReadonlyMap<string, TableMeta>): void {
  for (const column of table.columns) {
    for (const base of [column.type.key, column.type.value]) {
      if (base?.refTable !== undefined && !tables.has(base.refTable)) {
        throw new OvsdbSchemaError(`${table.name}.${column.name}`, `refTable ${base.refTable} is not a table of this schema`);
      }
    }
  }
}
