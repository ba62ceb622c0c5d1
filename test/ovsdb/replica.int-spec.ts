/**
 * The replica against a real ovsdb-server: fed by monitor_cond / monitor_cond_since over a
 * unix socket, changed with ovs-vsctl, and compared with `ovsdb-client --format=json dump`.
 */
import { decodeValue, OvsdbClient, parseSchema, Replica, valuesEqual, type ChangeSubscription, type ReplicaEvent } from '@ovs-fleet/ovsdb';
import { Bridge, Interface, OpenVSwitchSchema, Port } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';
import { dump as dumpDatabase, DumpTable } from '../support/ovsdb-dump';

const DB = 'Open_vSwitch';
const meta = parseSchema(OpenVSwitchSchema);
const dump = (server: OvsdbTestServer): Promise<Map<string, DumpTable>> => dumpDatabase(server, DB);

/** Differences between the replica and a dump, as readable strings (empty: identical). */
function differences(replica: Replica, tables: Map<string, DumpTable>): string[] {
  const out: string[] = [];
  for (const name of replica.tableNames) {
    const table = meta.tables.get(name)!;
    const dumped = tables.get(name);
    if (dumped === undefined) {
      out.push(`${name}: missing from dump`);
      continue;
    }
    const rows = replica.table(name);
    const uuidAt = dumped.headings.indexOf('_uuid');
    const seen = new Set<string>();
    for (const values of dumped.data) {
      const uuid = (values[uuidAt] as ['uuid', string])[1];
      seen.add(uuid);
      const row = rows.get(uuid);
      if (row === undefined) {
        out.push(`${name} ${uuid}: not in replica`);
        continue;
      }
      dumped.headings.forEach((heading, i) => {
        if (heading === '_uuid') return;
        if (!valuesEqual(row[heading], decodeValue(table.columnsByName.get(heading)!, values[i]))) out.push(`${name} ${uuid}.${heading}: replica ${String(row[heading])} vs ${JSON.stringify(values[i])}`);
      });
    }
    for (const uuid of rows.keys()) if (!seen.has(uuid)) out.push(`${name} ${uuid}: only in replica`);
  }
  return out;
}

/** Waits until the replica equals the database as dumped now (notifications may trail the vsctl reply). */
async function expectReplicaMatchesDatabase(replica: Replica, server: OvsdbTestServer): Promise<void> {
  const tables = await dump(server);
  try {
    await replica.waitFor((r) => differences(r, tables).length === 0, 5000);
  } catch {
    expect(differences(replica, tables)).toEqual([]);
  }
}

/** A client whose update2/update3 notifications go straight into the replica, in arrival order. */
async function feed(server: OvsdbTestServer, replica: Replica): Promise<OvsdbClient> {
  const client = await OvsdbClient.connect(server.unixRemote, { requestTimeoutMs: 10_000 });
  client.on('update2', (_id, updates) => void replica.applyUpdate2(updates));
  client.on('update3', (_id, lastTxnId, updates) => void replica.applyUpdate3(lastTxnId, updates));
  return client;
}

function take(subscription: ChangeSubscription): ReplicaEvent[] {
  const events: ReplicaEvent[] = [];
  for (let e = subscription.poll(); e !== undefined; e = subscription.poll()) events.push(e);
  return events;
}

const describeEvent = (e: ReplicaEvent): string =>
  e.type === 'gap' ? 'gap' : `${e.type} ${e.table} ${String((e.new ?? e.old).name ?? '')}`;

