import type { WireRow } from '../protocol/wire';
import type { TableMeta } from '../schema/types';
import { validateColumnValue, type ValidationOptions } from '../schema/validate';
import { columnCodec } from './codec';
import type { WritableRow, WritableValue } from './typed-value';

/**
 * Validates a row for `insert`/`update` and encodes it for the wire (RFC 7047 5.1).
 * Columns holding `undefined` are left out.
 */
export function encodeRow<R extends WritableRow<R>>(table: TableMeta, row: R, options: ValidationOptions = {}): WireRow {
  const values = row as Readonly<Record<string, WritableValue | undefined>>;
  const wire: WireRow = {};
  // One pass, one column lookup each: validation is stricter than the encoder's shape
  // checks, so the first bad column (in key order) fails as it did when all were validated first.
  for (const name of Object.keys(values)) {
    const value = values[name];
    if (value !== undefined) wire[name] = columnCodec(validateColumnValue(table, name, value, options)).encode(value);
  }
  return wire;
}
