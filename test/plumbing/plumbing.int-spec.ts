/**
 * The plumbing library against a real lab host: its own namespace with ovsdb-server and
 * ovs-vswitchd (userspace datapath), plain-namespace containers, real veths and traffic.
 */
import { spawn } from 'node:child_process';
import { IpAddr, IpRoute, run, ValidationError } from '@ovs-fleet/iproute';
import { Attachment, AttachRequest, ConflictError, countingRunner, defaultRunner, hostIfname, Plumber } from '@ovs-fleet/plumbing';
import { NetnsContainer } from '@ovs-fleet/lab';
import { BRIDGE, hostLinkNames, ipJsonAt, pings, PlumbingLab, startPlumbingLab, vsctl } from './support/plumbing-lab';

jest.setTimeout(120_000);

let env: PlumbingLab;
let plumber: Plumber;
const runner = countingRunner(defaultRunner);
const containers = new Map<string, NetnsContainer>();

async function container(name: string): Promise<NetnsContainer> {
  const c = await env.lab.createNamespace(name);
  containers.set(name, c);
  return c;
}

function request(c: NetnsContainer, ip: string, extra: Partial<AttachRequest> = {}): AttachRequest {
  return { container: { netns: c.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: [`${ip}/24`], tag: 10, ...extra };
}

beforeAll(async () => {
  env = await startPlumbingLab();
  plumber = new Plumber({ store: env.ovsdb.store, hostNetns: env.host.netns, runner });
});

afterAll(async () => {
  await plumber?.close();
  for (const name of containers.keys()) await env?.lab.removeNamespace(name).catch(() => undefined);
  await env?.dispose();
});

describe('attachMany', () => {
  it('plumbs six containers in groups of three, one ovs-vswitchd reconfiguration per group; each reaches the first one; one bad request fails alone', async () => {
    const many = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => container(`m${i}`)));
    const requests = many.map((c, i) => request(c, `198.18.76.${i + 1}`, { tag: 76 }));
    const nextCfg = async () => Number(await vsctl(env.host, ['get', 'Open_vSwitch', '.', 'next_cfg']));
    const before = await nextCfg();
    const outcomes = await plumber.attachMany([...requests, request(many[0], '198.18.76.99', { ifname: 'eth1;x' })], { concurrency: 3 });
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    // ovs-vsctl's way of asking ovs-vswitchd to reconfigure: one next_cfg bump per group of three.
    expect((await nextCfg()) - before).toBe(2);
    for (const c of many.slice(1)) expect(await pings(c.path, '198.18.76.1')).toBe(true);
    const hostEnds = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.attachment.hostIfname] : []));
    expect(hostEnds.every((name) => name.startsWith('ovfc'))).toBe(true);

    const beforeDetach = await nextCfg();
    const detached = await plumber.detachMany(many.map((c) => ({ container: { netns: c.netns } })));
    expect(detached.map((o) => (o.status === 'fulfilled' ? o.value.map((a) => a.hostIfname) : o.reason))).toEqual(hostEnds.map((name) => [name]));
    expect((await nextCfg()) - beforeDetach).toBe(1);
    const left = await hostLinkNames(env.host);
    expect(hostEnds.filter((name) => left.includes(name))).toEqual([]);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).not.toMatch(new RegExp(hostEnds.join('|')));
  });
});

