import { CommandError, RunOptions, ValidationError } from '@ovs-fleet/iproute';
import { AttachError, ConflictError } from './errors';
import { hostIfname } from './naming';
import { Plumber } from './plumber';
import { FakePortStore } from './testing/fake-port-store';
import { AttachRequest, NamespaceRef, ResolvedContainer } from './types';

interface Call {
  file: string;
  args: string[];
  input: string | undefined;
}

/** Records every spawn; a command whose stdin or args match `failOn` fails like ip would. */
function fakeRunner() {
  const calls: Call[] = [];
  const state = { failOn: null as RegExp | null, stdout: '' };
  const runner = async (file: string, args: readonly string[], options?: RunOptions) => {
    calls.push({ file, args: [...args], input: options?.input });
    const text = `${file} ${args.join(' ')}\n${options?.input ?? ''}`;
    if (state.failOn?.test(text)) throw new CommandError(file, args, 2, 'RTNETLINK answers: File exists');
    return { stdout: state.stdout, stderr: '' };
  };
  return { runner, calls, state };
}

const container: ResolvedContainer = {
  id: 'f00dfeed'.repeat(8),
  name: 'web1',
  typed: 'web1',
  target: { kind: 'pid', pid: 4242, path: '/proc/4242/ns/net' },
  netnsInode: 4026532000,
};

const request: AttachRequest = {
  container: { dockerContainer: 'web1' },
  bridge: 'br-int',
  ifname: 'eth1',
  mtu: 1450,
  addresses: ['10.1.0.5/24', 'fd00::5/64'],
  gateway: '10.1.0.1',
  tag: 10,
};

function setup() {
  const store = new FakePortStore();
  const { runner, calls, state } = fakeRunner();
  const resolved: NamespaceRef[] = [];
  const plumber = new Plumber({
    store,
    runner,
    hostNetns: 'lab-h1',
    resolve: async (ref) => {
      resolved.push(ref);
      return container;
    },
  });
  return { store, calls, state, plumber, resolved };
}

const HOST = hostIfname(container.id, 'eth1');

