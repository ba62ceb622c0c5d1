import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listAddresses, listLinks, listNetns, listRoutes } from '@ovs-fleet/iproute';
import { MachineNetworks } from './conflicts';
import { LabNames } from './naming';
import { readState } from './state';

/** Names of the labs that have a run dir under `root`. */
export async function labsUnder(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The root namespace's addresses and routes (all tables, both families), and the other labs' ranges. */
export async function readMachineNetworks(root: string): Promise<MachineNetworks> {
  const [addresses, routes4, routes6, labNames] = await Promise.all([listAddresses(), listRoutes(4), listRoutes(6), labsUnder(root)]);
  const states = await Promise.all(labNames.map((name) => readState(join(root, name, 'state.json')).catch(() => undefined)));
  return {
    addresses,
    routes: [...routes4, ...routes6],
    labs: states.filter((s) => s !== undefined).map((s) => ({ name: s.name, ranges: s.ranges })),
  };
}

/** Anything of this lab already on the machine: its run dir, namespaces or links. */
export async function findExisting(lab: LabNames, root: string): Promise<string[]> {
  const [labs, netns, links] = await Promise.all([labsUnder(root), listNetns(), listLinks()]);
  return [
    ...(labs.includes(lab.name) ? [`run dir ${lab.runDir}`] : []),
    ...netns.filter((n) => n.startsWith(lab.netnsPrefix)).map((n) => `namespace ${n}`),
    ...links.filter((l) => l.ifname.startsWith(lab.linkPrefix)).map((l) => `link ${l.ifname}`),
  ];
}
