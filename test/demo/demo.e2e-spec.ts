/**
 * The README's first command, minus the bootstrap `npm test` has already run: the demo brings
 * up its lab, the controller and the agents, drives them through the REST API, shows traffic
 * of both networks crossing hosts and isolation between them, and removes everything again
 * (`--once`); and, run without it, it keeps running until `npm run demo -- down` or Ctrl-C
 * removes it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { Lab } from '@ovs-fleet/lab';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DEMO = join(ROOT, 'scripts', 'demo.ts');
// Its own lab names: a demo a user keeps running is left alone.
const ONCE = `dm${randomBytes(3).toString('hex')}`;
const KEPT = `dk${randomBytes(3).toString('hex')}`;
const INTERRUPTED = `di${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  await Lab.down(ONCE); // after a failure half-way
  await Lab.down(KEPT);
  await Lab.down(INTERRUPTED);
});

it('--once: every check as expected, every change through the REST API, and the lab is gone afterwards', async () => {
  const { stdout } = await run(TSX, [DEMO, '--once', '--name', ONCE], { timeoutMs: 170_000 });
  expect(stdout).toMatch(/\$ curl -sS -X POST http:\/\/127\.0\.0\.1:\d+\/v1\/networks -H "Authorization: Bearer \$TOKEN"/);
  expect(stdout).toMatch(/reaches +blue1 \(\S+-h1\) -> blue2 \(\S+-h2\) 198\.18\.10\.\d+, same network, VXLAN +\(as expected\)/);
  expect(stdout).toMatch(/reaches +blue1 \(\S+-h1\) -> blue3 \(\S+-h3\) 198\.18\.10\.\d+, same network, VXLAN +\(as expected\)/);
  // Red reaches red across hosts: blue not reaching red below is isolation, not a broken red.
  expect(stdout).toMatch(/reaches +red1 \(\S+-h1\) -> red2 \(\S+-h2\) 198\.18\.10\.102, same network, Geneve +\(as expected\)/);
  expect(stdout).toMatch(/does not +blue1 \(\S+-h1\) -> red2 \(\S+-h2\) 198\.18\.10\.102, other network +\(as expected\)/);
  expect(stdout).toContain('All checks behaved as expected.');
  expect(await Lab.list()).not.toContain(ONCE);
});

/** A demo started without --once (`detached`: in a process group of its own), once it says it keeps running or has ended. */
async function keptDemo(command: string, args: string[], detached = false) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 150_000;
  while (!out.includes('Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  return { child, exited, out: () => out };
}

it('without --once it keeps running, says where the API is, and `down` removes it', async () => {
  const { child, exited, out: output } = await keptDemo(TSX, [DEMO, '--name', KEPT]);
  try {
    const out = output();
    expect(out).toContain('All checks behaved as expected.');
    const api = /REST API +(http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out)?.[1];
    const token = /token +(\S+) +\(admin\)/.exec(out)?.[1];
    const topology = await fetch(`${api}/v1/topology`, { headers: { Authorization: `Bearer ${token}` } });
    expect(topology.status).toBe(200);
    expect(((await topology.json()) as { hosts: unknown[] }).hosts).toHaveLength(3);
    await run(TSX, [DEMO, 'down', '--name', KEPT], { timeoutMs: 60_000 });
    expect(await exited).toBe(0);
    expect(output()).toContain('The demo was removed.');
    expect(await Lab.list()).not.toContain(KEPT);
  } finally {
    child.kill('SIGKILL');
  }
});

it('Ctrl-C (SIGINT to its whole process group, as a terminal sends it) removes everything', async () => {
  // The README's command: the whole chain of processes a user's Ctrl-C reaches.
  const { child, exited } = await keptDemo('npm', ['run', '-s', 'demo', '--', '--name', INTERRUPTED], true);
  try {
    expect(await Lab.list()).toContain(INTERRUPTED);
    process.kill(-(child.pid as number), 'SIGINT');
    await exited; // npm itself may end at once; the demo goes on removing the lab
    const removedBy = Date.now() + 60_000;
    while ((await Lab.list()).includes(INTERRUPTED) && Date.now() < removedBy) await new Promise((r) => setTimeout(r, 500));
    expect(await Lab.list()).not.toContain(INTERRUPTED);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(INTERRUPTED);
  } finally {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
