import type { WireRow } from '../protocol/wire';
import type { TableMeta } from '../schema/types';
import { validateRow, type ValidationOptions } from '../schema/validate';
import { columnCodec } from './codec';
import type { WritableRow, WritableValue } from './typed-value';

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
