import { ip, ipBatch, listLinks } from '@ovs-fleet/iproute';
import { containerNetns, LabNames } from './naming';
import { listProcesses, processesInNetns, netnsId, terminate } from './processes';

/** A plain "container": a namespace of the lab's with only `lo` (up) in it. */
export interface NetnsContainer {
  name: string;
  netns: string;
  /** For `nsenter --net=PATH` or setns(2). */
  path: string;
}

export async function createNetnsContainer(lab: LabNames, name: string): Promise<NetnsContainer> {
  const netns = containerNetns(lab, name);
  await ip(['netns', 'add', netns]);
  try {
    await ip(['link', 'set', 'lo', 'up'], { netns });
  } catch (error) {
    await ip(['netns', 'delete', netns]).catch(() => undefined);
    throw error;
  }
  return { name, netns, path: `/run/netns/${netns}` };
}

/**
 * Ends whatever runs inside the namespace (a namespace outlives its name while it holds
 * processes), deletes its interfaces, then the namespace. Deleting the interfaces first
 * makes their veth peers (e.g. on a host's br-int) disappear before this resolves; left to
 * the namespace's own teardown they would go a moment later, asynchronously.
 */
export async function removeNetnsContainer(lab: LabNames, name: string): Promise<void> {
  const netns = containerNetns(lab, name);
  const id = netnsId(netns);
  if (id === undefined) return;
  await terminate(processesInNetns(listProcesses(), new Set([id])).map((p) => p.pid));
  const links = (await listLinks({ netns })).filter((l) => l.ifname !== 'lo');
  // -force: a device that cannot be deleted (a physical one moved in) goes back with the namespace.
  await ipBatch(links.map((l) => ['link', 'delete', 'dev', l.ifname]), { netns, force: true }).catch(() => undefined);
  await ip(['netns', 'delete', netns]);
}
