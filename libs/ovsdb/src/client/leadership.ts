import { OvsdbConnectionError } from '../errors';
import type { RowUpdate2, TableUpdates2, WireRow } from '../protocol/wire';
import type { MonitorId, OvsdbClient } from './ovsdb-client';

/** The server is not (or no longer) where writes to a clustered database should go. */
export class OvsdbNotLeaderError extends OvsdbConnectionError {
  override readonly code: string = 'OVSDB_NOT_LEADER';
}

export interface LeaderWatch {
  /** True for the monitor id this watch uses (its updates are internal, not for callers). */
  owns(monitorId: MonitorId): boolean;
}

const WATCH_TAG = 'ovs-fleet/leader-watch';

interface DatabaseStatus {
  model?: string;
  leader?: boolean;
  connected?: boolean;
}

/**
 * Checks in `_Server`'s `Database` table that `database` is served here and, if it is
 * clustered, that this server is connected to the cluster and is its leader; then keeps
 * watching that row (monitor_cond) and calls `onLost` when leadership or the cluster
 * connection goes. One round trip. Throws OvsdbNotLeaderError when this server does not qualify.
 */
export async function requireLeader(client: OvsdbClient, database: string, onLost: (reason: Error) => void): Promise<LeaderWatch> {
  const monitorId = [WATCH_TAG, database];
  const status: DatabaseStatus = {};
  const apply = (updates: TableUpdates2 | undefined): string | undefined => {
    for (const change of Object.values(updates?.Database ?? {})) {
      const row = rowOf(change);
      if (row === null) return `database ${database} is no longer served`;
      if (row) Object.assign(status, pick(row));
    }
    if (status.model === 'clustered' && !(status.leader && status.connected)) {
      return `not the leader of clustered database ${database} (leader=${status.leader}, connected=${status.connected})`;
    }
    return undefined;
  };
  const listener = (id: MonitorId, updates: TableUpdates2) => {
    if (!isWatch(id)) return;
    const problem = apply(updates);
    if (problem) {
      client.off('update2', listener);
      onLost(new OvsdbNotLeaderError(problem, client.remote));
    }
  };

  const initial = await client.monitorCond('_Server', monitorId, {
    Database: { columns: ['name', 'model', 'leader', 'connected'], where: [['name', '==', database]] },
  });
  if (Object.keys(initial.Database ?? {}).length === 0) throw new OvsdbNotLeaderError(`does not serve database ${database}`, client.remote);
  const problem = apply(initial);
  if (problem) throw new OvsdbNotLeaderError(problem, client.remote);
  if (status.model === 'clustered') client.on('update2', listener);
  return { owns: isWatch };
}

const isWatch = (id: MonitorId) => Array.isArray(id) && id[0] === WATCH_TAG;

/** The row's new column values; null for a deletion. */
function rowOf(change: RowUpdate2): WireRow | null {
  if ('delete' in change) return null;
  if ('initial' in change) return change.initial;
  if ('insert' in change) return change.insert;
  return change.modify;
}

function pick(row: WireRow): DatabaseStatus {
  const status: DatabaseStatus = {};
  if (typeof row.model === 'string') status.model = row.model;
  if (typeof row.leader === 'boolean') status.leader = row.leader;
  if (typeof row.connected === 'boolean') status.connected = row.connected;
  return status;
}
