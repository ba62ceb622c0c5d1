/**
 * A real attach killed (SIGKILL) midway in a child process leaves a veth and perhaps a
 * half-made OVS port behind; recover() in a fresh Plumber removes all of it and nothing else.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AttachRequest, HOST_IF_PREFIX, Plumber } from '@ovs-fleet/plumbing';
import { NetnsContainer } from '@ovs-fleet/lab';
import { BRIDGE, hostLinkNames, ipJsonAt, PlumbingLab, startPlumbingLab, vsctl } from './support/plumbing-lab';

jest.setTimeout(120_000);

const TSX = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const CHILD = join(__dirname, 'support', 'attach-and-hang.ts');

let env: PlumbingLab;
let bystander: NetnsContainer;

beforeAll(async () => {
  env = await startPlumbingLab();
  bystander = await env.lab.createNamespace('keep');
});

afterAll(async () => {
  for (const name of ['keep', 'crash-addports', 'crash-vswitchd']) await env?.lab.removeNamespace(name).catch(() => undefined);
  await env?.dispose();
});

/** Runs the child until it prints `marker`, then kills it with SIGKILL. */
function attachAndKill(args: object, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child never reached ${marker}: ${err}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && out.includes(marker)) resolve();
      else reject(new Error(`child ended without reaching ${marker}: ${err}`));
    });
  });
}

const ourLinks = async () => (await hostLinkNames(env.host)).filter((n) => n.startsWith(HOST_IF_PREFIX));
const ourPorts = async () => (await vsctl(env.host, ['list-ports', BRIDGE])).split('\n').filter((n) => n.startsWith(HOST_IF_PREFIX));

describe.each([
  ['veth-created', 'addPorts'],
  ['port-added', 'vswitchd'],
] as const)('an attach killed at "%s"', (marker, hangAt) => {
  it('leaves leftovers that recover() removes, sparing a healthy attachment; the attach then succeeds', async () => {
    const plumber = new Plumber({ store: env.ovsdb.store, hostNetns: env.host.netns });
    const healthy = await plumber.attach({ container: { netns: bystander.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: ['198.18.91.1/24'], tag: 7 });
    const victim = await env.lab.createNamespace(`crash-${hangAt.toLowerCase()}`);
    const request: AttachRequest = { container: { netns: victim.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: ['198.18.91.2/24'], tag: 7 };

    await attachAndKill({ ovsdb: env.host.ovsdbUnix, hostNetns: env.host.netns, hangAt, request }, marker);

    const linksAfterCrash = await ourLinks();
    expect(linksAfterCrash).toHaveLength(2);
    expect(await ourPorts()).toHaveLength(hangAt === 'vswitchd' ? 2 : 1);
    expect((await ipJsonAt<{ ifname: string }[]>(victim.path, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo', 'eth1']);
    if (hangAt === 'vswitchd') await expect(plumber.attach(request)).rejects.toThrow(/interrupted run: call recover\(\) first/);

    const recovering = new Plumber({ store: env.ovsdb.store, hostNetns: env.host.netns });
    const report = await recovering.recover();
    await recovering.close();
    const crashed = linksAfterCrash.find((n) => n !== healthy.attachment.hostIfname);
    expect(report.removedLinks).toEqual([crashed]);
    expect(report.removedPorts).toEqual(hangAt === 'vswitchd' ? [crashed] : []);
    expect(await ourLinks()).toEqual([healthy.attachment.hostIfname]);
    expect(await ourPorts()).toEqual([healthy.attachment.hostIfname]);
    expect((await ipJsonAt<{ ifname: string }[]>(victim.path, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo']);

    const { changed } = await plumber.attach(request);
    expect(changed).toBe(true);
    expect(await plumber.recover()).toEqual({ removedPorts: [], removedLinks: [] });
    await plumber.detach({ container: { netns: victim.netns } });
    await plumber.detach({ attachmentId: healthy.attachment.attachmentId });
    await plumber.close();
    expect(await ourLinks()).toEqual([]);
  });
});
