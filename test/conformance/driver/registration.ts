/** The `?TABLE:COL,COL!?TABLE:...` argument of test-ovsdb.py idl (SchemaHelper.register_columns). */
import type { DatabaseSchema } from '@ovs-fleet/ovsdb';

/** What the IDL replicates: tables and, per table, the monitored columns (undefined: all). */
export interface Registration {
  readonly tables: ReadonlySet<string>;
  /** Monitored columns per registered table; absent: all columns (register_all). */
  readonly columns: ReadonlyMap<string, ReadonlySet<string>>;
  /** Columns registered read-only (`!`): known, but not monitored (Python's IDL leaves them out of the monitor request). */
  readonly readonly: ReadonlyMap<string, ReadonlySet<string>>;
}

export function registerAll(schema: DatabaseSchema): Registration {
  return { tables: new Set(Object.keys(schema.tables)), columns: new Map(), readonly: new Map() };
}

export function parseRegistration(spec: string): Registration {
  const tables = new Set<string>();
  const columns = new Map<string, Set<string>>();
  const readonly = new Map<string, Set<string>>();
  for (const part of spec.slice(1).split('?')) {
    const [table, list] = part.split(':');
    tables.add(table);
    const monitored = new Set<string>();
    const ro = new Set<string>();
    for (const column of list.split(',')) {
      if (column.endsWith('!')) ro.add(column.slice(0, -1));
      else monitored.add(column);
    }
    columns.set(table, monitored);
    readonly.set(table, ro);
  }
  return { tables, columns, readonly };
}