describe('VLAN isolation', () => {
  let a: Attachment;
  let b: Attachment;
  let ca: NetnsContainer;
  let cb: NetnsContainer;

  beforeAll(async () => {
    ca = await container('va');
    cb = await container('vb');
    a = (await plumber.attach(request(ca, '198.18.77.1'))).attachment;
    b = (await plumber.attach(request(cb, '198.18.77.2'))).attachment;
  });

  it('two containers on the same VLAN ping each other', async () => {
    expect(await pings(ca.path, '198.18.77.2')).toBe(true);
    expect(await pings(cb.path, '198.18.77.1')).toBe(true);
  });

  it('on different VLANs they do not, and again do once back on one VLAN', async () => {
    await plumber.setVlan({ attachmentId: b.attachmentId }, { tag: 20 });
    expect(await vsctl(env.host, ['get', 'Port', b.hostIfname, 'tag'])).toBe('20');
    await run('nsenter', [`--net=${ca.path}`, 'ip', 'neigh', 'flush', 'dev', 'eth1']);
    expect(await pings(ca.path, '198.18.77.2', 3)).toBe(false);
    await plumber.setVlan({ attachmentId: b.attachmentId }, { tag: 10 });
    expect(await pings(ca.path, '198.18.77.2')).toBe(true);
  });

  it('setVlan to trunks is applied in OVS and recorded (no 8021q here for tagged traffic in a container)', async () => {
    await plumber.setVlan({ attachmentId: b.attachmentId }, { trunks: [30, 10] });
    expect(await vsctl(env.host, ['get', 'Port', b.hostIfname, 'trunks'])).toBe('[10, 30]');
    expect(await vsctl(env.host, ['get', 'Port', b.hostIfname, 'tag'])).toBe('[]');
    const [view] = await plumber.inspect({ attachmentId: b.attachmentId });
    expect(view.attachment.spec).toMatchObject({ tag: null, trunks: [10, 30] });
    expect(view.drift).toEqual([]);
    await plumber.setVlan({ attachmentId: b.attachmentId }, { tag: 10 });
    expect(await pings(ca.path, '198.18.77.2')).toBe(true);
  });

  it('detach removes the veth (both ends) and the OVS port', async () => {
    const detached = await plumber.detach({ attachmentId: a.attachmentId });
    expect(detached.map((d) => d.hostIfname)).toEqual([a.hostIfname]);
    expect(await hostLinkNames(env.host)).not.toContain(a.hostIfname);
    expect((await vsctl(env.host, ['list-ports', BRIDGE])).split('\n')).not.toContain(a.hostIfname);
    expect(await vsctl(env.host, ['--columns=name', '--bare', 'find', 'Interface', `name=${a.hostIfname}`])).toBe('');
    const inside = await ipJsonAt<{ ifname: string }[]>(ca.path, ['link', 'show']);
    expect(inside.map((l) => l.ifname)).toEqual(['lo']);
    await plumber.detach({ attachmentId: b.attachmentId });
  });
});