describe('Plumber.attach', () => {
  it('plumbs with one host-side ip batch and two container-side processes, and records the attachment on the port', async () => {
    const { store, calls, plumber } = setup();
    const { attachment, changed } = await plumber.attach(request);
    expect(changed).toBe(true);
    expect(calls.map((c) => `${c.file} ${c.args.join(' ')}`)).toEqual([
      'ip -n lab-h1 -force -batch -',
      'nsenter --net=/proc/4242/ns/net sysctl -q -p -',
      'nsenter --net=/proc/4242/ns/net ip -batch -',
    ]);
    expect(calls[0].input).toBe(
      `link add ${HOST} mtu 1450 type veth peer name eth1 address ${attachment.spec.mac} mtu 1450 netns 4242\nlink set ${HOST} addrgenmode none\nlink set ${HOST} up\n`,
    );
    expect(calls[1].input).toBe('net/ipv4/conf/eth1/arp_notify=1\nnet/ipv6/conf/eth1/ndisc_notify=1\n');
    expect(calls[2].input).toBe(
      'address add 10.1.0.5/24 dev eth1\naddress add fd00::5/64 dev eth1 nodad\nlink set lo up\nlink set eth1 up\nroute add 0.0.0.0/0 via 10.1.0.1 dev eth1\n',
    );
    expect(store.calls).toEqual(['find', `addPort ${HOST}`, `waitLive ${HOST}`, 'updatePort']);
    const [row] = store.rows.values();
    expect(row).toMatchObject({ name: HOST, tag: 10, mtu: 1450 });
    expect(row.externalIds).toMatchObject({
      container_id: 'web1',
      container_iface: 'eth1',
      'ovs-fleet-container-id': container.id,
      'ovs-fleet-container-name': 'web1',
      'ovs-fleet-attachment-id': attachment.attachmentId,
      'ovs-fleet-netns': '/proc/4242/ns/net',
      'ovs-fleet-state': 'ready',
    });
    expect(attachment.state).toBe('ready');
  });

  it('is a no-op when repeated with the same request', async () => {
    const { store, calls, plumber } = setup();
    const first = await plumber.attach(request);
    calls.length = 0;
    store.calls.length = 0;
    const again = await plumber.attach({ ...request, addresses: ['fd00::5/64', '10.1.0.5/24'] });
    expect(again.changed).toBe(false);
    expect(again.attachment.attachmentId).toBe(first.attachment.attachmentId);
    expect(calls).toEqual([]);
    expect(store.calls).toEqual(['find']);
  });

  it('sends a repeat to replumb() when the veth died with an earlier namespace, even if the inode was reused', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    const [row] = store.rows.values();
    Object.assign(row, { ofport: -1, error: 'could not open network device (No such device)' });
    await expect(plumber.attach(request)).rejects.toThrow(/earlier namespace of the container: use replumb\(\)/);
  });

  it('refuses a different request for the same interface, naming the fields', async () => {
    const { plumber, calls } = setup();
    await plumber.attach(request);
    calls.length = 0;
    const error = await plumber.attach({ ...request, tag: 11, mtu: 1400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).fields).toEqual(['mtu', 'tag']);
    expect(calls).toEqual([]);
  });

  it('rolls back in reverse order when the container configuration fails', async () => {
    const { store, calls, state, plumber } = setup();
    state.failOn = /address add/;
    const error = await plumber.attach(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachError);
    expect((error as AttachError).step).toBe('container-config');
    expect((error as AttachError).rollbackErrors).toEqual([]);
    expect(store.calls.slice(-1)).toEqual([`deletePorts ${HOST}`]);
    expect(calls.at(-1)).toMatchObject({ file: 'ip', args: ['-n', 'lab-h1', '-force', '-batch', '-'], input: `link del ${HOST}\n` });
    expect(store.rows.size).toBe(0);
  });

  it('removes only the veth when the OVS port cannot be added', async () => {
    const { store, calls, plumber } = setup();
    store.failNext.addPort = new Error('constraint violation');
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('ovs-port');
    expect(store.calls.filter((c) => c.startsWith('deletePorts'))).toEqual([]);
    expect(calls.at(-1)?.input).toBe(`link del ${HOST}\n`);
  });

  it('rolls back when ovs-vswitchd refuses the interface', async () => {
    const { store, plumber } = setup();
    store.liveOfport = -1;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('ovs-vswitchd');
    expect(error.message).toMatch(/could not open network device/);
    expect(store.rows.size).toBe(0);
  });

  it('reports a failed undo instead of hiding it', async () => {
    const { store, state, plumber } = setup();
    state.failOn = /address add/;
    store.failNext.deletePorts = new Error('connection lost');
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.rollbackErrors).toHaveLength(1);
    expect(error.message).toMatch(/rollback incomplete: undo delete OVS port .*connection lost/);
  });

  it('creates nothing else when the veth cannot be made, and removes a half-made one', async () => {
    const { store, state, plumber, calls } = setup();
    state.failOn = /link add ovfc/;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('veth');
    expect(calls.map((c) => c.input?.split(' ').slice(0, 2).join(' '))).toEqual(['link add', 'link del']);
    expect(store.calls).toEqual(['find']);
  });

  it('names the announcement step when its sysctl fails, and undoes both the veth and the port', async () => {
    const { store, state, plumber, calls } = setup();
    state.failOn = /sysctl/;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('announce-sysctl');
    expect(store.rows.size).toBe(0);
    expect(calls.at(-1)?.input).toBe(`link del ${HOST}\n`);
  });

  it.each<[string, Partial<AttachRequest>]>([
    ['16-byte interface name', { ifname: 'eth0123456789abc' }],
    ['name with ;', { ifname: 'e;th' }],
    ['gateway outside the prefix', { gateway: '10.2.0.1' }],
    ['unknown kind of container reference', { container: { name: 'web1' } as unknown as NamespaceRef }],
  ])('refuses a %s before touching anything', async (_what, change) => {
    const { store, calls, plumber, resolved } = setup();
    await expect(plumber.attach({ ...request, ...change })).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(resolved).toEqual([]);
  });

  it('skips the announcement sysctl when asked to', async () => {
    const { calls, plumber } = setup();
    await plumber.attach({ ...request, announce: false });
    expect(calls.map((c) => c.args[0])).toEqual(['-n', '--net=/proc/4242/ns/net']);
  });
});

