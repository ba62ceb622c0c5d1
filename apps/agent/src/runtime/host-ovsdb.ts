import { FleetError } from '@ovs-fleet/errors';
import { OvsdbIdl, type IndexSpec } from '@ovs-fleet/ovsdb';
import { IdlPortStore, PORT_STORE_INDEXES, type PortStore } from '@ovs-fleet/plumbing';
import type { AgentLogger } from '../observability/logger';

export const OPEN_VSWITCH = 'Open_vSwitch';

/** Lookups instead of scans: rows by name (the command layer, drift detection), and what the plumbing's store looks up. */
const NAME_INDEXES: IndexSpec[] = (['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true }));
const INDEXES: IndexSpec[] = [...NAME_INDEXES, ...PORT_STORE_INDEXES.filter((spec) => !NAME_INDEXES.some((own) => own.table === spec.table && own.column === spec.column))];

export interface HostOvsdbOptions {
  remote: string;
  logger: AgentLogger;
  /** Per attempt to connect at start (libs/ovsdb's default otherwise); requests keep the library's timeouts. */
  connectTimeoutMs?: number;
  /** Stops trying to connect (the agent is shutting down). */
  signal?: AbortSignal;
}

/**
 * The agent's one connection to the host's ovsdb-server: an OvsdbIdl replica of the whole
 * database (so also every table IdlPortStore needs; the schema is the server's, so any OVS
 * version works), kept in sync across reconnections. Keeps trying while the server is away,
 * until connected or `signal` aborts; gives up at once when the remote cannot be an OVSDB
 * server at all (it speaks another protocol, or lacks the database).
 */
export async function connectHostOvsdb(options: HostOvsdbOptions): Promise<OvsdbIdl> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await OvsdbIdl.connect({ remote: options.remote, database: OPEN_VSWITCH, indexes: INDEXES, connectTimeoutMs: options.connectTimeoutMs });
    } catch (error) {
      if (options.signal?.aborted || (error instanceof FleetError && !error.retryable)) throw error;
      if (attempt === 1) options.logger.warn({ err: error, remote: options.remote }, 'cannot reach ovsdb-server yet; still trying');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (options.signal?.aborted) throw error;
    }
  }
}

/** libs/plumbing's port store on the agent's own OVSDB connection and replica (no second connection per host). */
export function portStoreOn(idl: OvsdbIdl): PortStore {
  return new IdlPortStore(idl);
}

/** The host's OVS version from its Open_vSwitch row ('' until ovs-vswitchd has written it). */
export function ovsVersion(idl: OvsdbIdl | null): string {
  if (idl === null) return '';
  for (const row of idl.replica.table(OPEN_VSWITCH).values()) {
    const version = (row as { ovs_version?: unknown }).ovs_version;
    if (typeof version === 'string') return version;
  }
  return '';
}
