import { parseSchema, type ColumnType, type ColumnTypeMeta } from '@ovs-fleet/ovsdb';

/** A column type parsed by libs/ovsdb, through its public API (a one-column schema). */
export function columnType(type: ColumnType): ColumnTypeMeta {
  return parseSchema({ name: 't', version: '1.0.0', tables: { T: { columns: { c: { type } } } } }).tables.get('T')!.columnsByName.get('c')!.type;
}
