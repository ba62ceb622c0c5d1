import type { WireRow } from '../protocol/wire';
import type { TableMeta } from '../schema/types';
import { validateRow, type ValidationOptions } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';
import { columnCodec } from './codec';
import type { TypedRow, TypedValue, WritableRow, WritableValue } from './typed-value';

/**
 * Validates a row for `insert`/`update` and encodes it for the wire (RFC 7047 5.1).
 * Columns holding `undefined` are left out.
 */
export function encodeRow<R extends WritableRow<R>>(table: TableMeta, row: R, options: ValidationOptions = {}): WireRow {
  validateRow(table, row, options);
  const values = row as Readonly<Record<string, WritableValue | undefined>>;
  const wire: WireRow = {};
  for (const name of Object.keys(values)) {
    const value = values[name];
    if (value !== undefined) wire[name] = columnCodec(table.columnsByName.get(name)!).encode(value);
  }
  return wire;
}

/**
 * The columns of `desired` whose values differ from `actual` (a row as the replica holds
 * it): what an `update` must set to converge. Sets compare without order, maps by content.
 */
export function changedColumns<R extends TypedRow<R>>(table: TableMeta, actual: object, desired: R): Partial<R> {
  const current = actual as Readonly<Record<string, TypedValue>>;
  const wanted = desired as Readonly<Record<string, TypedValue | undefined>>;
  const changes: Record<string, TypedValue> = {};
  for (const name of Object.keys(wanted)) {
    const value = wanted[name];
    if (value === undefined) continue;
    const column = table.columnsByName.get(name);
    if (column === undefined) throw new OvsdbValidationError(`${table.name}.${name}`, value, `is not allowed: ${table.name} has no column ${JSON.stringify(name)}`);
    if (!columnCodec(column).equals(current[name], value)) changes[name] = value;
  }
  return changes as Partial<R>;
}