describe('Replica against a real ovsdb-server', () => {
  let server: OvsdbTestServer;
  const clients: OvsdbClient[] = [];

  beforeAll(async () => {
    server = await OvsdbTestServer.start();
    await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev']);
    const ports = Array.from({ length: 10 }, (_, i) => `p${i}`);
    await server.vsctl(ports.flatMap((p, i) => ['--', 'add-port', 'br0', p, `tag=${100 + i}`, '--', 'set', 'interface', p, 'type=internal', `external_ids:vm=vm${i}`]));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.dispose();
  });

  it('mirrors the database through monitor_cond and every later change', async () => {
    const replica = new Replica(OpenVSwitchSchema, {
      indexes: [
        { table: 'Bridge', column: 'name', unique: true },
        { table: 'Port', column: 'name', unique: true },
        { table: 'Interface', column: 'name', unique: true },
        { table: 'Port', column: 'interfaces' },
      ],
    });
    const client = await feed(server, replica);
    clients.push(client);
    await replica.resync(await client.monitorCond(DB, 'replica-1', replica.monitorRequests()));
    await expectReplicaMatchesDatabase(replica, server);
    expect(replica.lookup(Bridge, 'name', 'br0')!.ports).toHaveLength(11);
    expect(replica.lookup(Port, 'name', 'p3')!.tag).toBe(103);
    expect(replica.lookup(Bridge, 'name', 'br0')!._version).toMatch(/^[0-9a-f-]{36}$/);

    const events = replica.subscribe();
    // Atoms, optionals, sets (symmetric difference) and maps (add/replace/delete) all change here.
    await server.vsctl(['set', 'bridge', 'br0', 'fail_mode=secure', 'other_config:a=1', 'other_config:b=2', 'protocols=OpenFlow13,OpenFlow15']);
    await server.vsctl(['set', 'port', 'p1', 'trunks=10,20,30', '--', 'remove', 'port', 'p2', 'tag', '102', '--', 'set', 'interface', 'p1', 'type=vxlan', 'options:remote_ip=203.0.113.9', 'options:key=7']);
    await expectReplicaMatchesDatabase(replica, server);
    await server.vsctl(['set', 'bridge', 'br0', 'other_config:a=11', 'protocols=OpenFlow15', '--', 'remove', 'bridge', 'br0', 'other_config', 'b', '--', 'clear', 'bridge', 'br0', 'fail_mode']);
    await server.vsctl(['set', 'port', 'p1', 'trunks=20,40', '--', 'del-port', 'br0', 'p9', '--', 'set', 'interface', 'p1', 'options:key=8', '--', 'remove', 'interface', 'p1', 'options', 'remote_ip']);
    await expectReplicaMatchesDatabase(replica, server);

    const br0 = replica.lookup(Bridge, 'name', 'br0')!;
    expect(br0.fail_mode).toBeNull();
    expect(br0.protocols).toEqual(['OpenFlow15']);
    expect(br0.other_config).toEqual(new Map([['a', '11']]));
    expect([...replica.lookup(Port, 'name', 'p1')!.trunks].sort()).toEqual([20, 40]);
    expect(replica.lookup(Port, 'name', 'p2')!.tag).toBeNull();
    expect(replica.lookup(Interface, 'name', 'p1')!.options).toEqual(new Map([['key', '8']]));
    expect(replica.lookup(Port, 'name', 'p9')).toBeUndefined();
    expect(replica.lookup(Interface, 'name', 'p9')).toBeUndefined();
    const p0Interface = replica.lookup(Interface, 'name', 'p0')!._uuid;
    expect(replica.lookup(Port, 'interfaces', p0Interface)!.name).toBe('p0');

    const seen = take(events).map(describeEvent);
    expect(seen).toEqual(expect.arrayContaining(['modify Bridge br0', 'modify Port p1', 'modify Interface p1', 'delete Port p9', 'delete Interface p9']));
    expect(seen).not.toContain('gap');
  });

  it('resyncs after a reconnect with only the real changes as events (monitor_cond_since)', async () => {
    const replica = new Replica(OpenVSwitchSchema, { indexes: [{ table: 'Port', column: 'name', unique: true }] });
    const first = await feed(server, replica);
    clients.push(first);
    const since = (client: OvsdbClient) => client.monitorCondSince(DB, 'replica-2', replica.monitorRequests(), replica.lastTxnId);
    await replica.applyMonitorCondSinceReply(await since(first));
    await expectReplicaMatchesDatabase(replica, server);
    first.close();

    // Changed while we were away.
    await server.vsctl(['add-port', 'br0', 'late0', '--', 'set', 'port', 'p0', 'tag=999', '--', 'del-port', 'br0', 'p8']);

    const events = replica.subscribe();
    const second = await feed(server, replica);
    clients.push(second);
    await replica.applyMonitorCondSinceReply(await since(second));
    await expectReplicaMatchesDatabase(replica, server);
    const seen = take(events).map(describeEvent).sort();
    expect(seen).toEqual(['delete Interface p8', 'delete Port p8', 'insert Interface late0', 'insert Port late0', 'modify Bridge br0', 'modify Port p0'].sort());
    expect(replica.lookup(Port, 'name', 'p0')!.tag).toBe(999);
  });

  it('shows a transaction of its own connection as soon as the transact reply resolves', async () => {
    const replica = new Replica(OpenVSwitchSchema, { tables: ['Bridge', 'Port', 'Interface'], indexes: [{ table: 'Port', column: 'name', unique: true }] });
    const client = await feed(server, replica);
    clients.push(client);
    await replica.resync(await client.monitorCond(DB, 'replica-3', replica.monitorRequests()));
    for (let i = 0; i < 20; i++) {
      const name = `ryw${i}`;
      await client.transact(DB, [
        { op: 'insert', table: 'Interface', 'uuid-name': 'iface', row: { name } },
        { op: 'insert', table: 'Port', 'uuid-name': 'port', row: { name, interfaces: ['named-uuid', 'iface'] } },
        { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]] },
      ]);
      // No waiting: ovsdb-server sends the update2 before the reply, and the replica applied it on arrival.
      expect(replica.busy).toBe(false);
      expect(replica.lookup(Port, 'name', name)).toBeDefined();
    }
    await expectReplicaMatchesDatabase(replica, server);
  });
});

