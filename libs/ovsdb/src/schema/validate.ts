import { NamedUuid, isUuid } from '../data/uuid';
import type { WritableRow, WritableValue } from '../data/typed-value';
import { describeType, toOvsdbReal } from '../data/codec';
import type { BaseTypeMeta, ColumnMeta, TableMeta } from './types';
import { describeValue, OvsdbValidationError } from './validation-error';

export interface ValidationOptions {
  /**
   * The rows inserted earlier in the same transaction: uuid-name → table. When given,
   * a named-uuid must be declared here and, in a column with refTable, name a row of that table.
   */
  readonly namedUuids?: ReadonlyMap<string, string>;
  /** The row is for an `update`: columns declared `"mutable": false` may not appear. */
  readonly update?: boolean;
}

/**
 * Checks a typed value against its column: shape, atom types, enums, integer/real ranges,
 * string lengths, set/map sizes, duplicate members, uuid syntax and named-uuid targets.
 * Throws OvsdbValidationError naming `Table.column` and the offending value.
 */
export function validateValue(column: ColumnMeta, value: WritableValue, options: ValidationOptions = {}): void {
  // Hot path (every value of every transaction): no closures or strings unless it fails.
  const type = column.type;
  switch (type.kind) {
    case 'atom':
      checkAtom(type.key, value, column, '', options);
      return;
    case 'optional':
      if (value !== null) checkAtom(type.key, value, column, '', options);
      return;
    case 'set': {
      if (!Array.isArray(value)) throw valueError(column, '', value, `is not a ${describeType(type)}`);
      const members = value as readonly unknown[];
      checkSize(members.length, type.min, type.max, value, column);
      if (members.length === 1) {
        checkAtom(type.key, members[0], column, '', options);
        return;
      }
      const seen = new Set<unknown>();
      const real = type.key.type === 'real';
      for (const member of members) {
        checkAtom(type.key, member, column, '', options);
        // Reals as ovsdb-server sends them: two that differ only beyond 15 digits come back equal.
        const identity = member instanceof NamedUuid ? `named:${member.namedUuid}` : real ? toOvsdbReal(member as number) : member;
        if (seen.has(identity)) throw valueError(column, '', value, `contains ${describeValue(member)} twice${real ? ' (reals are sent with 15 significant digits)' : ''}`);
        seen.add(identity);
      }
      return;
    }
    case 'map': {
      if (!(value instanceof Map)) throw valueError(column, '', value, `is not a ${describeType(type)}`);
      checkSize(value.size, type.min, type.max, value, column);
      const realKeys = type.key.type === 'real' ? new Set<number>() : undefined;
      for (const [k, v] of value as ReadonlyMap<unknown, unknown>) {
        checkAtom(type.key, k, column, ' key', options);
        checkAtom(type.value!, v, column, ' value', options);
        if (realKeys?.has(toOvsdbReal(k as number))) throw valueError(column, '', value, `has key ${describeValue(k)} twice (reals are sent with 15 significant digits)`);
        realKeys?.add(toOvsdbReal(k as number));
      }
      return;
    }
  }
}

/** The error for `column` (`part`: '' for the value, ' key' or ' value' for a map's). */
function valueError(column: ColumnMeta, part: string, offending: unknown, reason: string): OvsdbValidationError {
  return new OvsdbValidationError(`${column.table}.${column.name}${part}`, offending, reason);
}

/**
 * Checks every column of a row meant for `insert` or `update`: unknown columns, read-only
 * columns (`_uuid`, `_version`, and immutable ones on update) and each value.
 */
export function validateRow<R extends WritableRow<R>>(table: TableMeta, row: R, options: ValidationOptions = {}): void {
  const values = row as Readonly<Record<string, WritableValue | undefined>>;
  for (const name of Object.keys(values)) {
    const value = values[name];
    if (value !== undefined) validateColumnValue(table, name, value, options);
  }
}

/** validateRow for one column of a row: returns the column (so a caller encoding the row looks it up once). */
export function validateColumnValue(table: TableMeta, name: string, value: WritableValue, options: ValidationOptions): ColumnMeta {
  const column = table.columnsByName.get(name);
  if (column === undefined) {
    throw new OvsdbValidationError(`${table.name}.${name}`, value, `is not allowed: ${table.name} has no column ${JSON.stringify(name)}`);
  }
  if (options.update === true && !column.mutable) {
    throw new OvsdbValidationError(`${table.name}.${name}`, value, 'cannot be set: the column is immutable once the row exists');
  }
  validateValue(column, value, options);
  return column;
}

