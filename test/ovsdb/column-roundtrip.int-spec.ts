/**
 * Every column of the Open_vSwitch schema round-trips through a real ovsdb-server.
 *
 * Tables and columns come from the schema at run time, so a new column is covered without
 * edits, and no column is skipped: every column of every row is written, immutable ones at
 * insert (OVSDB allows that; updates in place keep them). References are named-uuids of
 * rows inserted in the same transaction (strong and weak), and every non-root row is
 * reachable from a root row, or the server would garbage-collect it (test/support/row-plan.ts).
 *
 * What the server then holds is read back three ways: (a) the OvsdbIdl replica, compared
 * with `valuesEqual`; (b) `ovsdb-client --format=json dump` (OVS's own encoder, an
 * independent source) decoded with our codec; (c) that dump's JSON against our encoding of
 * the written value, without our decoder (a bug shared by encode and decode shows there).
 *
 * Deterministic plans write each column's corner cases (test/support/column-values.ts) and
 * a coverage check proves that every case was written; seeded fast-check plans add variety.
 * Each is inserted on an emptied database (the replica sees inserts) and also turned into
 * the next in place (the replica applies update2 "modify" diffs). Reals are expected as
 * ovsdb-server sends them: 15 significant digits (`%.15g`).
 *
 * Two more suites: values written by `ovs-vsctl` read by the replica, and a small schema of
 * ours for the types the Open_vSwitch schema does not use (reals first of all).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeValue,
  encodeValue,
  OvsdbIdl,
  parseSchema,
  valuesEqual,
  type Atom,
  type ColumnMeta,
  type DatabaseMeta,
  type DatabaseSchema,
  type InsertHandle,
  type Replica,
  type ReplicaRow,
  type TypedValue,
  type WritableValue,
} from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';
import { canonicalWire, dump, dumpedRows, type DumpTable } from '../support/ovsdb-dump';
import { asOvsdbSendsReal, TRICKY_STRING } from '../support/column-values';
import { edgePlans, evolvePlan, planCases, randomPlan, resolveValue, RowRef, rowKey, type PlanAtom, type PlannedRow, type PlanValue } from '../support/row-plan';

/** Fixed so that runs are reproducible; ROUNDTRIP_SEED / ROUNDTRIP_RUNS explore further. */
const SEED = Number(process.env.ROUNDTRIP_SEED ?? 20261122);
const RANDOM_ROUNDS = Number(process.env.ROUNDTRIP_RUNS ?? 25);

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
        const cases = planCases(this.schema, column);
        if (cases === undefined) {
          out.push(`${table.name}.${column.name}: no case (its refTable never gets rows)`);
          continue;
        }
        const required = new Set(cases.flatMap((value) => labels(column, value)));
        if (column.type.kind === 'set') required.add(BARE_ATOM);
        const seen = this.seen.get(`${table.name}.${column.name}`) ?? new Set();
        for (const label of required) if (!seen.has(label)) out.push(`${table.name}.${column.name}: ${label}`);
      }
    }
    return out;
  }
}

const hasRefs = (column: ColumnMeta): boolean => column.type.key.refTable !== undefined || column.type.value?.refTable !== undefined;

/**
 * Writes a plan in one IDL transaction and returns each planned row's uuid.
 *
 * Without `existing`, the database is emptied first (one transaction deleting every row of
 * every table, so references between them do not block it) and every row is inserted, so
 * the replica sees inserts. With `existing` (the uuids of the previous plan's rows), rows
 * already there are updated in place (the replica then applies update2 "modify" diffs:
 * set members toggled, map keys added, changed and removed), the others inserted, and root
 * rows left out deleted; non-root rows left out are garbage-collected by the server.
 */
