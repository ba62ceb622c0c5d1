/**
 * OvsdbIdl against a real ovsdb-server that lost monitor_cond (`ovsdb-server/disable-monitor-cond`,
 * which also drops every connection): the IDL falls back to plain `monitor`, resyncs and
 * keeps following updates; conditions that leave rows out are refused with a typed error.
 */
import { OvsdbClient, OvsdbConditionsUnsupportedError, OvsdbIdl, type IdlSyncInfo } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, QoS } from '@ovs-fleet/ovsdb/vswitch';
import { idlOnServer, insertedUuid } from './idl-fixture';

const DB = 'Open_vSwitch';

function insertQos(type: string) {
  return { op: 'insert' as const, table: 'QoS', row: { type } };
}

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
  const fx = idlOnServer('ovs-fleet-idl-plain-');

  it('falls back to plain monitor when monitor_cond goes away, resyncs and follows updates', async () => {
    fx.raw = await OvsdbClient.connect(fx.server.unixRemote);
    const [before] = await fx.raw.transact(DB, [insertQos('plain-before')]);
    fx.idl = await OvsdbIdl.connect({
      remote: fx.server.unixRemote,
      database: DB,
      schema: OpenVSwitchSchema,
      tables: ['QoS'],
      serverDatabase: true,
      backoff: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    expect(fx.idl.monitorMethod).toBe('monitor_cond_since');

    const resynced = nextResync(fx.idl);
    await fx.server.appctl(['ovsdb-server/disable-monitor-cond']);
    const info = await resynced;
    expect(info.method).toBe('monitor');
    expect(fx.idl.monitorMethod).toBe('monitor');
    expect(fx.idl.replica.get(QoS, insertedUuid(before))?.type).toBe('plain-before');
    // _Server's Database table is monitored with plain monitor anyway (as Python's IDL does).
    expect([...fx.idl.serverReplica.table('Database').values()].map((row) => row.name).sort()).toEqual(['Open_vSwitch', '_Server']);

    // Our own writes (read your writes) and another client's, through `update` notifications.
    const [mine] = await fx.idl.transact([insertQos('plain-mine')]);
    expect(fx.idl.replica.get(QoS, insertedUuid(mine))?.type).toBe('plain-mine');
    // disable-monitor-cond dropped every connection, this one too.
    fx.raw.close();
    fx.raw = await OvsdbClient.connect(fx.server.unixRemote);
    const [theirs] = await fx.raw.transact(DB, [insertQos('plain-theirs')]);
    await fx.idl.replica.waitFor((replica) => replica.get(QoS, insertedUuid(theirs)) !== undefined, 5000);
    await fx.raw.transact(DB, [{ op: 'update', table: 'QoS', where: [['_uuid', '==', ['uuid', insertedUuid(before)]]], row: { type: 'plain-changed' } }]);
    await fx.idl.replica.waitFor((replica) => replica.get(QoS, insertedUuid(before))?.type === 'plain-changed', 5000);
    await fx.raw.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', ['uuid', insertedUuid(mine)]]] }]);
    await fx.idl.replica.waitFor((replica) => replica.get(QoS, insertedUuid(mine)) === undefined, 5000);

    // An IDL transaction (update + verify) works over the plain monitor too.
    const result = await fx.idl.run((txn) => {
      txn.verify('QoS', insertedUuid(theirs), ['type']);
      txn.update('QoS', insertedUuid(theirs), { type: 'plain-txn' });
    });
    expect(result.status).toBe('success');
    expect(fx.idl.replica.get(QoS, insertedUuid(theirs))?.type).toBe('plain-txn');

    // A reconnection resyncs with plain monitor again and misses nothing.
    const again = nextResync(fx.idl);
    fx.idl.forceReconnect();
    await fx.raw.transact(DB, [{ op: 'delete', table: 'QoS', where: [['_uuid', '==', ['uuid', insertedUuid(before)]]] }]);
    const second = await again;
    expect(second.method).toBe('monitor');
    await fx.idl.replica.waitFor((replica) => replica.get(QoS, insertedUuid(before)) === undefined, 5000);
    expect([...fx.idl.replica.table(QoS).values()].map((row) => row.type).sort()).toEqual(['plain-txn']);

    // Conditions that keep every row need nothing; others are refused and change nothing.
    await fx.idl.setConditions('QoS', [true]);
    await expect(fx.idl.setConditions('QoS', [['type', '==', 'plain-txn']])).rejects.toMatchObject({ code: 'OVSDB_CONDITIONS_UNSUPPORTED', table: 'QoS' });
    expect(fx.idl.replica.table(QoS).size).toBe(1);
  });

  it('refuses to connect with conditions that leave rows out (typed error, not a retry loop)', async () => {
    // monitor_cond stays disabled for the rest of this fx.server's life (the test above).
    await fx.server.appctl(['ovsdb-server/disable-monitor-cond']);
    const started = performance.now();
    const connecting = OvsdbIdl.connect({
      remote: fx.server.unixRemote,
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