function checkSize(size: number, min: number, max: number, value: unknown, column: ColumnMeta): void {
  if (size < min) throw valueError(column, '', value, `has ${size} elements, at least ${min} required`);
  if (size > max) throw valueError(column, '', value, `has ${size} elements, at most ${max} allowed`);
}

function checkAtom(base: BaseTypeMeta, atom: unknown, column: ColumnMeta, part: string, options: ValidationOptions): void {
  switch (base.type) {
    case 'string':
      if (typeof atom !== 'string') throw valueError(column, part, atom, 'is not a string');
      if (base.minLength !== undefined || base.maxLength !== undefined) failIf(lengthProblem(base, atom), column, part, atom);
      break;
    case 'integer':
      if (typeof atom !== 'number' || !Number.isInteger(atom)) throw valueError(column, part, atom, 'is not an integer');
      if (!Number.isSafeInteger(atom)) throw valueError(column, part, atom, 'is outside the range of integers a JavaScript number holds exactly (2^53)');
      if (base.minInteger !== undefined && atom < base.minInteger) throw valueError(column, part, atom, `is less than the minimum ${base.minInteger}`);
      if (base.maxInteger !== undefined && atom > base.maxInteger) throw valueError(column, part, atom, `is greater than the maximum ${base.maxInteger}`);
      break;
    case 'real':
      if (typeof atom !== 'number' || !Number.isFinite(atom)) throw valueError(column, part, atom, 'is not a finite real number');
      failIf(ovsdbRealProblem(atom), column, part, atom);
      if (base.minReal !== undefined && atom < base.minReal) throw valueError(column, part, atom, `is less than the minimum ${base.minReal}`);
      if (base.maxReal !== undefined && atom > base.maxReal) throw valueError(column, part, atom, `is greater than the maximum ${base.maxReal}`);
      break;
    case 'boolean':
      if (typeof atom !== 'boolean') throw valueError(column, part, atom, 'is not a boolean');
      break;
    case 'uuid':
      if (atom instanceof NamedUuid) {
        if (options.namedUuids !== undefined) failIf(namedUuidProblem(base, atom, options.namedUuids), column, part, atom);
        return;
      }
      if (!isUuid(atom)) throw valueError(column, part, atom, 'is not a uuid (36 characters like 5d1e2f3a-...) or a named-uuid');
      break;
  }
  if (base.enum !== undefined && !base.enum.has(atom as string | number | boolean)) {
    throw valueError(column, part, atom, `is not one of ${[...base.enum].map((member) => describeValue(member)).join(', ')}`);
  }
}

/** Throws the error for `atom` when a check found a problem (checks return a reason, so that passing ones build nothing). */
function failIf(reason: string | undefined, column: ColumnMeta, part: string, atom: unknown): void {
  if (reason !== undefined) throw valueError(column, part, atom, reason);
}

/** The smallest positive normal double (C's DBL_MIN). */
const MIN_NORMAL_REAL = 2.2250738585072014e-308;

/**
 * ovsdb-server's JSON parser refuses subnormal and out-of-range numbers (strtod's ERANGE),
 * dropping the whole connection, and it sends reals printed with 15 significant digits
 * (`%.15g`): a real whose 15-digit form is out of range or subnormal (e.g. the largest
 * double, or DBL_MIN) would be stored, then be unreadable by every OVS client it reaches.
 */
function ovsdbRealProblem(real: number): string | undefined {
  const printed = Math.abs(toOvsdbReal(real));
  if (printed === Infinity) return 'is too large for ovsdb-server, which sends reals with 15 significant digits';
  if (printed !== 0 && printed < MIN_NORMAL_REAL) return 'is too small for ovsdb-server (a subnormal number once printed with 15 significant digits)';
  return undefined;
}

function lengthProblem(base: BaseTypeMeta, text: string): string | undefined {
  if (base.minLength === undefined && base.maxLength === undefined) return undefined;
  // OVSDB counts characters (code points), not UTF-16 units.
  let length = 0;
  for (const _ of text) length++;
  if (base.minLength !== undefined && length < base.minLength) return `is shorter than ${base.minLength} characters`;
  if (base.maxLength !== undefined && length > base.maxLength) return `is longer than ${base.maxLength} characters`;
  return undefined;
}

function namedUuidProblem(base: BaseTypeMeta, atom: NamedUuid, namedUuids: ReadonlyMap<string, string>): string | undefined {
  const table = namedUuids.get(atom.namedUuid);
  if (table === undefined) return 'names no row inserted earlier in this transaction';
  if (base.refTable !== undefined && table !== base.refTable) return `names a row of ${table}, but the column refers to ${base.refTable}`;
  return undefined;
}