async function writePlan(idl: OvsdbIdl, schema: DatabaseMeta, plan: readonly PlannedRow[], existing?: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  if (existing === undefined) await idl.transact([...schema.tables.keys()].map((table) => ({ op: 'delete' as const, table, where: [] })));
  const txn = idl.transaction();
  const handles = new Map<string, InsertHandle>();
  const planned = new Set(plan.map(rowKey));
  for (const [key, uuid] of existing ?? []) {
    const table = key.slice(0, key.lastIndexOf('#'));
    if (!planned.has(key) && schema.tables.get(table)!.isRoot) txn.delete(table, uuid);
  }
  // New rows: columns without references first (immutable ones must be written at insert),
  // references once every row of the transaction has its named-uuid.
  const fresh = plan.filter((row) => !existing?.has(rowKey(row)));
  for (const row of fresh) {
    const values = Object.fromEntries(row.table.columns.filter((c) => !hasRefs(c)).map((c) => [c.name, row.values.get(c.name) as WritableValue]));
    handles.set(rowKey(row), txn.insert(row.table.name, values));
  }
  const ref = (target: RowRef) => existing?.get(target.key) ?? handles.get(target.key)!.ref;
  for (const row of plan) {
    const uuid = existing?.get(rowKey(row));
    // An existing row keeps its immutable values (evolvePlan made them equal): not written.
    const columns = row.table.columns.filter((c) => (uuid === undefined ? hasRefs(c) : c.mutable));
    const values = Object.fromEntries(columns.map((c) => [c.name, resolveValue(row.values.get(c.name)!, ref) as WritableValue]));
    if (columns.length > 0) txn.update(row.table.name, uuid ?? handles.get(rowKey(row))!, values);
  }
  const result = await txn.commit();
  // A plan may be empty (e.g. no rows to reference for a row that needs one): nothing to send.
  if (result.status !== 'success' && !(result.status === 'unchanged' && plan.length === 0)) throw new Error(`round not committed: ${result.status} ${result.error ?? ''} ${result.details ?? ''}`);
  return new Map(plan.map((row) => [rowKey(row), existing?.get(rowKey(row)) ?? result.inserted.get(handles.get(rowKey(row))!.name)!]));
}

/** A written value as ovsdb-server sends it back: reals rounded to 15 significant digits. */
function asOvsdbSendsIt(column: ColumnMeta, value: TypedValue): TypedValue {
  const { key, value: valueType } = column.type;
  if (key.type !== 'real' && valueType?.type !== 'real') return value;
  const keyOf = (a: Atom): Atom => (key.type === 'real' ? asOvsdbSendsReal(a as number) : a);
  const valueOf = (a: Atom): Atom => (valueType?.type === 'real' ? asOvsdbSendsReal(a as number) : a);
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly Atom[]).map(keyOf);
  if (value instanceof Map) return new Map([...(value as ReadonlyMap<Atom, Atom>)].map(([k, v]) => [keyOf(k), valueOf(v)]));
  return keyOf(value as Atom);
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
      const expected = asOvsdbSendsIt(column, resolveValue(written, (ref) => uuids.get(ref.key)!) as TypedValue);
      for (const label of labels(column, written)) coverage.record(column, label);
      if (!valuesEqual(inReplica[column.name], expected)) out.push(`${field}: replica ${show(inReplica[column.name])}, written ${show(expected)}`);
      const wire = inDump.get(column.name);
      let decoded: TypedValue | undefined;
      try {
        decoded = wire === undefined ? undefined : decodeValue(column, wire);
      } catch (error) {
        out.push(`${field}: dump ${JSON.stringify(wire)} does not decode: ${(error as Error).message}`);
        continue;
      }
      if (decoded === undefined || !valuesEqual(decoded, expected)) out.push(`${field}: dump ${JSON.stringify(wire)}, written ${show(expected)}`);
      // Without our decoder: OVS's JSON against our encoding (catches a bug that encode and decode share).
      else if (canonicalWire(wire!) !== canonicalWire(encodeValue(column, expected))) out.push(`${field}: dump ${JSON.stringify(wire)}, we encode ${JSON.stringify(encodeValue(column, expected))}`);
      if (column.type.kind === 'set' && Array.isArray(expected) && expected.length === 1 && !(Array.isArray(wire) && wire[0] === 'set')) coverage.record(column, BARE_ATOM);
    }
  }
  return out;
}

/** Every row and column of a dump against the replica (empty: identical). */
function replicaVsDump(schema: DatabaseMeta, replica: Replica, tables: Map<string, DumpTable>): string[] {
  const out: string[] = [];
  for (const [name, rows] of dumpedRows(tables)) {
    const table = schema.tables.get(name)!;
    if (replica.table(name).size !== rows.size) out.push(`${name}: replica has ${replica.table(name).size} rows, dump ${rows.size}`);
    for (const [uuid, wireRow] of rows) {
      const row = replica.get(name, uuid);
      if (row === undefined) {
        out.push(`${name} ${uuid}: not in replica`);
        continue;
      }
      for (const column of table.columns) {
        const wire = wireRow.get(column.name)!;
        if (!valuesEqual(row[column.name], decodeValue(column, wire))) out.push(`${name} ${uuid}.${column.name}: replica ${show(row[column.name])}, dump ${JSON.stringify(wire)}`);
      }
    }
  }
  return out;
}

