import type { Replica } from '../replica/replica';
import { OvsdbError } from '../errors';
import { OvsdbVswitchdTimeoutError } from './errors';

/** Open_vSwitch.cur_cfg as the replica holds it (null: no row, or the column is not monitored). */
function currentCfg(replica: Replica): number | null {
  for (const row of replica.table('Open_vSwitch').values()) return typeof row.cur_cfg === 'number' ? row.cur_cfg : null;
  return null;
}

/**
 * Resolves once ovs-vswitchd reports (Open_vSwitch.cur_cfg) that it applied configuration
 * `cfg`, as `ovs-vsctl` does without --no-wait. The replica must monitor cur_cfg.
 */
export async function waitForVswitchd(replica: Replica, cfg: number, timeoutMs: number): Promise<void> {
  const meta = replica.schema.tables.get('Open_vSwitch');
  if (meta === undefined || !meta.columnsByName.has('cur_cfg')) {
    throw new OvsdbError('cannot wait for ovs-vswitchd: the schema has no Open_vSwitch.cur_cfg');
  }
  try {
    await replica.waitFor(() => (currentCfg(replica) ?? -Infinity) >= cfg, timeoutMs);
  } catch {
    throw new OvsdbVswitchdTimeoutError(cfg, currentCfg(replica), timeoutMs);
  }
}
