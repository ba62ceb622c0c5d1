/**
 * Leftovers are bugs: `snapshot FILE` records what the machine holds before the suites run,
 * `compare FILE` lists anything the suites added and did not remove (namespaces, links,
 * daemons, temp dirs) and exits 1 if there is any.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { listLinks, listNetns } from '@ovs-fleet/iproute';

const DAEMONS = /^(ovsdb-server|ovs-vswitchd|redis-server|podman|conmon|sleep)$/;

interface MachineState {
  netns: string[];
  links: string[];
  processes: string[];
  tmp: string[];
}

function processes(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!DAEMONS.test(comm)) continue;
      // A zombie has ended and holds nothing; this machine's PID 1 reaps orphans late.
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push(`${pid} ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

async function snapshot(): Promise<MachineState> {
  return {
    netns: await listNetns(),
    links: (await listLinks()).map((link) => link.ifname),
    processes: processes(),
    tmp: readdirSync('/tmp').filter((entry) => entry.startsWith('ovs-fleet') || entry.startsWith('ovsdb-')),
  };
}

async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if (command === 'snapshot' && file) {
    writeFileSync(file, JSON.stringify(await snapshot()));
    return;
  }
  if (command !== 'compare' || !file) throw new Error('usage: check-leftovers snapshot|compare FILE');
  const before = JSON.parse(readFileSync(file, 'utf8')) as MachineState;
  const after = await snapshot();
  const added = (Object.keys(after) as (keyof MachineState)[]).flatMap((kind) =>
    after[kind].filter((item) => !before[kind].includes(item)).map((item) => `${kind}: ${item}`),
  );
  if (added.length === 0) {
    console.log('no leftovers: the suites removed everything they created');
    return;
  }
  console.log(`the suites left ${added.length} thing(s) behind:\n  ${added.join('\n  ')}`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
