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
  const field = `${column.table}.${column.name}`;
  const type = column.type;
  const fail = (offending: unknown, reason: string): never => {
    throw new OvsdbValidationError(field, offending, reason);
  };
  switch (type.kind) {
    case 'atom':
      checkAtom(type.key, value, field, options);
      return;
    case 'optional':
      if (value !== null) checkAtom(type.key, value, field, options);
      return;
    case 'set': {
      if (!Array.isArray(value)) return fail(value, `is not a ${describeType(type)}`);
      const members = value as readonly unknown[];
      checkSize(members.length, type.min, type.max, value, field);
      const seen = new Set<unknown>();
      const real = type.key.type === 'real';
      for (const member of members) {
        checkAtom(type.key, member, field, options);
        // Reals as ovsdb-server sends them: two that differ only beyond 15 digits come back equal.
        const identity = member instanceof NamedUuid ? `named:${member.namedUuid}` : real ? toOvsdbReal(member as number) : member;
        if (seen.has(identity)) fail(value, `contains ${describeValue(member)} twice${real ? ' (reals are sent with 15 significant digits)' : ''}`);
        seen.add(identity);
      }
      return;
    }
    case 'map': {
      if (!(value instanceof Map)) return fail(value, `is not a ${describeType(type)}`);
      checkSize(value.size, type.min, type.max, value, field);
      const realKeys = type.key.type === 'real' ? new Set<number>() : undefined;
      for (const [k, v] of value as ReadonlyMap<unknown, unknown>) {
        checkAtom(type.key, k, `${field} key`, options);
        checkAtom(type.value!, v, `${field} value`, options);
        if (realKeys?.has(toOvsdbReal(k as number))) fail(value, `has key ${describeValue(k)} twice (reals are sent with 15 significant digits)`);
        realKeys?.add(toOvsdbReal(k as number));
      }
      return;
    }
  }
}

/**
 * Checks every column of a row meant for `insert` or `update`: unknown columns, read-only
 * columns (`_uuid`, `_version`, and immutable ones on update) and each value.
 */
export function validateRow<R extends WritableRow<R>>(table: TableMeta, row: R, options: ValidationOptions = {}): void {
  const values = row as Readonly<Record<string, WritableValue | undefined>>;
  for (const name of Object.keys(values)) {
    const value = values[name];
    if (value === undefined) continue;
    const column = table.columnsByName.get(name);
    if (column === undefined) {
      throw new OvsdbValidationError(`${table.name}.${name}`, value, `is not allowed: ${table.name} has no column ${JSON.stringify(name)}`);
    }
    if (options.update === true && !column.mutable) {
      throw new OvsdbValidationError(`${table.name}.${name}`, value, 'cannot be set: the column is immutable once the row exists');
    }
    validateValue(column, value, options);
  }
}

function checkSize(size: number, min: number, max: number, value: unknown, field: string): void {
  if (size < min) throw new OvsdbValidationError(field, value, `has ${size} elements, at least ${min} required`);
  if (size > max) throw new OvsdbValidationError(field, value, `has ${size} elements, at most ${max} allowed`);
}

function checkAtom(base: BaseTypeMeta, atom: unknown, field: string, options: ValidationOptions): void {
  const fail = (reason: string): never => {
    throw new OvsdbValidationError(field, atom, reason);
  };
  switch (base.type) {
    case 'string':
      if (typeof atom !== 'string') fail('is not a string');
      checkLength(base, atom as string, fail);
      break;
    case 'integer':
      if (typeof atom !== 'number' || !Number.isInteger(atom)) fail('is not an integer');
      if (!Number.isSafeInteger(atom)) fail('is outside the range of integers a JavaScript number holds exactly (2^53)');
      if (base.minInteger !== undefined && (atom as number) < base.minInteger) fail(`is less than the minimum ${base.minInteger}`);
      if (base.maxInteger !== undefined && (atom as number) > base.maxInteger) fail(`is greater than the maximum ${base.maxInteger}`);
      break;
    case 'real':
      if (typeof atom !== 'number' || !Number.isFinite(atom)) fail('is not a finite real number');
      checkOvsdbReal(atom as number, fail);
      if (base.minReal !== undefined && (atom as number) < base.minReal) fail(`is less than the minimum ${base.minReal}`);
      if (base.maxReal !== undefined && (atom as number) > base.maxReal) fail(`is greater than the maximum ${base.maxReal}`);
      break;
    case 'boolean':
      if (typeof atom !== 'boolean') fail('is not a boolean');
      break;
    case 'uuid':
      if (atom instanceof NamedUuid) {
        checkNamedUuid(base, atom, options, fail);
        return;
      }
      if (!isUuid(atom)) fail('is not a uuid (36 characters like 5d1e2f3a-...) or a named-uuid');
      break;
  }
  if (base.enum !== undefined && !base.enum.has(atom as string | number | boolean)) {
    fail(`is not one of ${[...base.enum].map((member) => describeValue(member)).join(', ')}`);
  }
}

/** The smallest positive normal double (C's DBL_MIN). */
const MIN_NORMAL_REAL = 2.2250738585072014e-308;

/**
 * ovsdb-server's JSON parser refuses subnormal and out-of-range numbers (strtod's ERANGE),
 * dropping the whole connection, and it sends reals printed with 15 significant digits
 * (`%.15g`): a real whose 15-digit form is out of range or subnormal (e.g. the largest
 * double, or DBL_MIN) would be stored, then be unreadable by every OVS client it reaches.
 */
function checkOvsdbReal(real: number, fail: (reason: string) => never): void {
  const printed = Math.abs(toOvsdbReal(real));
  if (printed === Infinity) fail('is too large for ovsdb-server, which sends reals with 15 significant digits');
  if (printed !== 0 && printed < MIN_NORMAL_REAL) fail('is too small for ovsdb-server (a subnormal number once printed with 15 significant digits)');
}

function checkLength(base: BaseTypeMeta, text: string, fail: (reason: string) => never): void {
  if (base.minLength === undefined && base.maxLength === undefined) return;
  // OVSDB counts characters (code points), not UTF-16 units.
  let length = 0;
  for (const _ of text) length++;
  if (base.minLength !== undefined && length < base.minLength) fail(`is shorter than ${base.minLength} characters`);
  if (base.maxLength !== undefined && length > base.maxLength) fail(`is longer than ${base.maxLength} characters`);
}

function checkNamedUuid(base: BaseTypeMeta, atom: NamedUuid, options: ValidationOptions, fail: (reason: string) => never): void {
  const namedUuids = options.namedUuids;
  if (namedUuids === undefined) return;
  const table = namedUuids.get(atom.namedUuid);
  if (table === undefined) fail('names no row inserted earlier in this transaction');
  if (base.refTable !== undefined && table !== base.refTable) fail(`names a row of ${table}, but the column refers to ${base.refTable}`);
}
