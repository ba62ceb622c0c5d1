/**
 * Real podman containers (`--network none`) on a lab host, found by name through podman's
 * Docker-compatible API socket; and ovs-docker (OVS's own script, with the Docker CLI pointed at
 * that socket) attaching the same container, to compare the rows and to let it delete our port.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IpAddr, run } from '@ovs-fleet/iproute';
import { LabPodman, PodmanContainer, podmanEnv } from '@ovs-fleet/lab';
import { Plumber, ValidationError } from '@ovs-fleet/plumbing';
import { BRIDGE, hostLinkNames, ipJsonAt, pings, PlumbingLab, startPlumbingLab, vsctl } from './support/plumbing-lab';

jest.setTimeout(180_000);

let env: PlumbingLab;
let podman: LabPodman;
let plumber: Plumber;
let web: PodmanContainer;
let peer: PodmanContainer;

beforeAll(async () => {
  env = await startPlumbingLab(true);
  podman = await env.lab.podman();
  [web, peer] = await Promise.all([podman.run('web1'), podman.run('web2')]);
  plumber = new Plumber({ store: env.ovsdb.store, hostNetns: env.host.netns, dockerSocket: podman.socketPath });
});

afterEach(async () => {
  // Each test starts from containers with nothing attached, even after a failure.
  for (const c of [web, peer]) if (c) await plumber.detach({ containerId: c.id });
});

afterAll(async () => {
  await plumber?.close();
  await env?.dispose();
});

/** ovs-docker as its manual says, run on the lab host: its ovs-vsctl finds the host's db through OVS_RUNDIR. */
function ovsDocker(args: readonly string[]) {
  return run('ip', ['netns', 'exec', env.host.netns, 'ovs-docker', ...args], {
    env: { ...process.env, OVS_RUNDIR: env.host.runDir, DOCKER_HOST: `unix://${podman.socketPath}` },
  });
}

/** One row of OVS's database as ovs-vsctl prints it: column -> value text. */
async function row(table: 'Interface' | 'Port', name: string, columns: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const column of columns) out[column] = await vsctl(env.host, ['get', table, name, column]);
  return out;
}

