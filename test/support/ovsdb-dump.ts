/**
 * `ovsdb-client --format=json dump` (OVS's own encoder) as an independent view of a
 * database, for comparing with what our client wrote or holds.
 */
import { run } from '@ovs-fleet/iproute';
import type { WireValue } from '@ovs-fleet/ovsdb';
import type { OvsdbTestServer } from './ovsdb-server';

export interface DumpTable {
  caption: string;
  headings: string[];
  data: WireValue[][];
}

/** Rows by table and uuid, each column as OVS encoded it. */
export type DumpedRows = Map<string, Map<string, Map<string, WireValue>>>;

/** One JSON object per table, captioned "<Table> table", keyed by table name. */
export async function dump(server: OvsdbTestServer, database: string): Promise<Map<string, DumpTable>> {
  const { stdout } = await run('ovsdb-client', ['--format=json', '--timeout=10', 'dump', server.unixRemote, database]);
  const tables = new Map<string, DumpTable>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const table = JSON.parse(line) as DumpTable;
    tables.set(table.caption.replace(/ table$/, ''), table);
  }
  return tables;
}

export function dumpedRows(tables: Map<string, DumpTable>): DumpedRows {
  const out: DumpedRows = new Map();
  for (const [name, table] of tables) {
    const rows = new Map<string, Map<string, WireValue>>();
    const uuidAt = table.headings.indexOf('_uuid');
    for (const values of table.data) rows.set((values[uuidAt] as ['uuid', string])[1], new Map(table.headings.map((heading, i) => [heading, values[i]])));
    out.set(name, rows);
  }
  return out;
}

/**
 * A wire value in one spelling, to compare OVS's JSON with another encoder's without
 * decoding either: a one-element set as its atom, set members and map pairs sorted.
 */
export function canonicalWire(wire: WireValue): string {
  if (Array.isArray(wire) && wire[0] === 'set') {
    const members = (wire[1] as WireValue[]).map((m) => JSON.stringify(m));
    return members.length === 1 ? members[0] : `set${JSON.stringify(members.sort())}`;
  }
  if (Array.isArray(wire) && wire[0] === 'map') return `map${JSON.stringify((wire[1] as WireValue[]).map((pair) => JSON.stringify(pair)).sort())}`;
  return JSON.stringify(wire);
}
