/**
 * Every column of the Open_vSwitch schema round-trips through a real ovsdb-server.
 *
 * Tables and columns come from the schema at run time, so a new column is covered without
 * edits. Each round replaces the database contents in one IDL transaction: every root row
 * is deleted, and rows of every table are inserted with every column written (immutable
 * ones included: they are written at insert, which OVSDB allows), references given as
 * named-uuids of rows inserted in the same transaction. What the server holds is then read
 * back twice, independently: (a) the OvsdbIdl replica, compared with `valuesEqual`, and
 * (b) `ovsdb-client --format=json dump` (OVS's own encoder), decoded with our codec.
 *
 * Deterministic rounds write each column's corner cases (see test/support/column-values.ts),
 * and a coverage check proves every case was written; seeded fast-check rounds add variety.
 */
import fc from 'fast-check';
import { run } from '@ovs-fleet/iproute';
import { columnCodec, valuesEqual, type TypedValue, type WritableValue } from '@ovs-fleet/ovsdb/data';
import { OvsdbIdl } from '@ovs-fleet/ovsdb/idl';
import type { InsertHandle } from '@ovs-fleet/ovsdb/idl';
import type { DatabaseSchema, WireValue } from '@ovs-fleet/ovsdb/protocol/wire';
import type { Replica, ReplicaRow } from '@ovs-fleet/ovsdb/replica';
import { parseSchema, type ColumnMeta, type DatabaseMeta } from '@ovs-fleet/ovsdb/schema';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/schemas/generated/open-vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';
import { TRICKY_STRING } from '../support/column-values';
import { edgePlans, planCases, randomPlan, resolveValue, RowRef, rowKey, type PlanAtom, type PlannedRow, type PlanValue } from '../support/row-plan';

const SEED = 20261122;
const RANDOM_ROUNDS = 12;

interface DumpTable {
  caption: string;
  headings: string[];
  data: WireValue[][];
}

/** `ovsdb-client --format=json dump`: one JSON object per table, captioned "<Table> table". */
async function dump(server: OvsdbTestServer, database: string): Promise<Map<string, DumpTable>> {
  const { stdout } = await run('ovsdb-client', ['--format=json', '--timeout=10', 'dump', server.unixRemote, database]);
  const tables = new Map<string, DumpTable>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const table = JSON.parse(line) as DumpTable;
    tables.set(table.caption.replace(/ table$/, ''), table);
  }
  return tables;
}

/** Dumped rows by table and uuid, each column still as OVS encoded it. */
function dumpedRows(tables: Map<string, DumpTable>): Map<string, Map<string, Map<string, WireValue>>> {
  const out = new Map<string, Map<string, Map<string, WireValue>>>();
  for (const [name, table] of tables) {
    const rows = new Map<string, Map<string, WireValue>>();
    const uuidAt = table.headings.indexOf('_uuid');
    for (const values of table.data) rows.set((values[uuidAt] as ['uuid', string])[1], new Map(table.headings.map((heading, i) => [heading, values[i]])));
    out.set(name, rows);
  }
  return out;
}

const show = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? { map: [...(v as Map<unknown, unknown>)] } : v instanceof RowRef ? v.key : v));

/** Which of a column's cases a written value exercises: size classes, null/value, corner atoms. */
function labels(column: ColumnMeta, value: PlanValue): string[] {
  const atom = (a: PlanAtom): string => (a instanceof RowRef ? 'reference' : `${typeof a} ${show(a)}`);
  const size = (n: number): string => (n === 0 ? 'empty' : n === 1 ? 'one element' : 'several elements');
  switch (column.type.kind) {
    case 'atom':
      return [atom(value as PlanAtom)];
    case 'optional':
      return value === null ? ['null'] : ['present', atom(value as PlanAtom)];
    case 'set': {
      const members = value as readonly PlanAtom[];
      return [size(members.length), ...members.map(atom)];
    }
    case 'map': {
      const pairs = [...(value as ReadonlyMap<PlanAtom, PlanAtom>)];
      return [size(pairs.length), ...pairs.flatMap(([k, v]) => [`key ${atom(k)}`, `value ${atom(v)}`])];
    }
  }
}

