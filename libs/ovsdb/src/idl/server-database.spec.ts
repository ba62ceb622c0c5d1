import { OvsdbRpcError } from '../errors';
import type { OvsdbClient } from '../client/ovsdb-client';
import { monitorServerDatabase, SERVER_MONITOR_ID, serverDatabaseReplica } from './server-database';

/** A client whose `monitor` records its arguments and answers with `reply` (or throws it). */
function fakeClient(reply: unknown) {
  const calls: unknown[][] = [];
  const client = {
    monitor: (...args: unknown[]) => {
      calls.push(args);
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
  } as unknown as OvsdbClient;
  return { client, calls };
}

describe('_Server Database mirror', () => {
  it('monitors every column of Database with plain monitor and returns the snapshot', async () => {
    const snapshot = { Database: { '00000000-0000-4000-8000-000000000001': { new: { name: 'idltest', model: 'standalone' } } } };
    const { client, calls } = fakeClient(snapshot);
    const replica = serverDatabaseReplica(() => undefined);
    expect(await monitorServerDatabase(client, replica)).toBe(snapshot);
    expect(calls).toEqual([['_Server', SERVER_MONITOR_ID, { Database: { columns: ['_version', 'name', 'model', 'connected', 'leader', 'schema', 'cid', 'sid', 'index'] } }]]);
    await replica.resync(snapshot);
    expect([...replica.table('Database').values()].map((row) => [row.name, row.model])).toEqual([['idltest', 'standalone']]);
  });

  it('a server without _Server gives an empty snapshot; other errors propagate', async () => {
    const replica = serverDatabaseReplica(() => undefined);
    expect(await monitorServerDatabase(fakeClient(new OvsdbRpcError('monitor', { error: 'unknown database' })).client, replica)).toEqual({});
    const refused = new OvsdbRpcError('monitor', { error: 'permission error' });
    await expect(monitorServerDatabase(fakeClient(refused).client, replica)).rejects.toBe(refused);
  });
});
