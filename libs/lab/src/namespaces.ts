import { ip } from '@ovs-fleet/iproute';
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

/** Ends whatever runs inside the namespace (a namespace outlives its name while it holds processes), then deletes it. */
export async function removeNetnsContainer(lab: LabNames, name: string): Promise<void> {
  const netns = containerNetns(lab, name);
  const id = netnsId(netns);
  if (id === undefined) return;
  await terminate(processesInNetns(listProcesses(), new Set([id])).map((p) => p.pid));
  await ip(['netns', 'delete', netns]);
}