/** Waits until the replica equals a dump taken now (a notification may trail ovs-vsctl's reply). */
async function expectReplicaEqualsDump(server: OvsdbTestServer, schema: DatabaseMeta, replica: Replica): Promise<void> {
  const tables = await dump(server, schema.name);
  await replica.waitFor((r) => replicaVsDump(schema, r, tables).length === 0, 5000).catch(() => undefined);
  expect(replicaVsDump(schema, replica, tables)).toEqual([]);
}

type Harness = Awaited<ReturnType<typeof roundTripHarness>>;

/** An OvsdbIdl on the server; `insert` and `chain` write plans and read them back. */
async function roundTripHarness(schemaDoc: DatabaseSchema, server: OvsdbTestServer) {
  const schema = parseSchema(schemaDoc);
  const idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: schema.name, schema: schemaDoc, requestTimeoutMs: 10_000 });
  const coverage = new Coverage(schema);
  return {
    idl,
    coverage,
    /** Writes the plan on an emptied database (inserts only) and reads it back. */
    async insert(plan: PlannedRow[]): Promise<string[]> {
      const uuids = await writePlan(idl, schema, plan);
      return readBack(server, idl.replica, schema, plan, uuids, coverage);
    },
    /** Writes the first plan on an emptied database, then turns it into each next one in place, reading back each time. */
    async chain(plans: readonly PlannedRow[][]): Promise<string[]> {
      let current = plans[0];
      let uuids = await writePlan(idl, schema, current);
      for (let i = 0; ; i++) {
        const differences = await readBack(server, idl.replica, schema, current, uuids, coverage);
        if (differences.length > 0 || i + 1 === plans.length) return differences.map((line) => `after plan ${i}: ${line}`);
        current = evolvePlan(current, plans[i + 1]);
        uuids = await writePlan(idl, schema, current, uuids);
      }
    },
  };
}

