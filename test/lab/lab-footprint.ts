import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { listLinks, listNetns, run } from '@ovs-fleet/iproute';
import { labNames, podmanEnv } from '@ovs-fleet/lab';

/** Everything on the machine that carries one of the given labs' names. */
export interface LabFootprint {
  netns: string[];
  links: string[];
  processes: string[];
  files: string[];
  containers: string[];
}

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? [join(dir, e.name) + '/', ...walk(join(dir, e.name))] : [join(dir, e.name)]));
}

function processesNaming(dirs: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // hidden
      }
      if (dirs.some((d) => cmdline.includes(d + '/') || cwd === d || cwd.startsWith(d + '/') || cwd.startsWith(d + ' '))) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone
    }
  }
  return found;
}

export async function labFootprint(names: readonly string[], root: string): Promise<LabFootprint> {
  const labs = names.map((n) => labNames(n, root));
  const [netns, links, podman] = await Promise.all([
    listNetns(),
    listLinks(),
    run('podman', ['ps', '-a', '--format', '{{.Names}}'], { env: podmanEnv() }),
  ]);
  return {
    netns: netns.filter((n) => labs.some((l) => n.startsWith(l.netnsPrefix))).sort(),
    links: links.map((l) => l.ifname).filter((n) => labs.some((l) => n.startsWith(l.linkPrefix))).sort(),
    processes: processesNaming(labs.map((l) => l.runDir)).sort(),
    files: labs.flatMap((l) => walk(l.runDir)).sort(),
    containers: podman.stdout.split('\n').filter((n) => labs.some((l) => n.startsWith(l.podmanPrefix))).sort(),
  };
}
