import type { CommandTarget } from '@ovs-fleet/ovsdb';
import { MemoryHost } from '../../planner/testing/memory-host';
import { Converger } from '../converger';
import { MemoryPlumbing } from './memory-plumbing';

/**
 * A Converger over a MemoryHost (ovs-vswitchd answering, containers `containers` running),
 * for unit specs. Plumbing steps are written to `log`, and so are the OVSDB transactions when
 * `logTransactions` is set (to check the order of both).
 */
export async function memoryConverger(containers: readonly { netns: string }[], options: { logTransactions?: boolean } = {}) {
  const host = await MemoryHost.create();
  host.db.vswitchd = true;
  for (const container of containers) host.startContainer(container);
  const log: string[] = [];
  const ovsdb: CommandTarget = options.logTransactions
    ? {
        replica: host.db.replica,
        transact: (ops) => {
          log.push(`transaction (${ops.length} operations)`);
          return host.db.transact(ops);
        },
      }
    : host.db;
  const plumbing = new MemoryPlumbing(host, log);
  const converger = new Converger({ ovsdb, plumbing, probe: async () => host.probe, vswitchdTimeoutMs: 1000 });
  return { host, log, plumbing, converger };
}