const BARE_ATOM = 'one-element set read as a bare atom from ovsdb-client';

/** Cases each column must have been written with (and, for sets, seen as a bare atom in a dump). */
class Coverage {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly schema: DatabaseMeta) {}

  record(column: ColumnMeta, label: string): void {
    const field = `${column.table}.${column.name}`;
    let set = this.seen.get(field);
    if (set === undefined) this.seen.set(field, (set = new Set()));
    set.add(label);
  }

  /** "Table.column: label" for every required case that no round wrote. */
  missing(): string[] {
    const out: string[] = [];
    for (const table of this.schema.tables.values()) {
      for (const column of table.columns) {
        const required = new Set((planCases(this.schema, column) ?? []).flatMap((value) => labels(column, value)));
        if (column.type.kind === 'set') required.add(BARE_ATOM);
        const seen = this.seen.get(`${table.name}.${column.name}`) ?? new Set();
        for (const label of required) if (!seen.has(label)) out.push(`${table.name}.${column.name}: ${label}`);
      }
    }
    return out;
  }
}

/**
 * Replaces the database contents with the plan: one transaction deletes every row (all
 * tables at once, so references between them do not block it), one IDL transaction inserts
 * the plan. Returns each planned row's uuid.
 */
async function writePlan(idl: OvsdbIdl, schema: DatabaseMeta, plan: readonly PlannedRow[]): Promise<Map<string, string>> {
  await idl.transact([...schema.tables.keys()].map((table) => ({ op: 'delete' as const, table, where: [] })));
  const txn = idl.transaction();
  const handles = new Map<string, InsertHandle>();
  const hasRefs = (column: ColumnMeta): boolean => column.type.key.refTable !== undefined || column.type.value?.refTable !== undefined;
  // Columns without references first (immutable ones must be written at insert), then the
  // references, once every row of the transaction has its named-uuid.
  for (const row of plan) {
    const values = Object.fromEntries(row.table.columns.filter((c) => !hasRefs(c)).map((c) => [c.name, row.values.get(c.name) as WritableValue]));
    handles.set(rowKey(row), txn.insert(row.table.name, values));
  }
  for (const row of plan) {
    const refs = row.table.columns.filter(hasRefs).map((c) => [c.name, resolveValue(row.values.get(c.name)!, (ref) => handles.get(ref.key)!.ref) as WritableValue]);
    if (refs.length > 0) txn.update(row.table.name, handles.get(rowKey(row))!, Object.fromEntries(refs));
  }
  const result = await txn.commit();
  if (result.status !== 'success') throw new Error(`round not committed: ${result.status} ${result.error ?? ''} ${result.details ?? ''}`);
  return new Map([...handles].map(([key, handle]) => [key, result.inserted.get(handle.name)!]));
}

/**
 * Differences between what was written and what (a) the replica and (b) ovsdb-client dump
 * hold, as readable lines (empty: identical). Also checks that no other rows exist.
 */