/** The round trips, for any schema: corner cases and generated contents, inserted and updated in place. */
function roundTripTests(meta: DatabaseMeta, harness: () => Harness): void {
  it('inserts the corner cases of every column and reads them back through the replica and ovsdb-client', async () => {
    for (const plan of edgePlans(meta)) expect(await harness().insert(plan)).toEqual([]);
    // Proof that the plans wrote every case of every column, and that one-element sets came back as bare atoms.
    expect(harness().coverage.missing()).toEqual([]);
  });

  it('updates rows in place from one corner case to the next (update2 modify diffs in the replica)', async () => {
    const plans = edgePlans(meta);
    // Forwards and backwards, so that every case is written over others both ways.
    expect(await harness().chain([...plans, ...plans.slice(0, -1).reverse()])).toEqual([]);
  });

  it(`round-trips ${RANDOM_ROUNDS} generated pairs of databases, inserted then updated in place (fast-check, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(randomPlan(meta), randomPlan(meta), async (first, second) => {
        expect(await harness().chain([first, second])).toEqual([]);
      }),
      { seed: SEED, numRuns: RANDOM_ROUNDS },
    );
  });
}

describe('every column of the Open_vSwitch schema round-trips through ovsdb-server', () => {
  const meta = parseSchema(OpenVSwitchSchema);
  let server: OvsdbTestServer;
  let harness: Harness | undefined;

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
    expect(columns.some((c) => !c.mutable)).toBe(true);
    expect(columns.some((c) => c.type.kind === 'map' && c.type.key.type === 'integer' && c.type.value?.refTable !== undefined)).toBe(true);
  });

  it('string corners include multi-byte UTF-8 and JSON escapes', () => {
    expect(Buffer.byteLength(TRICKY_STRING)).toBeGreaterThan([...TRICKY_STRING].length + 8);
    expect(JSON.stringify(TRICKY_STRING)).toMatch(/\\"|\\\\|\\n|\\u0001/);
  });

  roundTripTests(meta, () => harness!);
});

describe('values written by ovs-vsctl, read by the OvsdbIdl replica', () => {
  const meta = parseSchema(OpenVSwitchSchema);
  /** ovs-vsctl reads quoted values with C-style escapes; this one holds multi-byte UTF-8, a quote and a backslash. */
  const OWNER = 'é€𝄞 "q" \\';
  let server: OvsdbTestServer;
  let idl: OvsdbIdl;

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-roundtrip-vsctl-' });
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: meta.name, schema: OpenVSwitchSchema, requestTimeoutMs: 10_000, indexes: [
      { table: 'Bridge', column: 'name', unique: true },
      { table: 'Port', column: 'name', unique: true },
      { table: 'Interface', column: 'name', unique: true },
      { table: 'Mirror', column: 'name', unique: true },
    ] });
  });
  afterAll(async () => {
    idl?.close();
    await server?.dispose();
  });

  it('atoms, optionals, sets, maps with integer keys, strong and weak references', async () => {
    await server.vsctl([
      'add-br', 'br-rt', '--', 'set', 'Bridge', 'br-rt', 'datapath_type=netdev', 'protocols=OpenFlow10,OpenFlow13', 'flood_vlans=0,4095', `external_ids:owner="${OWNER.replace(/["\\]/g, (c) => `\\${c}`)}"`,
      '--', 'add-port', 'br-rt', 'p1', 'tag=5', 'trunks=1,2,3', 'vlan_mode=native-untagged',
      '--', 'set', 'Interface', 'p1', 'type=vxlan', 'options:key=val', 'options:remote_ip=203.0.113.7', 'ofport_request=65279', 'mtu_request=9000',
      '--', 'set', 'Port', 'p1', 'qos=@qos',
      '--', '--id=@qos', 'create', 'QoS', 'type=linux-htb', 'queues:0=@q0', 'queues:4294967295=@q1',
      '--', '--id=@q0', 'create', 'Queue', 'dscp=0',
      '--', '--id=@q1', 'create', 'Queue', 'dscp=63', 'other_config:max-rate=1000000',
      '--', 'add-port', 'br-rt', 'p2',
      '--', '--id=@p1', 'get', 'Port', 'p1',
      '--', '--id=@p2', 'get', 'Port', 'p2',
      '--', '--id=@m', 'create', 'Mirror', 'name=m1', 'select_src_port=@p1,@p2', 'output_port=@p2', 'select_vlan=7',
      '--', 'add', 'Bridge', 'br-rt', 'mirrors', '@m',
    ]);
    const replica = idl.replica;
    await replica.waitFor((r) => r.lookup('Mirror', 'name', 'm1') !== undefined, 5000);
    const bridge = replica.lookup('Bridge', 'name', 'br-rt')!;
    const p1 = replica.lookup('Port', 'name', 'p1')!;
    const p2 = replica.lookup('Port', 'name', 'p2')!;
    const iface = replica.lookup('Interface', 'name', 'p1')!;
    const mirror = replica.lookup('Mirror', 'name', 'm1')!;

    expect(bridge.datapath_type).toBe('netdev');
    expect(valuesEqual(bridge.protocols, ['OpenFlow13', 'OpenFlow10'])).toBe(true);
    expect(valuesEqual(bridge.flood_vlans, [0, 4095])).toBe(true);
    expect((bridge.external_ids as ReadonlyMap<string, string>).get('owner')).toBe(OWNER);
    expect(valuesEqual(bridge.ports, [p1._uuid, p2._uuid, replica.lookup('Port', 'name', 'br-rt')!._uuid])).toBe(true);
    expect(valuesEqual(bridge.mirrors, [mirror._uuid])).toBe(true);
    expect(p1.tag).toBe(5);
    expect(p2.tag).toBeNull();
    expect(valuesEqual(p1.trunks, [3, 1, 2])).toBe(true);
    expect(p1.vlan_mode).toBe('native-untagged');
    expect(iface.type).toBe('vxlan');
    expect(valuesEqual(iface.options, new Map([['key', 'val'], ['remote_ip', '203.0.113.7']]))).toBe(true);
    expect(iface.ofport_request).toBe(65279);
    expect(iface.mtu_request).toBe(9000);

    const qos = replica.get('QoS', p1.qos as string)!;
    expect(qos.type).toBe('linux-htb');
    const queues = qos.queues as ReadonlyMap<number, string>;
    expect([...queues.keys()].sort()).toEqual([0, 4294967295]);
    expect(replica.get('Queue', queues.get(0)!)!.dscp).toBe(0);
    expect(replica.get('Queue', queues.get(4294967295)!)!.dscp).toBe(63);
    expect(valuesEqual(replica.get('Queue', queues.get(4294967295)!)!.other_config, new Map([['max-rate', '1000000']]))).toBe(true);

    expect(valuesEqual(mirror.select_src_port, [p1._uuid, p2._uuid])).toBe(true);
    expect(mirror.output_port).toBe(p2._uuid);
    expect(mirror.select_vlan).toEqual([7]);
    await expectReplicaEqualsDump(server, meta, replica);
  });

  it('changes: a set to one element and to empty, a map key removed, a weak reference dropped by the server', async () => {
    await server.vsctl(['set', 'Port', 'p1', 'trunks=42', 'tag=4095', '--', 'remove', 'Interface', 'p1', 'options', 'key', '--', 'clear', 'Bridge', 'br-rt', 'protocols']);
    // p2 goes away: the Mirror's weak references to it are removed by ovsdb-server itself.
    await server.vsctl(['del-port', 'br-rt', 'p2']);
    const replica = idl.replica;
    await replica.waitFor((r) => r.lookup('Port', 'name', 'p2') === undefined, 5000);
    const p1 = replica.lookup('Port', 'name', 'p1')!;
    const mirror = replica.lookup('Mirror', 'name', 'm1')!;
    expect(p1.trunks).toEqual([42]);
    expect(p1.tag).toBe(4095);
    expect(valuesEqual(replica.lookup('Interface', 'name', 'p1')!.options, new Map([['remote_ip', '203.0.113.7']]))).toBe(true);
    expect(replica.lookup('Bridge', 'name', 'br-rt')!.protocols).toEqual([]);
    expect(mirror.select_src_port).toEqual([p1._uuid]);
    expect(mirror.output_port).toBeNull();
    await expectReplicaEqualsDump(server, meta, replica);
  });
});