describe('podman containers through the Docker-compatible API', () => {
  it('attaches to a container found by name, and two of them talk', async () => {
    const a = await plumber.attach({ container: { dockerContainer: web.podmanName }, bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.95.2/24'], mtu: 1400, tag: 5 });
    await plumber.attach({ container: { dockerContainer: peer.podmanName }, bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.95.3/24'], mtu: 1400, tag: 5 });
    expect(a.attachment.containerId).toBe(web.id);
    expect(a.attachment.containerName).toBe(web.podmanName);
    expect(a.attachment.netnsPath).toBe(`/proc/${web.pid}/ns/net`);
    const [eth0] = await ipJsonAt<IpAddr[]>(`/proc/${web.pid}/ns/net`, ['address', 'show', 'dev', 'eth0']);
    expect(eth0).toMatchObject({ mtu: 1400, address: a.attachment.spec.mac });
    expect(await pings(`/proc/${web.pid}/ns/net`, '198.18.95.3')).toBe(true);
    // The same container by its full id is the same attachment.
    const byId = await plumber.attach({ container: { dockerContainer: web.id }, bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.95.2/24'], mtu: 1400, tag: 5 });
    expect(byId).toEqual({ attachment: a.attachment, changed: false });
  });

  it('finds the attachment of a stopped container stale, and re-plumbs it once the container runs again', async () => {
    const req = { container: { dockerContainer: web.podmanName }, bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.97.2/24'], tag: 6 };
    const { attachment } = await plumber.attach(req);
    await plumber.attach({ ...req, container: { dockerContainer: peer.podmanName }, addresses: ['198.18.97.3/24'] });
    await run('podman', ['stop', '-t', '0', web.podmanName], { env: podmanEnv() });
    const [stale] = await plumber.findStale();
    expect(stale.attachment.attachmentId).toBe(attachment.attachmentId);
    expect(stale.reasons).toEqual(expect.arrayContaining(['host-veth-missing']));
    expect(stale.reasons.some((r) => r === 'namespace-gone' || r === 'namespace-replaced')).toBe(true);
    await expect(plumber.attach(req)).rejects.toThrow(/not running/);

    await run('podman', ['start', web.podmanName], { env: podmanEnv() });
    const pid = await podman.pid('web1');
    web = { ...web, pid };
    await expect(plumber.attach(req)).rejects.toThrow(/earlier namespace of the container: use replumb\(\)/);
    const { attachment: again } = await plumber.replumb(attachment.attachmentId, req.container);
    expect(again.netnsPath).toBe(`/proc/${pid}/ns/net`);
    expect(again.spec).toEqual(attachment.spec);
    expect(await pings(again.netnsPath, '198.18.97.3')).toBe(true);
    expect(await plumber.findStale()).toEqual([]);
  });

  it('knows the container attached by name when it is named by its PID: same attachment, and detach by PID finds it', async () => {
    const req = { bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.98.2/24'], tag: 8 };
    const byName = await plumber.attach({ ...req, container: { dockerContainer: web.podmanName } });
    const byPid = await plumber.attach({ ...req, container: { pid: web.pid } });
    expect(byPid).toEqual({ attachment: byName.attachment, changed: false });
    await expect(plumber.attach({ ...req, container: { pid: web.pid }, tag: 9 })).rejects.toThrow(/already attached differently \(tag\)/);
    const detached = await plumber.detach({ container: { pid: web.pid } });
    expect(detached.map((a) => a.attachmentId)).toEqual([byName.attachment.attachmentId]);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe('');
  });

  it('detaches a stopped container named by its name, through the id it recorded', async () => {
    const { attachment } = await plumber.attach({ container: { dockerContainer: web.podmanName }, bridge: BRIDGE, ifname: 'eth0', addresses: ['198.18.99.2/24'] });
    await run('podman', ['stop', '-t', '0', web.podmanName], { env: podmanEnv() });
    try {
      const detached = await plumber.detach({ container: { dockerContainer: web.podmanName } });
      expect(detached.map((a) => a.attachmentId)).toEqual([attachment.attachmentId]);
      expect((await vsctl(env.host, ['list-ports', BRIDGE])).split('\n')).not.toContain(attachment.hostIfname);
      expect(await hostLinkNames(env.host)).not.toContain(attachment.hostIfname);
    } finally {
      await run('podman', ['start', web.podmanName], { env: podmanEnv() });
      web = { ...web, pid: await podman.pid('web1') };
    }
  });

  it('refuses an unknown container and changes nothing', async () => {
    const before = await hostLinkNames(env.host);
    await expect(plumber.attach({ container: { dockerContainer: 'no-such-container' }, bridge: BRIDGE, ifname: 'eth0' })).rejects.toThrow(ValidationError);
    await expect(plumber.attach({ container: { dockerContainer: 'no-such-container' }, bridge: BRIDGE, ifname: 'eth0' })).rejects.toThrow(/no container "no-such-container"/);
    expect(await hostLinkNames(env.host)).toEqual(before);
  });
});

/** The `docker` command ovs-docker would run: the first on PATH, as a shell finds it. */
function dockerCli(): string | undefined {
  return (process.env.PATH ?? '').split(':').filter((dir) => dir !== '').map((dir) => join(dir, 'docker')).find((file) => existsSync(file));
}

// Never skipped: without a Docker CLI ovs-docker cannot work, and the bootstrap installs one
// (podman-docker) when none is there, so a missing one is a failure.
describe('ovs-docker side by side', () => {
  it('has a Docker CLI on PATH for ovs-docker', () => {
    if (dockerCli() === undefined) throw new Error(`no docker command on PATH (${process.env.PATH}): ovs-docker needs one; scripts/bootstrap.sh installs podman-docker when none is there`);
  });

  const options = { ip: '198.18.96.2/24', gateway: '198.18.96.1', mac: '02:00:00:96:00:02', mtu: 1400 };

  it('makes comparable rows, and `ovs-docker del-port` removes a port we made', async () => {
    await ovsDocker(['add-port', BRIDGE, 'eth1', web.podmanName, `--ipaddress=${options.ip}`, `--gateway=${options.gateway}`, `--macaddress=${options.mac}`, `--mtu=${options.mtu}`]);
    await ovsDocker(['set-vlan', BRIDGE, 'eth1', web.podmanName, '9']);
    // Same settings but the gateway: ovs-docker's eth1 already holds the container's default route.
    const { attachment } = await plumber.attach({
      container: { dockerContainer: web.podmanName }, bridge: BRIDGE, ifname: 'eth2',
      addresses: [options.ip.replace('.2/', '.3/')], mac: options.mac.replace(/02$/, '03'), mtu: options.mtu, tag: 9,
    });
    const theirs = (await vsctl(env.host, ['--bare', '--columns=name', 'find', 'Interface', `external_ids:container_id=${web.podmanName}`, 'external_ids:container_iface=eth1']));
    expect(theirs).toMatch(/_l$/);

    const columns = ['type', 'options', 'admin_state', 'link_state'];
    const theirIface = await row('Interface', theirs, [...columns, 'external_ids', 'mtu_request']);
    const ourIface = await row('Interface', attachment.hostIfname, [...columns, 'external_ids', 'mtu_request']);
    for (const column of columns) expect({ column, value: ourIface[column] }).toEqual({ column, value: theirIface[column] });
    expect(theirIface.external_ids).toBe(`{container_id=${web.podmanName}, container_iface=eth1}`);
    // Ours carries ovs-docker's two keys (so its find works) plus the full id, attachment id, netns...
    expect(ourIface.external_ids).toContain(`container_id=${web.podmanName}`);
    expect(ourIface.external_ids).toContain('container_iface=eth2');
    // ovs-vsctl quotes a string only when it could be read as something else (e.g. starts with a digit).
    expect((await vsctl(env.host, ['get', 'Interface', attachment.hostIfname, 'external_ids:ovs-fleet-container-id'])).replace(/^"(.*)"$/, '$1')).toBe(web.id);
    // ...and asks OVS for the MTU, where ovs-docker leaves the host end at its default.
    expect(ourIface.mtu_request).toBe('1400');
    expect(theirIface.mtu_request).toBe('[]');
    const portColumns = ['tag', 'trunks', 'vlan_mode'];
    expect(await row('Port', attachment.hostIfname, portColumns)).toEqual(await row('Port', theirs, portColumns));

    const links = JSON.parse((await run('ip', ['-n', env.host.netns, '-json', 'link', 'show'])).stdout) as IpAddr[];
    expect(links.find((l) => l.ifname === attachment.hostIfname)?.mtu).toBe(1400);
    expect(links.find((l) => l.ifname === theirs)?.mtu).toBe(1500);

    // The container sees the same kind of interface from both.
    const inside = await ipJsonAt<IpAddr[]>(`/proc/${web.pid}/ns/net`, ['address', 'show']);
    const eth1 = inside.find((l) => l.ifname === 'eth1')!;
    const eth2 = inside.find((l) => l.ifname === 'eth2')!;
    expect([eth1.mtu, eth1.address]).toEqual([1400, options.mac]);
    expect([eth2.mtu, eth2.address]).toEqual([1400, options.mac.replace(/02$/, '03')]);
    expect(await pings(`/proc/${web.pid}/ns/net`, '198.18.96.2')).toBe(true);

    await ovsDocker(['del-port', BRIDGE, 'eth2', web.podmanName]);
    expect(await hostLinkNames(env.host)).not.toContain(attachment.hostIfname);
    expect((await vsctl(env.host, ['list-ports', BRIDGE])).split('\n')).not.toContain(attachment.hostIfname);
    expect(await plumber.inspect({ attachmentId: attachment.attachmentId })).toEqual([]);
    await ovsDocker(['del-port', BRIDGE, 'eth1', web.podmanName]);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe('');
  });
});
