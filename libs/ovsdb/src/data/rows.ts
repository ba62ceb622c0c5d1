import type { WireRow } from '../protocol/wire';
import type { TableMeta } from '../schema/types';
import { validateRow, type ValidationOptions } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';
import { columnCodec } from './codec';
import type { TypedValue, WritableValue } from './typed-value';

/**
 * Validates a row for `insert`/`update` and encodes it for the wire (RFC 7047 5.1).
 * Columns holding `undefined` are left out.
 */
export function encodeRow(table: TableMeta, row: Readonly<Record<string, WritableValue | undefined>>, options: ValidationOptions = {}): WireRow {
  validateRow(table, row, options);
  const wire: WireRow = {};
  for (const name of Object.keys(row)) {
    const value = row[name];
    if (value !== undefined) wire[name] = columnCodec(table.columnsByName.get(name)!).encode(value);
  }
  return wire;
}

/**
 * The columns of `desired` whose values differ from `actual` (a row as the replica holds
 * it): what an `update` must set to converge. Sets compare without order, maps by content.
 */
export function changedColumns(
  table: TableMeta,
  actual: Readonly<Record<string, TypedValue>>,
  desired: Readonly<Record<string, TypedValue | undefined>>,
): Record<string, TypedValue> {
  const changes: Record<string, TypedValue> = {};
  for (const name of Object.keys(desired)) {
    const value = desired[name];
    if (value === undefined) continue;
    const column = table.columnsByName.get(name);
    if (column === undefined) throw new OvsdbValidationError(`${table.name}.${name}`, value, `is not allowed: ${table.name} has no column ${JSON.stringify(name)}`);
    if (!columnCodec(column).equals(actual[name], value)) changes[name] = value;
  }
  return changes;
}