describe('Replica with a conditional monitor', () => {
  let server: OvsdbTestServer;
  let client: OvsdbClient | undefined;

  beforeAll(async () => {
    server = await OvsdbTestServer.start();
    await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev', '--', 'add-port', 'br0', 'c0', '--', 'add-port', 'br0', 'c1', 'tag=5']);
  });

  afterAll(async () => {
    client?.close();
    await server?.dispose();
  });

  it('holds only the rows matching its conditions, also as they change', async () => {
    const replica = new Replica(OpenVSwitchSchema, { tables: ['Port'], indexes: [{ table: 'Port', column: 'name', unique: true }] });
    client = await feed(server, replica);
    await replica.resync(await client.monitorCond(DB, 'cond', replica.monitorRequests(undefined, undefined, { Port: [['tag', '==', 5]] })));
    expect([...replica.table(Port).values()].map((p) => p.name)).toEqual(['c1']);
    await server.vsctl(['set', 'port', 'c0', 'tag=5', '--', 'remove', 'port', 'c1', 'tag', '5']);
    await replica.waitFor((r) => r.lookup(Port, 'name', 'c0') !== undefined && r.lookup(Port, 'name', 'c1') === undefined, 5000);
    expect(replica.table(Port).size).toBe(1);
  });
});

describe('Replica resuming from a clustered ovsdb-server (monitor_cond_since found=true)', () => {
  let server: OvsdbTestServer;
  const clients: OvsdbClient[] = [];

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ clustered: true });
    await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev', '--', 'add-port', 'br0', 'a0', '--', 'add-port', 'br0', 'a1']);
    // ovsdb-server keeps history only while it holds fewer atoms than the database: make
    // the database big enough that the few transactions below stay resumable.
    await server.vsctl(Array.from({ length: 100 }, (_, i) => ['--', 'add-port', 'br0', `bulk${i}`, `external_ids:n=${i}`]).flat());
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.dispose();
  });

  it('tracks the last txn id from update3 and resumes with only the missed changes', async () => {
    const replica = new Replica(OpenVSwitchSchema, { indexes: [{ table: 'Port', column: 'name', unique: true }] });
    const since = async () => {
      const client = await feed(server, replica);
      clients.push(client);
      const reply = await client.monitorCondSince(DB, 'resume', replica.monitorRequests(), replica.lastTxnId);
      await replica.applyMonitorCondSinceReply(reply);
      return { client, found: reply[0] };
    };
    const first = await since();
    expect(first.found).toBe(false);
    const initialTxn = replica.lastTxnId;
    expect(initialTxn).toMatch(/^[0-9a-f-]{36}$/);
    await server.vsctl(['set', 'port', 'a0', 'tag=7']);
    await expectReplicaMatchesDatabase(replica, server);
    expect(replica.lastTxnId).not.toBe(initialTxn);
    first.client.close();

    await server.vsctl(['add-port', 'br0', 'a2', '--', 'del-port', 'br0', 'a1']);
    const events = replica.subscribe();
    const second = await since();
    expect(second.found).toBe(true);
    await expectReplicaMatchesDatabase(replica, server);
    expect(take(events).map(describeEvent).sort()).toEqual(['delete Interface a1', 'delete Port a1', 'insert Interface a2', 'insert Port a2', 'modify Bridge br0']);
  });
});
