/**
 * OvsdbIdl.fetch / IdlTransaction.fetch against a real ovsdb-server: a column the IDL does
 * not monitor is read into the replica's row on demand (Python's Row.fetch).
 */
import { OvsdbClient, OvsdbIdl, type WireCondition } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, QoS } from '@ovs-fleet/ovsdb/vswitch';
import { idlOnServer, insertedUuid } from './idl-fixture';

const DB = 'Open_vSwitch';
const whereUuid = (uuid: string): WireCondition[] => [['_uuid', '==', ['uuid', uuid]]];

describe('OvsdbIdl fetch of columns not monitored', () => {
  const fx = idlOnServer('ovs-fleet-idl-fetch-');

  it('reads the column into the row; monitor updates of other columns keep it; a later fetch sees the new value', async () => {
    fx.raw = await OvsdbClient.connect(fx.server.unixRemote);
    const [inserted] = await fx.raw.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'fetch-a', other_config: ['map', [['max-rate', '1000']]] } }]);
    const uuid = insertedUuid(inserted);
    fx.idl = await OvsdbIdl.connect({ remote: fx.server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], columns: { QoS: ['type'] } });
    expect(fx.idl.replica.get(QoS, uuid)?.other_config.size).toBe(0);

    const row = await fx.idl.fetch(QoS, uuid, ['other_config']);
    expect(row.other_config).toEqual(new Map([['max-rate', '1000']]));
    expect(fx.idl.replica.get(QoS, uuid)?.other_config).toEqual(new Map([['max-rate', '1000']]));

    await fx.raw.transact(DB, [{ op: 'update', table: 'QoS', where: whereUuid(uuid), row: { type: 'fetch-b', other_config: ['map', [['max-rate', '2000']]] } }]);
    await fx.idl.replica.waitFor((replica) => replica.get(QoS, uuid)?.type === 'fetch-b', 5000);
    // Not monitored: the fx.server's change of other_config does not reach the replica until fetched.
    expect(fx.idl.replica.get(QoS, uuid)?.other_config).toEqual(new Map([['max-rate', '1000']]));
    expect((await fx.idl.fetch(QoS, uuid, ['other_config'])).other_config).toEqual(new Map([['max-rate', '2000']]));
  });

  it('in a transaction, the select runs after its changes; a row not in the replica is refused, one deleted meanwhile left alone', async () => {
    fx.idl = await OvsdbIdl.connect({ remote: fx.server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], columns: { QoS: ['type'] } });
    const [inserted] = await fx.idl.transact([{ op: 'insert', table: 'QoS', row: { type: 'fetch-c' } }]);
    const uuid = insertedUuid(inserted);

    const txn = fx.idl.transaction();
    txn.update(QoS, uuid, { external_ids: new Map([['by', 'txn']]) });
    txn.fetch(QoS, uuid, ['external_ids']);
    expect((await txn.commit()).status).toBe('success');
    expect(fx.idl.replica.get(QoS, uuid)?.external_ids).toEqual(new Map([['by', 'txn']]));

    await expect(fx.idl.fetch(QoS, '00000000-0000-4000-8000-000000000001', ['type'])).rejects.toThrow(/QoS has no row/);
    fx.raw = await OvsdbClient.connect(fx.server.unixRemote);
    const stale = fx.idl.transaction();
    stale.fetch(QoS, uuid, ['external_ids']);
    await fx.raw.transact(DB, [{ op: 'delete', table: 'QoS', where: whereUuid(uuid) }]);
    // The delete reaches the replica before the fetch's reply: the row is gone, nothing is put.
    expect((await stale.commit()).status).toBe('success');
    expect(fx.idl.replica.get(QoS, uuid)).toBeUndefined();
  });
});
