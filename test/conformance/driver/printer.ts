/** print_idl / print_row / mock_notify of tests/test-ovsdb.py over our replica. */
import type { ChangeEvent, DatabaseMeta, Replica, ReplicaRow, TableMeta } from '@ovs-fleet/ovsdb';
import { simpleRowString, type RowLookup } from './python-format';
import type { Registration } from './registration';

const SIMPLE_COLUMNS = ['i', 'r', 'b', 's', 'u', 'ia', 'ra', 'ba', 'sa', 'ua'];
const COLUMNS: Record<string, readonly string[]> = {
  simple: SIMPLE_COLUMNS,
  simple2: ['name', 'smap', 'imap'],
  simple3: ['name', 'uset', 'uref'],
  simple4: ['name'],
  simple5: ['name', 'irefmap'],
  simple6: ['name', 'weak_ref'],
};
const PRINT_ORDER = ['simple', 'simple2', 'simple3', 'simple4', 'simple5', 'simple6', 'link1', 'link2', 'singleton'];

export const pad = (step: number): string => String(step).padStart(3, '0');

export class IdlPrinter {
  readonly lookup: RowLookup;
  /** Per row uuid, the columns fetched into it (Row.fetch puts them into the row's _data). */
  private readonly fetched = new Map<string, Set<string>>();

  constructor(
    private readonly replica: Replica,
    private readonly registration: Registration,
    private readonly out: (line: string) => void,
  ) {
    this.lookup = (table, uuid) => (this.registration.tables.has(table) ? this.replica.get(table, uuid) : undefined);
  }

  markFetched(uuid: string, column: string): void {
    const columns = this.fetched.get(uuid) ?? new Set<string>();
    columns.add(column);
    this.fetched.set(uuid, columns);
  }

  printIdl(step: number, terse = false): void {
    let n = 0;
    for (const name of PRINT_ORDER) {
      if (!this.registration.tables.has(name)) continue;
      const meta = this.replica.schema.tables.get(name)!;
      for (const row of this.replica.table(name).values()) {
        if (terse) this.out(`${pad(step)}: table ${name}`);
        else this.out(`${pad(step)}: table ${name}: ${this.contents(meta, row)} ${simpleRowString(meta, row, ['uuid'], this.lookup)}`);
        n++;
      }
    }
    if (n === 0) this.out(`${pad(step)}: empty`);
  }

  /** mock_notify: one line per row change while track-notify is on (`schema`: the replica's, or _Server's). */
  printNotify(step: number, event: ChangeEvent, schema: DatabaseMeta = this.replica.schema): void {
    const meta = schema.tables.get(event.table)!;
    const row = (event.new ?? event.old)!;
    const kind = event.type === 'insert' ? 'create' : event.type === 'modify' ? 'update' : 'delete';
    let output = `${pad(step)}: event:${kind}, row={${this.simple(meta, row, [...SIMPLE_COLUMNS, 'l2', 'l1'])}}, ${simpleRowString(meta, row, ['uuid'], this.lookup)}, updates=`;
    if (event.type === 'modify') output += `{${this.simple(meta, oldValuesOfChanged(meta, event.old, event.new), SIMPLE_COLUMNS)}}`;
    else output += 'None';
    this.out(output);
  }

  private simple(meta: TableMeta, row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
    return simpleRowString(meta, row, columns, this.lookup, this.columnsOf(meta.name, row._uuid));
  }

  /** The columns the row's _data holds: the monitored ones plus any fetched into it (undefined: all). */
  private columnsOf(table: string, uuid: unknown): ReadonlySet<string> | undefined {
    const monitored = this.registration.columns.get(table);
    const fetched = typeof uuid === 'string' ? this.fetched.get(uuid) : undefined;
    if (monitored === undefined || fetched === undefined) return monitored;
    return new Set([...monitored, ...fetched]);
  }

  private contents(meta: TableMeta, row: ReplicaRow): string {
    const columns = COLUMNS[meta.name];
    if (columns) return this.simple(meta, row, columns);
    const ref = (table: string, uuid: unknown): ReplicaRow | undefined => (typeof uuid === 'string' ? this.lookup(table, uuid) : undefined);
    if (meta.name === 'link1') {
      const k = ref('link1', row.k);
      const ka = (row.ka as readonly string[])
        .map((uuid) => ref('link1', uuid))
        .filter((r): r is ReplicaRow => r !== undefined)
        .map((r) => String(r.i))
        .sort();
      const l2 = row.l2 === null ? undefined : ref('link2', row.l2);
      return `i=${String(row.i)} k=${k ? String(k.i) : ''} ka=[${ka.join(' ')}] l2=${l2 ? String(l2.i) : ''}`;
    }
    if (meta.name === 'link2') {
      const l1 = row.l1 === null ? undefined : ref('link1', row.l1);
      return `i=${String(row.i)} l1=${l1 ? String(l1.i) : ''}`;
    }
    return `name=${String(row.name)}`;
  }
}

/** The `updates` row of a modify notice: the old values of the columns that changed, nothing else. */
export function oldValuesOfChanged(meta: TableMeta, old: ReplicaRow, next: ReplicaRow): Record<string, unknown> {
  const out: Record<string, unknown> = { _uuid: old._uuid };
  for (const column of meta.columns) if (old[column.name] !== next[column.name]) out[column.name] = old[column.name];
  return out;
}
