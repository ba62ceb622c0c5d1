import { OvsdbClient } from '@ovs-fleet/ovsdb/client/ovsdb-client';
import { OvsdbPortStore, OvsdbTransactor } from './ovsdb-port-store';

export interface PortStoreConnection {
  store: OvsdbPortStore;
  transactor: OvsdbTransactor;
  client: OvsdbClient;
  close(): void;
}

/**
 * The port store's view of an OvsdbClient: raw results, errors included, so the store can
 * tell a failed `wait` (a missing bridge, a slow ovs-vswitchd) from other failures.
 */
export function clientTransactor(client: OvsdbClient): OvsdbTransactor {
  return { transact: (database, operations) => client.transact(database, operations, { allowErrors: true }) };
}

/** Opens one OVSDB connection (`unix:PATH`, `tcp:HOST:PORT`) for an OvsdbPortStore; reuse it for every attach. */
export async function connectPortStore(remote: string, requestTimeoutMs = 30_000): Promise<PortStoreConnection> {
  const client = await OvsdbClient.connect(remote, { requestTimeoutMs });
  const transactor = clientTransactor(client);
  return { store: new OvsdbPortStore(transactor), transactor, client, close: () => client.close() };
}