describe('what the container sees', () => {
  it('matches the request: name, MAC, MTU on both ends, addresses, gateway and routes; inspect finds no drift', async () => {
    const c = await container('seen');
    const spawnsBefore = runner.spawns;
    const { attachment } = await plumber.attach({
      container: { path: c.path },
      containerId: 'seen-1',
      bridge: BRIDGE,
      ifname: 'eth3',
      mac: '02:42:ac:11:00:07',
      mtu: 1400,
      addresses: ['198.18.78.7/24', 'fd42:78::7/64'],
      gateway: '198.18.78.1',
      gateway6: 'fd42:78::1',
      routes: [{ to: '198.19.0.0/17', via: '198.18.78.254' }, { to: '198.19.128.0/17' }],
      tag: 30,
    });
    // The host end goes through the Plumber's long-lived ip; the container side takes two processes.
    expect(runner.spawns - spawnsBefore).toBe(2);

    const [link] = await ipJsonAt<IpAddr[]>(c.path, ['address', 'show', 'dev', 'eth3']);
    expect(link).toMatchObject({ ifname: 'eth3', address: '02:42:ac:11:00:07', mtu: 1400 });
    expect(link.flags).toContain('UP');
    expect(link.addr_info.filter((i) => i.scope === 'global').map((i) => `${i.local}/${i.prefixlen}`).sort()).toEqual(['198.18.78.7/24', 'fd42:78::7/64']);
    const [lo] = await ipJsonAt<IpAddr[]>(c.path, ['link', 'show', 'dev', 'lo']);
    expect(lo.flags).toContain('UP');
    const routes4 = await ipJsonAt<IpRoute[]>(c.path, ['-4', 'route', 'show']);
    expect(routes4).toEqual(expect.arrayContaining([
      expect.objectContaining({ dst: 'default', gateway: '198.18.78.1', dev: 'eth3' }),
      expect.objectContaining({ dst: '198.19.0.0/17', gateway: '198.18.78.254', dev: 'eth3' }),
      expect.objectContaining({ dst: '198.19.128.0/17', dev: 'eth3' }),
    ]));
    const routes6 = await ipJsonAt<IpRoute[]>(c.path, ['-6', 'route', 'show']);
    expect(routes6).toEqual(expect.arrayContaining([expect.objectContaining({ dst: 'default', gateway: 'fd42:78::1', dev: 'eth3' })]));

    const hostLinks = (JSON.parse((await run('ip', ['-n', env.host.netns, '-json', 'address', 'show', 'dev', attachment.hostIfname])).stdout) as IpAddr[]);
    expect(hostLinks[0].mtu).toBe(1400);
    // A switch port: no address of any family, so the host sends nothing of its own into the bridge.
    expect(hostLinks[0].addr_info).toEqual([]);
    expect(attachment.hostIfname).toBe(hostIfname('seen-1', 'eth3'));
    expect(await vsctl(env.host, ['get', 'Port', attachment.hostIfname, 'tag'])).toBe('30');
    expect(await vsctl(env.host, ['get', 'Interface', attachment.hostIfname, 'mtu_request'])).toBe('1400');
    expect(Number(await vsctl(env.host, ['get', 'Interface', attachment.hostIfname, 'ofport']))).toBeGreaterThan(0);

    const [inspection] = await plumber.inspect({ attachmentId: attachment.attachmentId });
    expect(inspection.drift).toEqual([]);
    expect(inspection.container).toMatchObject({ present: true, ifname: 'eth3', mac: '02:42:ac:11:00:07', mtu: 1400, up: true });

    // Drift: someone removes an address and changes the VLAN behind our back.
    await run('nsenter', [`--net=${c.path}`, 'ip', 'address', 'del', '198.18.78.7/24', 'dev', 'eth3']);
    await vsctl(env.host, ['set', 'Port', attachment.hostIfname, 'tag=31']);
    const [drifted] = await plumber.inspect({ attachmentId: attachment.attachmentId });
    expect(drifted.drift).toEqual(expect.arrayContaining(['tag: 31 instead of 30', 'addresses missing: 198.18.78.7/24']));
    await plumber.detach({ containerId: 'seen-1' });
  });

  it('repeating the same attach changes nothing once the host is checked (two reads), a different one is a conflict', async () => {
    const c = await container('idem');
    const req = request(c, '198.18.79.5', { mtu: 1450 });
    const first = await plumber.attach(req);
    const spawns = runner.spawns;
    const row = await vsctl(env.host, ['list', 'Interface', first.attachment.hostIfname]);
    const again = await plumber.attach(req);
    expect(again).toEqual({ attachment: first.attachment, changed: false });
    // One ip for the host's links, one for the container's view; the port row is untouched.
    expect(runner.spawns - spawns).toBe(2);
    expect(await vsctl(env.host, ['list', 'Interface', first.attachment.hostIfname])).toBe(row);
    await expect(plumber.attach({ ...req, mtu: 1500 })).rejects.toThrow(/already attached differently \(mtu\)/);
    await plumber.detach({ container: { netns: c.netns } });
  });
});

