/**
 * scripts/check-leftovers.ts (the last step of `npm test`) must see what a suite could leave
 * behind: here a stopped podman container, an entry in the lab's run directory, a process
 * started from the project's checkout and a `sleep` holding a network namespace open, each
 * made between two snapshots and then removed; a `sleep` in the machine's own namespace (a
 * developer's) is none of the suites'.
 * Other engineers' runs may add things of their own meanwhile: only ours are asserted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { BUSYBOX_IMAGE, defaultLabRoot, ensureBusyboxImage, podmanEnv } from '@ovs-fleet/lab';
import { leftovers, snapshot } from '../../scripts/check-leftovers';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const tag = randomBytes(3).toString('hex');
const container = `ovs-fleet-leftover-${tag}`;
const labEntry = join(defaultLabRoot(), `leftover${tag}`);
const PROBE = join(ROOT, 'leftover-probe');
const netns = `ovsf-leftover-${tag}`;
let probePid: number | undefined;
const sleepers: number[] = [];

/** A `sleep` no child of this one (check-leftovers ignores its own children), inside `ns` or in this namespace. */
async function startOrphanSleep(seconds: string, ns?: string): Promise<number> {
  const argv = ns ? ['ip', 'netns', 'exec', ns, 'sleep', seconds] : ['sleep', seconds];
  const script = `const c = require('node:child_process').spawn(${JSON.stringify(argv[0])}, ${JSON.stringify(argv.slice(1))}, { detached: true, stdio: 'ignore' }); c.unref(); console.log(c.pid);`;
  const { stdout } = await run(process.execPath, ['-e', script]);
  const pid = Number(stdout.trim());
  sleepers.push(pid);
  return pid;
}

/** A process that names the checkout and is no child of this one (check-leftovers ignores its own children). */
async function startOrphanProbe(): Promise<number> {
  const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ${JSON.stringify(PROBE)}], { detached: true, stdio: 'ignore' }); c.unref(); console.log(c.pid);`;
  const { stdout } = await run(process.execPath, ['-e', script]);
  return Number(stdout.trim());
}

function kill(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

afterAll(async () => {
  kill(probePid);
  sleepers.forEach(kill);
  await run('ip', ['netns', 'del', netns]).catch(() => undefined);
  rmSync(labEntry, { recursive: true, force: true });
  await run('podman', ['rm', '-f', '-t', '0', container], { env: podmanEnv() }).catch(() => undefined);
});

it('reports a stopped podman container, a new entry in the lab run dir, a process started from the checkout and a sleep holding a namespace, until they are gone; not a sleep in the machine\'s namespace', async () => {
  await ensureBusyboxImage(podmanEnv());
  const before = await snapshot();

  // Runs and exits at once: a stopped container, which `podman ps` without -a would not list.
  await run('podman', ['run', '--name', container, '--network', 'none', BUSYBOX_IMAGE, '/bin/true'], { env: podmanEnv() });
  mkdirSync(labEntry, { recursive: true });
  // Named by no daemon pattern: only its command line (a path in the checkout) makes it ours.
  probePid = await startOrphanProbe();
  await run('ip', ['netns', 'add', netns]);
  const holder = await startOrphanSleep('1001', netns);
  const developers = await startOrphanSleep('1002');

  const found = leftovers(before, await snapshot());
  expect(found).toEqual(expect.arrayContaining([
    expect.stringMatching(new RegExp(`^podman: ${container} \\([0-9a-f]{12}, exited\\)$`)),
    `labRunDir: ${labEntry}`,
    expect.stringMatching(new RegExp(`^processes: ${probePid} .*${PROBE}$`)),
    `processes: ${holder} sleep 1001`,
  ]));
  expect(found.filter((line) => line.startsWith(`processes: ${developers} `))).toEqual([]);

  kill(probePid);
  sleepers.forEach(kill);
  await run('ip', ['netns', 'del', netns]);
  for (let i = 0; i < 100 && existsSync(`/proc/${probePid}/cmdline`) && readFileSync(`/proc/${probePid}/cmdline`).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  rmSync(labEntry, { recursive: true });
  await run('podman', ['rm', container], { env: podmanEnv() });
  const after = leftovers(before, await snapshot());
  expect(after.filter((line) => line.includes(container) || line.includes(labEntry) || line.includes('leftover-probe') || line.includes(netns) || line.includes('sleep 100'))).toEqual([]);
});
