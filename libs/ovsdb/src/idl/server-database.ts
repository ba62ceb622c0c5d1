/**
 * `_Server`'s `Database` table mirrored on the IDL's own connection, as Python's IDL does
 * (it monitors that table before its database, with plain `monitor`, which every
 * ovsdb-server with a `_Server` database answers, monitor_cond disabled or not).
 */
import { OvsdbError, OvsdbRpcError } from '../errors';
import type { OvsdbClient } from '../client/ovsdb-client';
import type { TableUpdates } from '../protocol/wire';
import { Replica } from '../replica/replica';
import { ServerSchema } from '../schemas/generated/server';

export const SERVER_MONITOR_ID = 'ovs-fleet-idl-server';
const SERVER_DATABASE = '_Server';
const TABLE = 'Database';

/** An empty replica of `_Server`'s `Database` table; `onInconsistency` as ReplicaOptions. */
export function serverDatabaseReplica(onInconsistency: (error: OvsdbError) => void): Replica {
  return new Replica(ServerSchema, { tables: [TABLE], onInconsistency });
}

/**
 * Starts the monitor of `Database` (every column the replica knows) and returns its
 * snapshot; later changes come as `update` notifications with SERVER_MONITOR_ID. A server
 * without `_Server` (older than OVS 2.9) gives an empty snapshot, as Python's IDL goes on
 * without it.
 */
export async function monitorServerDatabase(client: OvsdbClient, replica: Replica): Promise<TableUpdates> {
  const [request] = Object.values(replica.monitorRequests([TABLE]));
  try {
    return await client.monitor(SERVER_DATABASE, SERVER_MONITOR_ID, { [TABLE]: request });
  } catch (error) {
    if (error instanceof OvsdbRpcError && error.errorName === 'unknown database') return {};
    throw error;
  }
}