describe('small MTUs (68 to 1279: no IPv6 on the link)', () => {
  it.each([1000, 1279])('attaches with MTU %i and IPv4, and the container reaches a peer', async (mtu) => {
    const a = await container(`mtu${mtu}a`);
    const b = await container(`mtu${mtu}b`);
    await plumber.attach(request(a, '198.18.86.1', { tag: 86, mtu }));
    const { attachment } = await plumber.attach(request(b, '198.18.86.2', { tag: 86, mtu }));
    const [eth1] = await ipJsonAt<IpAddr[]>(b.path, ['address', 'show', 'dev', 'eth1']);
    expect(eth1.mtu).toBe(mtu);
    expect(await pings(b.path, '198.18.86.1')).toBe(true);
    const [view] = await plumber.inspect({ attachmentId: attachment.attachmentId });
    expect(view.drift).toEqual([]);
    await plumber.detach({ container: { netns: a.netns } });
    await plumber.detach({ container: { netns: b.netns } });
  });

  it('attaches with the smallest MTU, 68, and no address', async () => {
    const c = await container('mtu68');
    const { attachment } = await plumber.attach({ container: { netns: c.netns }, bridge: BRIDGE, ifname: 'eth1', mtu: 68 });
    const [eth1] = await ipJsonAt<IpAddr[]>(c.path, ['address', 'show', 'dev', 'eth1']);
    expect(eth1).toMatchObject({ mtu: 68, address: attachment.spec.mac });
    expect(eth1.flags).toContain('UP');
    const [view] = await plumber.inspect({ attachmentId: attachment.attachmentId });
    expect(view.drift).toEqual([]);
    await plumber.detach({ attachmentId: attachment.attachmentId });
  });
});

