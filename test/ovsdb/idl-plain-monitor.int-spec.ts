/**
 * OvsdbIdl against a real ovsdb-server that lost monitor_cond (`ovsdb-server/disable-monitor-cond`,
 * which also drops every connection): the IDL falls back to plain `monitor`, resyncs and
 * keeps following updates; conditions that leave rows out are refused with a typed error.
 */
import { OvsdbClient, OvsdbConditionsUnsupportedError, OvsdbIdl, type IdlSyncInfo } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, QoS } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';

function insertQos(type: string) {
  return { op: 'insert' as const, table: 'QoS', row: { type } };
}

const uuidOf = (result: unknown) => (result as { uuid: ['uuid', string] }).uuid[1];

/** The next sync after a reconnection (the first connection's own `resynced` is skipped). */
function nextResync(idl: OvsdbIdl): Promise<IdlSyncInfo> {
  return new Promise((resolve) => {
    const listener = (info: IdlSyncInfo) => {
      if (info.kind === 'initial') return;
      idl.off('resynced', listener);
      resolve(info);
    };
    idl.on('resynced', listener);
  });
}

describe('OvsdbIdl on a server without monitor_cond', () => {
  let server: OvsdbTestServer;
  let idl: OvsdbIdl | undefined;
  let raw: OvsdbClient | undefined;

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-idl-plain-' });
  });
  afterAll(async () => {
    await server?.dispose();
  });
  afterEach(() => {
    idl?.close();
    idl = undefined;
    raw?.close();
    raw = undefined;
  });

  it('falls back to plain monitor when monitor_cond goes away, resyncs and follows updates', async () => {
    raw = await OvsdbClient.connect(server.unixRemote);
    const [before] = await raw.transact(DB, [insertQos('plain-before')]);
    idl = await OvsdbIdl.connect({
      remote: server.unixRemote,
      database: DB,
      schema: OpenVSwitchSchema,
      tables: ['QoS'],
      serverDatabase: true,
      backoff: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    expect(idl.monitorMethod).toBe('monitor_cond_since');

    const resynced = nextResync(idl);
    await server.appctl(['ovsdb-server/disable-monitor-cond']);
    const info = await resynced;
    expect(info.method).toBe('monitor');
    expect(idl.monitorMethod).toBe('monitor');
    expect(idl.replica.get(QoS, uuidOf(before))?.type).toBe('plain-before');
    // _Server's Database table is monitored with plain monitor anyway (as Python's IDL does).
    expect([...idl.serverReplica.table('Database').values()].map((row) => row.name).sort()).toEqual(['Open_vSwitch', '_Server']);

    // Our own writes (read your writes) and another client's, through `update` notifications.
    const [mine] = await idl.transact([insertQos('plain-mine')]);
    expect(idl.replica.get(QoS, uuidOf(mine))?.type).toBe('plain-mine');
    // disable-monitor-cond dropped every connection, this one too.
    raw.close();
    raw = await OvsdbClient.connect(server.unixRemote);
    const [theirs] = await raw.transact(DB, [insertQos('plain-theirs')]);
    await idl.replica.waitFor((replica) => replica.get(QoS, uuidOf(theirs)) !== undefined, 5000);
    await raw.transact(DB, [{ op: 'update', table: 'QoS', where: [['_uuid', '==', ['uuid', uuidOf(before)]]], row: { type: 'plain-changed' } }]);
    await idl.replica.waitFor((replica) => replica.get(QoS, uuidOf(before))?.type === 'plain-changed', 5000);
    await raw.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', ['uuid', uuidOf(mine)]]] }]);
    await idl.replica.waitFor((replica) => replica.get(QoS, uuidOf(mine)) === undefined, 5000);

    // An IDL transaction (update + verify) works over the plain monitor too.
    const result = await idl.run((txn) => {
      txn.verify('QoS', uuidOf(theirs), ['type']);
      txn.update('QoS', uuidOf(theirs), { type: 'plain-txn' });
    });
    expect(result.status).toBe('success');
    expect(idl.replica.get(QoS, uuidOf(theirs))?.type).toBe('plain-txn');

    // A reconnection resyncs with plain monitor again and misses nothing.
    const again = nextResync(idl);
    idl.forceReconnect();
    await raw.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', ['uuid', uuidOf(before)]]] }]);
    const second = await again;
    expect(second.method).toBe('monitor');
    await idl.replica.waitFor((replica) => replica.get(QoS, uuidOf(before)) === undefined, 5000);
    expect([...idl.replica.table(QoS).values()].map((row) => row.type).sort()).toEqual(['plain-txn']);

    // Conditions that keep every row need nothing; others are refused and change nothing.
    await idl.setConditions('QoS', [true]);
    await expect(idl.setConditions('QoS', [['type', '==', 'plain-txn']])).rejects.toMatchObject({ code: 'OVSDB_CONDITIONS_UNSUPPORTED', table: 'QoS' });
    expect(idl.replica.table(QoS).size).toBe(1);
  });

  it('refuses to connect with conditions that leave rows out (typed error, not a retry loop)', async () => {
    // monitor_cond stays disabled for the rest of this server's life (the test above).
    await server.appctl(['ovsdb-server/disable-monitor-cond']);
    const started = performance.now();
    const connecting = OvsdbIdl.connect({
      remote: server.unixRemote,
      database: DB,
      schema: OpenVSwitchSchema,
      tables: ['QoS'],
      conditions: { QoS: [['type', '==', 'x']] },
      connectTimeoutMs: 10_000,
    });
    await expect(connecting).rejects.toBeInstanceOf(OvsdbConditionsUnsupportedError);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