async function readBack(server: OvsdbTestServer, replica: Replica, schema: DatabaseMeta, plan: readonly PlannedRow[], uuids: Map<string, string>, coverage: Coverage): Promise<string[]> {
  const out: string[] = [];
  const dumped = dumpedRows(await dump(server, schema.name));
  for (const table of schema.tables.values()) {
    const planned = plan.filter((row) => row.table.name === table.name).length;
    if (replica.table(table.name).size !== planned) out.push(`${table.name}: replica has ${replica.table(table.name).size} rows, ${planned} written`);
    if ((dumped.get(table.name)?.size ?? 0) !== planned) out.push(`${table.name}: dump has ${dumped.get(table.name)?.size ?? 0} rows, ${planned} written`);
  }
  for (const row of plan) {
    const uuid = uuids.get(rowKey(row))!;
    const inReplica: ReplicaRow | undefined = replica.get(row.table.name, uuid);
    const inDump = dumped.get(row.table.name)?.get(uuid);
    if (inReplica === undefined || inDump === undefined) {
      out.push(`${rowKey(row)} ${uuid}: ${inReplica === undefined ? 'not in replica ' : ''}${inDump === undefined ? 'not in dump' : ''}`);
      continue;
    }
    for (const column of row.table.columns) {
      const field = `${rowKey(row)}.${column.name}`;
      const written = row.values.get(column.name)!;
      const expected = resolveValue(written, (ref) => uuids.get(ref.key)!) as TypedValue;
      for (const label of labels(column, written)) coverage.record(column, label);
      if (!valuesEqual(inReplica[column.name], expected)) out.push(`${field}: replica ${show(inReplica[column.name])}, written ${show(expected)}`);
      const wire = inDump.get(column.name);
      let decoded: TypedValue | undefined;
      try {
        decoded = wire === undefined ? undefined : columnCodec(column).decode(wire);
      } catch (error) {
        out.push(`${field}: dump ${JSON.stringify(wire)} does not decode: ${(error as Error).message}`);
        continue;
      }
      if (decoded === undefined || !valuesEqual(decoded, expected)) out.push(`${field}: dump ${JSON.stringify(wire)}, written ${show(expected)}`);
      if (column.type.kind === 'set' && Array.isArray(expected) && expected.length === 1 && !(Array.isArray(wire) && wire[0] === 'set')) coverage.record(column, BARE_ATOM);
    }
  }
  return out;
}

/** Starts a server and an OvsdbIdl on it; `round` writes a plan and reads it back. */
async function roundTripHarness(schemaDoc: DatabaseSchema, server: OvsdbTestServer) {
  const schema = parseSchema(schemaDoc);
  const idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: schema.name, schema: schemaDoc, requestTimeoutMs: 10_000 });
  const coverage = new Coverage(schema);
  return {
    schema,
    idl,
    coverage,
    async round(plan: PlannedRow[]): Promise<string[]> {
      const uuids = await writePlan(idl, schema, plan);
      return readBack(server, idl.replica, schema, plan, uuids, coverage);
    },
  };
}

describe('every column of the Open_vSwitch schema round-trips through ovsdb-server', () => {
  const meta = parseSchema(OpenVSwitchSchema);
  let server: OvsdbTestServer;
  let harness: Awaited<ReturnType<typeof roundTripHarness>>;

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-roundtrip-' });
    harness = await roundTripHarness(OpenVSwitchSchema, server);
  });
  afterAll(async () => {
    harness?.idl.close();
    await server?.dispose();
  });

  it('derives the columns from the schema: every table, every kind of column', () => {
    const columns = [...meta.tables.values()].flatMap((table) => table.columns);
    expect(meta.tables.size).toBeGreaterThanOrEqual(18);
    expect(new Set(columns.map((c) => c.type.kind))).toEqual(new Set(['atom', 'optional', 'set', 'map']));
    expect(columns.some((c) => c.type.key.refType === 'weak')).toBe(true);
    expect(columns.some((c) => c.type.kind === 'map' && c.type.key.type === 'integer' && c.type.value?.refTable !== undefined)).toBe(true);
  });

  it('writes the corner cases of every column and reads them back through the replica and ovsdb-client', async () => {
    for (const plan of edgePlans(meta)) expect(await harness.round(plan)).toEqual([]);
    // Proof that the rounds exercised what they claim, column by column.
    expect(harness.coverage.missing()).toEqual([]);
  });

  it(`round-trips ${RANDOM_ROUNDS} generated databases (fast-check, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(randomPlan(meta), async (plan) => {
        expect(await harness.round(plan)).toEqual([]);
      }),
      { seed: SEED, numRuns: RANDOM_ROUNDS },
    );
  });

  it('string corners include multi-byte UTF-8 and JSON escapes', () => {
    expect(Buffer.byteLength(TRICKY_STRING)).toBeGreaterThan([...TRICKY_STRING].length + 8);
    expect(JSON.stringify(TRICKY_STRING)).toMatch(/\\"|\\\\|\\n|\\u0001/);
  });
});
