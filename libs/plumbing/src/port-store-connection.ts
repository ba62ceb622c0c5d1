import { OvsdbIdl } from '@ovs-fleet/ovsdb';
import { IdlPortStore, PORT_STORE_INDEXES, PORT_STORE_TABLES } from './idl-port-store';

export interface PortStoreConnection {
  store: IdlPortStore;
  /** The one OVSDB connection and replica; share it with anything else that reads or writes the host's database. */
  idl: OvsdbIdl;
  close(): void;
}

/**
 * Opens an OvsdbIdl (`unix:PATH`, `tcp:HOST:PORT`) mirroring what IdlPortStore needs, and a
 * store on it. A convenience for tools and tests: a service that already keeps an OvsdbIdl of
 * the host (the agent) makes `new IdlPortStore(idl)` on that one instead of a second connection.
 */
export async function connectPortStore(remote: string, options: { requestTimeoutMs?: number } = {}): Promise<PortStoreConnection> {
  const idl = await OvsdbIdl.connect({
    remote,
    database: 'Open_vSwitch',
    tables: PORT_STORE_TABLES,
    indexes: PORT_STORE_INDEXES,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });
  return { store: new IdlPortStore(idl), idl, close: () => idl.close() };
}
