import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CommandError, ipBatch, listLinks, listNetns } from '@ovs-fleet/iproute';
import { clearStaleAllocationLock } from './allocation-lock';
import { LabNames } from './naming';
import { removeLabContainers } from './podman';
import { findOwnedProcesses, listProcesses, netnsId, terminate } from './processes';
import { readState } from './state';
import { waitFor } from './wait';

export interface TeardownReport {
  name: string;
  containers: string[];
  processes: { pid: number; command: string }[];
  netns: string[];
  links: string[];
}

function isMissingProgram(error: unknown): boolean {
  return error instanceof CommandError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function labLinks(lab: LabNames): Promise<string[]> {
  return (await listLinks()).map((l) => l.ifname).filter((n) => n.startsWith(lab.linkPrefix));
}

/**
 * Removes everything of a lab, found from its name alone (the state file is only a hint
 * whether podman was used): its podman containers, every process naming its run dir or
 * living in its namespaces (SIGTERM, then SIGKILL), its namespaces, its root-namespace
 * links, and its run dir, and an allocation lock file left by a killed `up` (unless held).
 * Safe to run on a lab that is half built, crashed, or gone.
 */
export async function destroyLab(lab: LabNames): Promise<TeardownReport> {
  const state = await readState(lab.stateFile).catch(() => undefined);
  let containers: string[] = [];
  if (state?.podman !== false) {
    containers = await removeLabContainers(lab).catch((error: unknown) => {
      if (isMissingProgram(error)) return [];
      throw error;
    });
  }

  const [netns, links] = await Promise.all([listNetns().then((all) => all.filter((n) => n.startsWith(lab.netnsPrefix))), labLinks(lab)]);
  const ids = new Set(netns.map(netnsId).filter((id): id is string => id !== undefined));
  const owned = findOwnedProcesses(listProcesses(), lab.runDir, ids);
  await terminate(owned.map((p) => p.pid));

  // Errors are checked below by listing what is left, not per command.
  await ipBatch(netns.map((n) => ['netns', 'delete', n]), { force: true }).catch(() => undefined);
  // Veths whose peer was in a deleted namespace vanish on their own, a moment later.
  await waitFor(`links ${lab.linkPrefix}* to go`, async () => {
    const left = await labLinks(lab);
    if (left.length === 0) return true;
    await ipBatch(left.map((n) => ['link', 'delete', n]), { force: true }).catch(() => undefined);
    return undefined;
  });
  const netnsLeft = (await listNetns()).filter((n) => n.startsWith(lab.netnsPrefix));
  if (netnsLeft.length > 0) throw new Error(`could not delete namespaces ${netnsLeft.join(', ')}`);

  await rm(lab.runDir, { recursive: true, force: true });
  await clearStaleAllocationLock(dirname(lab.runDir));
  return { name: lab.name, containers, processes: owned.map((p) => ({ pid: p.pid, command: p.cmdline.join(' ').trim() })), netns, links };
}