/**
 * What the Open_vSwitch schema does not use (no real column, no uuid without refTable, no
 * uuid or real map keys, no string lengths, no integer enum, no negative integer range),
 * through the same round trip on a small schema of ours.
 */
const EXTRA_SCHEMA: DatabaseSchema = {
  name: 'RoundTrip',
  version: '1.0.0',
  tables: {
    Holder: {
      isRoot: true,
      indexes: [['bounded_string']],
      columns: {
        real: { type: 'real' },
        real_bounded: { type: { key: { type: 'real', minReal: -2.5, maxReal: 1e10 } } },
        real_optional: { type: { key: 'real', min: 0, max: 1 } },
        real_set: { type: { key: 'real', min: 0, max: 'unlimited' } },
        real_to_real: { type: { key: 'real', value: { type: 'real', minReal: -1, maxReal: 1 }, min: 0, max: 'unlimited' } },
        negative_integer: { type: { key: { type: 'integer', minInteger: -10, maxInteger: -1 } } },
        integer_enum: { type: { key: { type: 'integer', enum: ['set', [-1, 0, 7]] }, min: 0, max: 2 } },
        bounded_string: { type: { key: { type: 'string', minLength: 2, maxLength: 5 } } },
        plain_uuid: { type: 'uuid' },
        plain_uuids: { type: { key: 'uuid', min: 0, max: 'unlimited' } },
        boolean_to_integer: { type: { key: 'boolean', value: 'integer', min: 0, max: 'unlimited' } },
        small_map: { type: { key: 'string', value: 'boolean', min: 0, max: 1 } },
        children: { type: { key: { type: 'uuid', refTable: 'Child' }, min: 1, max: 'unlimited' } },
        by_child: { type: { key: { type: 'uuid', refTable: 'Child', refType: 'weak' }, value: 'string', min: 0, max: 'unlimited' } },
        favourite: { type: { key: { type: 'uuid', refTable: 'Child', refType: 'weak' }, min: 0, max: 1 } },
        fixed_name: { type: 'string', mutable: false },
      },
    },
    Child: {
      columns: {
        weight: { type: { key: { type: 'real', minReal: -1, maxReal: 1 } } },
        tags: { type: { key: { type: 'string', enum: ['set', ['a', 'é', '"']] }, min: 0, max: 'unlimited' } },
      },
    },
  },
};

describe('types the Open_vSwitch schema lacks (reals, plain uuids, uuid keys, lengths) round-trip on a schema of ours', () => {
  const meta = parseSchema(EXTRA_SCHEMA);
  let dir: string | undefined;
  let server: OvsdbTestServer | undefined;
  let harness: Harness | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-roundtrip-schema-'));
    const schemaFile = join(dir, 'roundtrip.ovsschema');
    writeFileSync(schemaFile, JSON.stringify(EXTRA_SCHEMA));
    server = await OvsdbTestServer.start({ schema: schemaFile, prefix: 'ovs-fleet-roundtrip-extra-' });
    harness = await roundTripHarness(EXTRA_SCHEMA, server);
  });
  afterAll(async () => {
    harness?.idl.close();
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('covers what the Open_vSwitch schema does not', () => {
    const vswitch = [...parseSchema(OpenVSwitchSchema).tables.values()].flatMap((table) => table.columns);
    expect(vswitch.some((c) => c.type.key.type === 'real' || c.type.value?.type === 'real')).toBe(false);
    expect(meta.tables.get('Holder')!.columns.length).toBeGreaterThan(10);
  });

  roundTripTests(meta, () => harness!);
});