describe('Plumber.attachMany', () => {
  it('attaches each request on its own: one outcome per request, in order, a failure leaving the others', async () => {
    const { store, plumber } = setup();
    const outcomes = await plumber.attachMany(
      [request, { ...request, ifname: 'eth2', addresses: ['10.2.0.5/24'], gateway: undefined }, { ...request, ifname: 'e;th' }, { ...request, ifname: 'eth3', addresses: ['10.3.0.5/24'], gateway: undefined }],
      { concurrency: 2 },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.attachment.ifname : null))).toEqual(['eth1', 'eth2', null, 'eth3']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(store.rows.size).toBe(3);
  });

  it('refuses a concurrency outside 1-64', async () => {
    const { plumber } = setup();
    await expect(plumber.attachMany([request], { concurrency: 0 })).rejects.toThrow(ValidationError);
  });
});

describe('Plumber.detach, setVlan, recover', () => {
  it('detaches one interface: port first, then the veth', async () => {
    const { store, calls, plumber } = setup();
    const { attachment } = await plumber.attach(request);
    await plumber.attach({ ...request, ifname: 'eth2', addresses: ['10.2.0.5/24'], gateway: undefined });
    calls.length = 0;
    const detached = await plumber.detach({ attachmentId: attachment.attachmentId });
    expect(detached.map((a) => a.ifname)).toEqual(['eth1']);
    expect(store.rows.size).toBe(1);
    expect(calls).toEqual([{ file: 'ip', args: ['-n', 'lab-h1', '-force', '-batch', '-'], input: `link del ${HOST}\n` }]);
  });

  it('detaches all interfaces of a container in one transaction and one spawn', async () => {
    const { store, calls, plumber } = setup();
    await plumber.attach(request);
    await plumber.attach({ ...request, ifname: 'eth2', addresses: ['10.2.0.5/24'], gateway: undefined });
    calls.length = 0;
    store.calls.length = 0;
    expect(await plumber.detach({ containerId: container.id })).toHaveLength(2);
    expect(store.calls.filter((c) => c.startsWith('deletePorts'))).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(store.rows.size).toBe(0);
  });

  it('before re-adding a name it just deleted, waits until ovs-vswitchd has let go of it', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    await plumber.detach({ containerId: container.id });
    store.calls.length = 0;
    await plumber.attach(request);
    expect(store.calls).toEqual(['find', 'waitApplied 1', `addPort ${HOST}`, `waitLive ${HOST}`, 'updatePort']);
    await plumber.attach({ ...request, ifname: 'eth2', addresses: [], gateway: undefined });
    expect(store.calls.filter((c) => c.startsWith('waitApplied'))).toHaveLength(1);
  });

  it('never touches ports it did not make', async () => {
    const { store, plumber } = setup();
    await store.addPort({ bridge: 'br-int', name: 'a1b2c3_l', tag: null, trunks: [], mtuRequest: null, interfaceExternalIds: { container_id: container.id, container_iface: 'eth1' }, portExternalIds: {} });
    expect(await plumber.detach({ containerId: container.id })).toEqual([]);
    expect(store.rows.size).toBe(1);
  });

  it('changes the VLAN and records it', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    const [changed] = await plumber.setVlan({ containerId: container.id, ifname: 'eth1' }, { trunks: [20, 10] });
    expect(changed.spec.trunks).toEqual([10, 20]);
    const [row] = store.rows.values();
    expect(row).toMatchObject({ tag: null, trunks: [10, 20] });
    expect(JSON.parse(row.externalIds['ovs-fleet-spec'])).toMatchObject({ tag: null, trunks: [10, 20] });
    await expect(plumber.setVlan({ containerId: container.id }, { tag: 5000 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('recovers: removes orphan veths of ours, ports without veth, and half-done attaches; leaves the rest', async () => {
    const { store, calls, state, plumber } = setup();
    const { attachment: kept } = await plumber.attach(request);
    const { attachment: gone } = await plumber.attach({ ...request, ifname: 'eth2', addresses: ['10.2.0.5/24'], gateway: undefined });
    const { attachment: half } = await plumber.attach({ ...request, ifname: 'eth3', addresses: ['10.3.0.5/24'], gateway: undefined });
    const halfRow = [...store.rows.values()].find((r) => r.name === half.hostIfname)!;
    halfRow.externalIds['ovs-fleet-state'] = 'pending';
    const orphan = hostIfname('crashed', 'eth0');
    const link = (ifname: string, kind = 'veth') => ({ ifname, flags: ['UP'], mtu: 1500, operstate: 'UP', linkinfo: { info_kind: kind } });
    state.stdout = JSON.stringify([link('lo', ''), link(kept.hostIfname), link(half.hostIfname), link(orphan), link('eth0'), link('ovfc-not-ours')]) + '\n';
    calls.length = 0;
    const report = await plumber.recover();
    expect(report.removedPorts.sort()).toEqual([gone.hostIfname, half.hostIfname].sort());
    expect(report.removedLinks.sort()).toEqual([orphan, half.hostIfname].sort());
    expect([...store.rows.values()].map((r) => r.name)).toEqual([kept.hostIfname]);
    expect(calls.at(-1)?.input?.split('\n').filter(Boolean).sort()).toEqual([`link del ${orphan}`, `link del ${half.hostIfname}`].sort());
  });
});

describe('Plumber options', () => {
  it.each<[string, object]>([
    ['a host namespace name with a slash', { hostNetns: '../x' }],
    ['a relative Docker socket', { dockerSocket: 'docker.sock' }],
    ['an owner with a space', { owner: 'a b' }],
    ['a negative live timeout', { liveTimeoutMs: -1 }],
  ])('refuses %s', (_what, options) => {
    expect(() => new Plumber({ store: new FakePortStore(), ...options })).toThrow(ValidationError);
  });
});

describe('Plumber with a runner that keeps an ip session', () => {
  it('sends host-side batches (create, undo, detach) to the one session and closes it', async () => {
    const { runner, calls } = fakeRunner();
    const batches: string[][] = [];
    const sessions: string[] = [];
    let closed = 0;
    const withSession = Object.assign(runner, {
      session: (netns: string | undefined) => {
        sessions.push(String(netns));
        return {
          run: async (commands: readonly (readonly string[])[]) => {
            batches.push(commands.map((c) => c.slice(0, 2).join(' ')));
            return { stdout: '', stderr: '' };
          },
          close: async () => {
            closed++;
          },
        };
      },
    });
    const plumber = new Plumber({ store: new FakePortStore(), runner: withSession, hostNetns: 'lab-h1', resolve: async () => container });
    const { attachment } = await plumber.attach(request);
    await plumber.detach({ attachmentId: attachment.attachmentId });
    expect(sessions).toEqual(['lab-h1']);
    expect(batches).toEqual([['link add', 'link set', 'link set'], ['link del']]);
    expect(calls.map((c) => c.file)).toEqual(['nsenter', 'nsenter']);
    await plumber.close();
    expect(closed).toBe(1);
  });
});
