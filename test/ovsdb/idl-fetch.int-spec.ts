/**
 * OvsdbIdl.fetch / IdlTransaction.fetch against a real ovsdb-server: a column the IDL does
 * not monitor is read into the replica's row on demand (Python's Row.fetch).
 */
import { OvsdbClient, OvsdbIdl, type WireCondition } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, QoS } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';
const uuidOf = (result: unknown) => (result as { uuid: ['uuid', string] }).uuid[1];
const whereUuid = (uuid: string): WireCondition[] => [['_uuid', '==', ['uuid', uuid]]];

describe('OvsdbIdl fetch of columns not monitored', () => {
  let server: OvsdbTestServer;
  let idl: OvsdbIdl | undefined;
  let raw: OvsdbClient | undefined;

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-idl-fetch-' });
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

  it('reads the column into the row; monitor updates of other columns keep it; a later fetch sees the new value', async () => {
    raw = await OvsdbClient.connect(server.unixRemote);
    const [inserted] = await raw.transact(DB, [{ op: 'insert', table: 'QoS', row: { type: 'fetch-a', other_config: ['map', [['max-rate', '1000']]] } }]);
    const uuid = uuidOf(inserted);
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], columns: { QoS: ['type'] } });
    expect(idl.replica.get(QoS, uuid)?.other_config.size).toBe(0);

    const row = await idl.fetch(QoS, uuid, ['other_config']);
    expect(row.other_config).toEqual(new Map([['max-rate', '1000']]));
    expect(idl.replica.get(QoS, uuid)?.other_config).toEqual(new Map([['max-rate', '1000']]));

    await raw.transact(DB, [{ op: 'update', table: 'QoS', where: whereUuid(uuid), row: { type: 'fetch-b', other_config: ['map', [['max-rate', '2000']]] } }]);
    await idl.replica.waitFor((replica) => replica.get(QoS, uuid)?.type === 'fetch-b', 5000);
    // Not monitored: the server's change of other_config does not reach the replica until fetched.
    expect(idl.replica.get(QoS, uuid)?.other_config).toEqual(new Map([['max-rate', '1000']]));
    expect((await idl.fetch(QoS, uuid, ['other_config'])).other_config).toEqual(new Map([['max-rate', '2000']]));
  });

  it('in a transaction, the select runs after its changes; a row not in the replica is refused, one deleted meanwhile left alone', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], columns: { QoS: ['type'] } });
    const [inserted] = await idl.transact([{ op: 'insert', table: 'QoS', row: { type: 'fetch-c' } }]);
    const uuid = uuidOf(inserted);

    const txn = idl.transaction();
    txn.update(QoS, uuid, { external_ids: new Map([['by', 'txn']]) });
    txn.fetch(QoS, uuid, ['external_ids']);
    expect((await txn.commit()).status).toBe('success');
    expect(idl.replica.get(QoS, uuid)?.external_ids).toEqual(new Map([['by', 'txn']]));

    await expect(idl.fetch(QoS, '00000000-0000-4000-8000-000000000001', ['type'])).rejects.toThrow(/QoS has no row/);
    raw = await OvsdbClient.connect(server.unixRemote);
    const stale = idl.transaction();
    stale.fetch(QoS, uuid, ['external_ids']);
    await raw.transact(DB, [{ op: 'delete', table: 'QoS', where: whereUuid(uuid) }]);
    // The delete reaches the replica before the fetch's reply: the row is gone, nothing is put.
    expect((await stale.commit()).status).toBe('success');
    expect(idl.replica.get(QoS, uuid)).toBeUndefined();
  });
});
