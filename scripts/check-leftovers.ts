/**
 * Leftovers are bugs: `snapshot FILE` records what the machine holds before the suites run,
 * `compare FILE` lists anything the suites added and did not remove (namespaces, links,
 * daemons and processes started from the project, podman containers running or stopped,
 * entries in the lab's run directory, temp dirs) and exits 1 if there is any.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { listLinks, listNetns, run } from '@ovs-fleet/iproute';
import { defaultLabRoot, podmanEnv } from '@ovs-fleet/lab';

const DAEMONS = /^(ovsdb-server|ovs-vswitchd|redis-server|podman|conmon)$/;
/** What the suites hold network namespaces open with: counted only inside another namespace than ours (a developer's own `sleep` is not a leftover). */
const NAMESPACE_HOLDERS = /^sleep$/;
/** The checkout: a process whose command line names it was started from the project. */
const PROJECT_ROOT = resolve(__dirname, '..');

/** One thing on the machine: `key` tells it apart across snapshots, `label` is what is printed. */
export interface Item {
  key: string;
  label: string;
}

export interface MachineState {
  netns: Item[];
  links: Item[];
  processes: Item[];
  podman: Item[];
  labRunDir: Item[];
  tmp: Item[];
}

const named = (names: string[]): Item[] => names.map((name) => ({ key: name, label: name }));

function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process and the ones that started it (tsx, npx, the test script): they are not leftovers. */
function selfAndAncestors(): Set<number> {
  const chain = new Set<number>();
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 1 && !chain.has(pid); pid = parentOf(pid)) chain.add(pid);
  return chain;
}

/** A process this one started (tsx's esbuild service, an `ip` listing): not a leftover either. */
function descendsFromSelf(pid: number): boolean {
  for (let p: number | undefined = parentOf(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) if (p === process.pid) return true;
  return false;
}

function inOtherNetns(pid: string): boolean {
  return readlinkSync(`/proc/${pid}/ns/net`) !== readlinkSync('/proc/self/ns/net');
}

/** Daemons of the kinds the suites start, namespace holders, and any process whose command line names the project's checkout. */
function processes(root = PROJECT_ROOT): Item[] {
  const ours = selfAndAncestors();
  const found: Item[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    if (ours.has(Number(pid)) || descendsFromSelf(Number(pid))) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!DAEMONS.test(comm) && !cmdline.includes(root) && !(NAMESPACE_HOLDERS.test(comm) && inOtherNetns(pid))) continue;
      // A zombie has ended and holds nothing; this machine's PID 1 reaps orphans late.
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state === 'Z') continue;
      const label = `${pid} ${cmdline}`;
      found.push({ key: label, label });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}

/** Every podman container, running or stopped (`podman ps -a`); none when podman is not installed. */
async function podmanContainers(): Promise<Item[]> {
  if (!onPath('podman')) return [];
  const { stdout } = await run('podman', ['ps', '-a', '--format', 'json'], { env: podmanEnv() });
  const all = (stdout.trim() === '' ? [] : JSON.parse(stdout)) as { Id: string; Names?: string[]; State?: string }[];
  return all.map((c) => ({ key: c.Id, label: `${(c.Names ?? [])[0] ?? '?'} (${c.Id.slice(0, 12)}, ${c.State ?? 'unknown state'})` }));
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // not there (yet)
  }
}

export async function snapshot(): Promise<MachineState> {
  const labRoot = defaultLabRoot();
  return {
    netns: named(await listNetns()),
    links: named((await listLinks()).map((link) => link.ifname)),
    processes: processes(),
    podman: await podmanContainers(),
    labRunDir: named(entries(labRoot).map((entry) => join(labRoot, entry))),
    tmp: named(entries('/tmp').filter((entry) => entry.startsWith('ovs-fleet') || entry.startsWith('ovsdb-'))),
  };
}

/** What `after` holds that `before` did not, as printable lines (`kind: label`). */
export function leftovers(before: MachineState, after: MachineState): string[] {
  return (Object.keys(after) as (keyof MachineState)[]).flatMap((kind) => {
    const known = new Set((before[kind] ?? []).map((item) => item.key));
    return after[kind].filter((item) => !known.has(item.key)).map((item) => `${kind}: ${item.label}`);
  });
}

async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if (command === 'snapshot' && file) {
    writeFileSync(file, JSON.stringify(await snapshot()));
    return;
  }
  if (command !== 'compare' || !file) throw new Error('usage: check-leftovers snapshot|compare FILE');
  const before = JSON.parse(readFileSync(file, 'utf8')) as MachineState;
  const added = leftovers(before, await snapshot());
  if (added.length === 0) {
    console.log('no leftovers: the suites removed everything they created');
    return;
  }
  console.log(`the suites left ${added.length} thing(s) behind:\n  ${added.join('\n  ')}`);
  process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
