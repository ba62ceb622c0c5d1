/**
 * scripts/check-leftovers.ts (the last step of `npm test`) must see what a suite could leave
 * behind: here a stopped podman container, an entry in the lab's run directory and a process
 * started from the project's checkout, each made between two snapshots and then removed.
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
let probePid: number | undefined;

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
  rmSync(labEntry, { recursive: true, force: true });
  await run('podman', ['rm', '-f', '-t', '0', container], { env: podmanEnv() }).catch(() => undefined);
});

it('reports a stopped podman container, a new entry in the lab run dir and a process started from the checkout, until they are gone', async () => {
  await ensureBusyboxImage(podmanEnv());
  const before = await snapshot();

  // Runs and exits at once: a stopped container, which `podman ps` without -a would not list.
  await run('podman', ['run', '--name', container, '--network', 'none', BUSYBOX_IMAGE, '/bin/true'], { env: podmanEnv() });
  mkdirSync(labEntry, { recursive: true });
  // Named by no daemon pattern: only its command line (a path in the checkout) makes it ours.
  probePid = await startOrphanProbe();

  const found = leftovers(before, await snapshot());
  expect(found).toEqual(expect.arrayContaining([
    expect.stringMatching(new RegExp(`^podman: ${container} \\([0-9a-f]{12}, exited\\)$`)),
    `labRunDir: ${labEntry}`,
    expect.stringMatching(new RegExp(`^processes: ${probePid} .*${PROBE}$`)),
  ]));

  kill(probePid);
  for (let i = 0; i < 100 && existsSync(`/proc/${probePid}/cmdline`) && readFileSync(`/proc/${probePid}/cmdline`).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  rmSync(labEntry, { recursive: true });
  await run('podman', ['rm', container], { env: podmanEnv() });
  const after = leftovers(before, await snapshot());
  expect(after.filter((line) => line.includes(container) || line.includes(labEntry) || line.includes('leftover-probe'))).toEqual([]);
});
