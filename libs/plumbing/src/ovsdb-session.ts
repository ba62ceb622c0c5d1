import { JsonRpcSession } from '@ovs-fleet/ovsdb/protocol/jsonrpc-session';
import type { Operation, OperationResult } from '@ovs-fleet/ovsdb/protocol/wire';
import { connectRemote } from '@ovs-fleet/ovsdb/transport/connect';
import { OvsdbPortStore, OvsdbTransactor } from './ovsdb-port-store';

export interface PortStoreConnection {
  store: OvsdbPortStore;
  transactor: OvsdbTransactor;
  close(): void;
}

/**
 * One OVSDB connection (`unix:PATH`, `tcp:HOST:PORT`) carrying raw `transact` requests for an
 * OvsdbPortStore. Any other client with a `transact(db, ops)` can be handed to OvsdbPortStore instead.
 */
export async function connectPortStore(remote: string, requestTimeoutMs = 30_000): Promise<PortStoreConnection> {
  const socket = await connectRemote(remote);
  const session = new JsonRpcSession(socket, { remote, requestTimeoutMs });
  const transactor: OvsdbTransactor = {
    transact: (database: string, operations: Operation[]) => session.request<OperationResult[]>('transact', [database, ...operations]),
  };
  return { store: new OvsdbPortStore(transactor), transactor, close: () => session.close() };
}
