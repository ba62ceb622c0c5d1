/**
 * IpBatchSession against the real `ip`, in a network namespace this suite creates and
 * removes: changes batch after batch through one process, failures reported to the batch
 * they belong to, a restart after the process died, and nothing left running after close().
 */
import { randomBytes } from 'node:crypto';
import { CommandError, IpBatchSession, run } from '@ovs-fleet/iproute';

const NETNS = `ovfit-${randomBytes(3).toString('hex')}`;

async function links(): Promise<string[]> {
  const { stdout } = await run('ip', ['-n', NETNS, '-json', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
}

async function sessionProcesses(): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes(`ip -n ${NETNS} -force -batch -`));
}

let session: IpBatchSession;

beforeAll(async () => {
  await run('ip', ['netns', 'add', NETNS]);
  session = new IpBatchSession({ netns: NETNS });
});

afterAll(async () => {
  await session?.close();
  await run('ip', ['netns', 'del', NETNS]).catch(() => undefined);
});

it('runs batches sent at once in order, in one process, and reports a failure to its own batch only', async () => {
  const first = session.run([['link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'a1'], ['link', 'set', 'a0', 'up']]);
  const failing = session.run([['link', 'add', 'b0', 'type', 'veth', 'peer', 'name', 'b1'], ['link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'x1']]);
  const last = session.run([['link', 'set', 'b0', 'mtu', '1400']]);
  await expect(first).resolves.toBeDefined();
  const error = await failing.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CommandError);
  expect((error as CommandError).stderr).toMatch(/File exists[\s\S]*Command failed: link add a0 type veth peer name x1 \(batch line 2\)/);
  await expect(last).resolves.toBeDefined();
  expect(await links()).toEqual(['a0', 'a1', 'b0', 'b1', 'lo']);
  expect(await sessionProcesses()).toHaveLength(1);
});

it('deletes and re-creates a name across batches (no stale name cache in the long-lived ip)', async () => {
  for (let round = 0; round < 3; round++) {
    await session.run([['link', 'del', 'a0']]);
    await session.run([['link', 'add', 'a0', 'mtu', String(1300 + round), 'type', 'veth', 'peer', 'name', 'a1'], ['link', 'set', 'a0', 'up']]);
  }
  const { stdout } = await run('ip', ['-n', NETNS, '-json', 'link', 'show', 'dev', 'a0']);
  expect(JSON.parse(stdout)[0]).toMatchObject({ mtu: 1302, flags: expect.arrayContaining(['UP']) });
});

it('starts a new process when the old one was killed', async () => {
  const [line] = await sessionProcesses();
  const pid = Number(line.trim().split(/\s+/)[0]);
  process.kill(pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await expect(session.run([['link', 'set', 'b0', 'mtu', '1450']])).resolves.toBeDefined();
  const { stdout } = await run('ip', ['-n', NETNS, '-json', 'link', 'show', 'dev', 'b0']);
  expect(JSON.parse(stdout)[0].mtu).toBe(1450);
});

it('close() ends the process', async () => {
  expect(await sessionProcesses()).toHaveLength(1);
  await session.close();
  expect(await sessionProcesses()).toEqual([]);
});