describe('a repeated attach checks the real state', () => {
  it('re-creates a veth deleted from inside the container, keeping the attachment', async () => {
    const peer = await container('rep-peer');
    const c = await container('rep');
    await plumber.attach(request(peer, '198.18.87.1', { tag: 87 }));
    const req = request(c, '198.18.87.2', { tag: 87 });
    const first = await plumber.attach(req);
    await run('ip', ['-n', c.netns, 'link', 'del', 'eth1']);
    expect((await ipJsonAt<{ ifname: string }[]>(c.path, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo']);
    const again = await plumber.attach(req);
    expect(again.changed).toBe(true);
    expect(again.attachment).toMatchObject({ attachmentId: first.attachment.attachmentId, hostIfname: first.attachment.hostIfname, spec: first.attachment.spec });
    expect((await ipJsonAt<{ ifname: string }[]>(c.path, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo', 'eth1']);
    expect(await pings(c.path, '198.18.87.1')).toBe(true);
    const [view] = await plumber.inspect({ attachmentId: first.attachment.attachmentId });
    expect(view.drift).toEqual([]);
    expect(await plumber.attach(req)).toEqual({ attachment: again.attachment, changed: false });
    await plumber.detach({ container: { netns: c.netns } });
    await plumber.detach({ container: { netns: peer.netns } });
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  it('are recorded as the kernel writes them: no drift right after the attach', async () => {
    const c = await container('mapped');
    const { attachment } = await plumber.attach({ container: { netns: c.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: ['::ffff:198.18.0.9/128', '198.18.88.9/24'] });
    expect(attachment.spec.addresses).toEqual(['::ffff:198.18.0.9/128', '198.18.88.9/24']);
    const [view] = await plumber.inspect({ attachmentId: attachment.attachmentId });
    expect(view.container.addresses).toEqual(expect.arrayContaining(['::ffff:198.18.0.9/128']));
    expect(view.drift).toEqual([]);
    await plumber.detach({ attachmentId: attachment.attachmentId });
  });
});

describe('an interface name the container already has', () => {
  it('is refused as such, and nothing is left behind', async () => {
    const c = await container('taken');
    await run('ip', ['-n', c.netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer']);
    const linksBefore = await hostLinkNames(env.host);
    const portsBefore = await vsctl(env.host, ['list-ports', BRIDGE]);
    const error = await plumber.attach({ ...request(c, '198.18.89.2'), ifname: 'eth0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(/interface eth0 already exists in the container/);
    expect((error as ConflictError).fields).toEqual(['ifname']);
    expect(await hostLinkNames(env.host)).toEqual(linksBefore);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe(portsBefore);
    expect((await ipJsonAt<{ ifname: string }[]>(c.path, ['link', 'show'])).map((l) => l.ifname).sort()).toEqual(['eth0', 'eth0-peer', 'lo']);
  });
});

describe('announcement', () => {
  it('a neighbour learns the new address from the gratuitous ARP, before any traffic', async () => {
    const listener = await container('garp1');
    const speaker = await container('garp2');
    await plumber.attach(request(listener, '198.18.80.1', { tag: 40 }));
    await run('nsenter', [`--net=${listener.path}`, 'sysctl', '-q', '-w', 'net/ipv4/conf/eth1/arp_accept=1']);
    const { attachment } = await plumber.attach(request(speaker, '198.18.80.2', { tag: 40 }));
    let learned: { dst: string; lladdr?: string }[] = [];
    for (let i = 0; i < 40 && !learned.some((n) => n.dst === '198.18.80.2'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      learned = await ipJsonAt(listener.path, ['neigh', 'show', 'dev', 'eth1']);
    }
    expect(learned).toEqual(expect.arrayContaining([expect.objectContaining({ dst: '198.18.80.2', lladdr: attachment.spec.mac })]));
    await plumber.detach({ container: { netns: listener.netns } });
    await plumber.detach({ attachmentId: attachment.attachmentId });
  });
});

describe('announcement over IPv6', () => {
  it('a neighbour sees the unsolicited neighbour advertisement (tcpdump in its namespace)', async () => {
    const listener = await container('na1');
    const speaker = await container('na2');
    await plumber.attach({ container: { netns: listener.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: ['fd42:84::1/64'], tag: 41 });
    // Neighbour advertisement = ICMPv6 type 136, from the speaker's address.
    const capture = spawn('nsenter', [`--net=${listener.path}`, 'tcpdump', '-i', 'eth1', '-n', '-l', '-c', '1', 'icmp6 and ip6[40] == 136 and src fd42:84::2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let heard = '';
      capture.stdout.on('data', (chunk: Buffer) => (heard += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        capture.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && resolve());
        capture.on('exit', () => reject(new Error('tcpdump ended before listening')));
      });
      const ended = new Promise((resolve) => capture.on('exit', resolve));
      const { attachment } = await plumber.attach({ container: { netns: speaker.netns }, bridge: BRIDGE, ifname: 'eth1', addresses: ['fd42:84::2/64'], tag: 41 });
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000))]);
      expect(heard).toMatch(/fd42:84::2 > .*neighbor advertisement/i);
      await plumber.detach({ attachmentId: attachment.attachmentId });
      await plumber.detach({ container: { netns: listener.netns } });
    } finally {
      capture.kill();
    }
  });
});

describe('concurrent attaches', () => {
  it('eight containers attached and detached at once leave nothing behind', async () => {
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => container(`cc${i}`)));
    const results = await Promise.all(many.map((c, i) => plumber.attach(request(c, `198.18.85.${i + 1}`, { tag: 85 }))));
    expect(new Set(results.map((r) => r.attachment.hostIfname)).size).toBe(8);
    expect(await pings(many[0].path, '198.18.85.8')).toBe(true);
    // Every host end up and every container end as asked (a veth turned down by ovs-vswitchd shows here).
    const views = await Promise.all(results.map((r) => plumber.inspect({ attachmentId: r.attachment.attachmentId })));
    expect(views.map(([v]) => v.drift)).toEqual(results.map(() => []));
    await Promise.all(many.map((c) => plumber.detach({ container: { netns: c.netns } })));
    const left = (await hostLinkNames(env.host)).filter((n) => results.some((r) => r.attachment.hostIfname === n));
    expect(left).toEqual([]);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).not.toMatch(new RegExp(results.map((r) => r.attachment.hostIfname).join('|')));
  });
});

describe('bad input', () => {
  it.each<[string, (c: NetnsContainer) => AttachRequest]>([
    ['a 16-byte interface name', (c) => request(c, '198.18.81.2', { ifname: 'eth0123456789abc' })],
    ['a name with ;', (c) => request(c, '198.18.81.2', { ifname: 'eth1;reboot' })],
    ['a malformed address', (c) => request(c, '198.18.81.300')],
    ['a malformed MAC', (c) => request(c, '198.18.81.2', { mac: '02:00:00:00:00:zz' })],
    ['a gateway outside the prefix', (c) => request(c, '198.18.81.2', { gateway: '198.18.82.1' })],
    ['an unknown named namespace', () => ({ container: { netns: 'ovf-no-such-ns' }, bridge: BRIDGE, ifname: 'eth1' })],
    ['an unknown process', () => ({ container: { pid: 4_000_000 }, bridge: BRIDGE, ifname: 'eth1' })],
    ['a path that is no namespace', () => ({ container: { path: '/etc/passwd' }, bridge: BRIDGE, ifname: 'eth1' })],
    ['the unspecified address', (c) => request(c, '0.0.0.0')],
    ['a multicast address', (c) => request(c, '224.0.0.5')],
    ['a loopback address', (c) => ({ ...request(c, '198.18.81.2'), addresses: ['127.0.0.5/8'] })],
    ['a /0 prefix', (c) => ({ ...request(c, '198.18.81.2'), addresses: ['198.18.81.2/0'] })],
    ['an IPv6 link-local multicast address', (c) => ({ ...request(c, '198.18.81.2'), addresses: ['ff02::5/64'] })],
    ['an address with a zone', (c) => ({ ...request(c, '198.18.81.2'), addresses: ['fe80::1%eth0/64'] })],
    ['addresses given as a string', (c) => ({ ...request(c, '198.18.81.2'), addresses: '198.18.81.2/24' as unknown as string[] })],
    ['an all-zero MAC', (c) => request(c, '198.18.81.2', { mac: '00:00:00:00:00:00' })],
    ['the name lo', (c) => request(c, '198.18.81.2', { ifname: 'lo' })],
    ['the name all', (c) => request(c, '198.18.81.2', { ifname: 'all' })],
    ['a bridge that does not exist', (c) => ({ ...request(c, '198.18.81.2'), bridge: 'br-none' })],
  ])('refuses %s and changes nothing', async (_what, make) => {
    const c = containers.get('bad') ?? (await container('bad'));
    const linksBefore = await hostLinkNames(env.host);
    const portsBefore = await vsctl(env.host, ['list-ports', BRIDGE]);
    const spawns = runner.spawns;
    await expect(plumber.attach(make(c))).rejects.toBeInstanceOf(ValidationError);
    expect(runner.spawns).toBe(spawns);
    expect(await hostLinkNames(env.host)).toEqual(linksBefore);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe(portsBefore);
    expect((await ipJsonAt<{ ifname: string }[]>(c.path, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo']);
  });

});

describe('stale attachments', () => {
  it('are found when the container namespace is gone, and can be cleaned up', async () => {
    const c = await container('gone');
    const { attachment } = await plumber.attach(request(c, '198.18.82.2'));
    expect(await plumber.findStale()).toEqual([]);
    await env.lab.removeNamespace('gone');
    containers.delete('gone');
    const stale = await plumber.findStale();
    expect(stale).toEqual([{ attachment: expect.objectContaining({ attachmentId: attachment.attachmentId }), reasons: expect.arrayContaining(['namespace-gone', 'host-veth-missing']) }]);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toContain(attachment.hostIfname);
    await plumber.cleanup(stale);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).not.toContain(attachment.hostIfname);
    expect(await plumber.findStale()).toEqual([]);
  });

  it('can be re-plumbed into the container\'s new namespace', async () => {
    const c = await container('again');
    const req = request(c, '198.18.83.2', { containerId: 'again-1', mac: '02:00:00:83:00:02' });
    const { attachment } = await plumber.attach(req);
    const peer = await container('again-peer');
    await plumber.attach(request(peer, '198.18.83.3'));
    await env.lab.removeNamespace('again');
    const fresh = await container('again');
    const [stale] = await plumber.findStale();
    expect(stale.attachment.attachmentId).toBe(attachment.attachmentId);
    const { attachment: replumbed } = await plumber.replumb(attachment.attachmentId, { netns: fresh.netns });
    expect(replumbed.spec).toEqual(attachment.spec);
    expect(await pings(fresh.path, '198.18.83.3')).toBe(true);
    expect(await plumber.findStale()).toEqual([]);
    await plumber.detach({ containerId: 'again-1' });
    await plumber.detach({ container: { netns: peer.netns } });
  });
});
