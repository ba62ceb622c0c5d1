import { statSync } from 'node:fs';
import { ValidationError } from '@ovs-fleet/iproute';
import { ContainerIdentity } from './container-identity';
import { AttachError, ConflictError, DetachError, InterfaceNotLiveError } from './errors';
import { hostIfname } from './naming';
import { Plumber, PlumberOptions } from './plumber';
import { FakeHost } from './testing/fake-host';
import { FakePortStore } from './testing/fake-port-store';
import { AttachRequest, NamespaceRef, ResolvedContainer } from './types';

// The container's namespace is this process's own: real paths and inodes for the namespace
// checks, while every command goes to the fake host.
const NS_PATH = `/proc/${process.pid}/ns/net`;
const PID = String(process.pid);
const container: ResolvedContainer = {
  id: 'f00dfeed'.repeat(8),
  name: 'web1',
  typed: 'web1',
  target: { kind: 'pid', pid: process.pid, path: NS_PATH },
  netnsInode: statSync(NS_PATH).ino,
};

const request: AttachRequest = {
  container: { dockerContainer: 'web1' },
  bridge: 'br-int',
  ifname: 'eth1',
  mtu: 1450,
  addresses: ['198.18.1.5/24', 'fd00::5/64'],
  gateway: '198.18.1.1',
  tag: 10,
};
const eth2 = { ...request, ifname: 'eth2', addresses: ['198.18.2.5/24'], gateway: undefined };
const eth3 = { ...request, ifname: 'eth3', addresses: ['198.18.3.5/24'], gateway: undefined };

function setup(options: Partial<PlumberOptions> = {}) {
  const store = new FakePortStore();
  const host = new FakeHost();
  const resolved: NamespaceRef[] = [];
  const identities: NamespaceRef[] = [];
  let identity: ContainerIdentity = { ids: [container.id], netnsInode: container.netnsInode };
  const plumber = new Plumber({
    store,
    runner: host.runner,
    hostNetns: 'lab-h1',
    resolve: async (ref) => {
      resolved.push(ref);
      return container;
    },
    identify: async (ref) => {
      identities.push(ref);
      return identity;
    },
    ...options,
  });
  const identifyAs = (next: ContainerIdentity) => (identity = next);
  return { store, host, calls: host.calls, plumber, resolved, identities, identifyAs };
}

const HOST = hostIfname(container.id, 'eth1');
const commandLines = (calls: { file: string; args: string[] }[]) => calls.map((c) => `${c.file} ${c.args.join(' ')}`);

describe('Plumber.attach', () => {
  it('plumbs with one host-side ip batch and two container-side processes, and records the attachment on the port', async () => {
    const { store, host, calls, plumber } = setup();
    const { attachment, changed } = await plumber.attach(request);
    expect(changed).toBe(true);
    expect(commandLines(calls)).toEqual([
      'ip -n lab-h1 -force -batch -',
      `nsenter --net=${NS_PATH} sysctl -q -p -`,
      `nsenter --net=${NS_PATH} ip -batch -`,
    ]);
    expect(calls[0].input).toBe(
      `link add ${HOST} mtu 1450 type veth peer name eth1 address ${attachment.spec.mac} mtu 1450 netns ${PID}\nlink set ${HOST} addrgenmode none\nlink set ${HOST} up\n`,
    );
    expect(calls[1].input).toBe('net/ipv4/conf/eth1/arp_notify=1\nnet/ipv6/conf/eth1/ndisc_notify=1\n');
    expect(calls[2].input).toBe(
      'address add 198.18.1.5/24 dev eth1\naddress add fd00::5/64 dev eth1 nodad\nlink set lo up\nlink set eth1 up\nroute add 0.0.0.0/0 via 198.18.1.1 dev eth1\n',
    );
    expect(store.calls).toEqual([`addPorts ${HOST}`, `updatePorts ${HOST}`]);
    const [row] = store.rows.values();
    expect(row).toMatchObject({ name: HOST, tag: 10, mtu: 1450 });
    expect(row.externalIds).toMatchObject({
      container_id: 'web1',
      container_iface: 'eth1',
      'ovs-fleet-container-id': container.id,
      'ovs-fleet-container-name': 'web1',
      'ovs-fleet-attachment-id': attachment.attachmentId,
      'ovs-fleet-netns': NS_PATH,
      'ovs-fleet-state': 'ready',
    });
    expect(attachment.state).toBe('ready');
    expect(host.containers.get(PID)?.get('eth1')).toMatchObject({ up: true, mtu: 1450, addresses: ['198.18.1.5/24', 'fd00::5/64'] });
  });

  it('answers a repeat of the same request only after checking the host: two reads, nothing written', async () => {
    const { store, calls, plumber } = setup();
    const first = await plumber.attach(request);
    calls.length = 0;
    store.calls.length = 0;
    const again = await plumber.attach({ ...request, addresses: ['fd00::5/64', '198.18.1.5/24'] });
    expect(again).toEqual({ attachment: first.attachment, changed: false });
    expect(commandLines(calls)).toEqual(['ip -n lab-h1 -json -details -batch -', `nsenter --net=${NS_PATH} ip -json -batch -`]);
    expect(store.calls).toEqual([]);
  });

  it('repairs a repeat whose veth was deleted from inside the container, keeping the attachment id', async () => {
    const { store, host, plumber } = setup();
    const first = await plumber.attach(request);
    host.deleteContainerInterface(PID, 'eth1');
    expect(host.hostLinks.has(HOST)).toBe(false);
    store.calls.length = 0;
    const again = await plumber.attach(request);
    expect(again.changed).toBe(true);
    expect(again.attachment).toMatchObject({ attachmentId: first.attachment.attachmentId, hostIfname: HOST, spec: first.attachment.spec, state: 'ready' });
    expect(store.calls).toEqual([`deletePorts ${HOST}`, `addPorts ${HOST}`, `updatePorts ${HOST}`]);
    expect(host.containers.get(PID)?.get('eth1')).toMatchObject({ up: true, addresses: ['198.18.1.5/24', 'fd00::5/64'] });
    expect([...store.rows.values()].map((r) => r.externalIds['ovs-fleet-attachment-id'])).toEqual([first.attachment.attachmentId]);
    expect((await plumber.attach(request)).changed).toBe(false);
  });

  it('repairs a repeat whose interface ovs-vswitchd lost (ofport -1)', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    const [row] = store.rows.values();
    Object.assign(row, { ofport: -1, error: 'could not open network device (No such device)' });
    const again = await plumber.attach(request);
    expect(again.changed).toBe(true);
    expect([...store.rows.values()].map((r) => r.error)).toEqual([null]);
  });

  it('sends a repeat to replumb() when the attachment was made in an earlier namespace of the container', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    const [row] = store.rows.values();
    row.externalIds['ovs-fleet-netns-inode'] = String(container.netnsInode + 1);
    await expect(plumber.attach(request)).rejects.toThrow(/earlier namespace of the container: use replumb\(\)/);
  });

  it('refuses a different request for the same interface, naming the fields', async () => {
    const { plumber, calls } = setup();
    await plumber.attach(request);
    calls.length = 0;
    const error = await plumber.attach({ ...request, tag: 11, mtu: 1400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).fields).toEqual(['mtu', 'tag']);
    expect((error as ConflictError).code).toBe('PLUMBING_CONFLICT');
    expect(calls).toEqual([]);
  });

  it('knows the container when named another way (by PID after by name): same attachment', async () => {
    const { plumber, store } = setup({
      resolve: async (ref) => ('pid' in ref ? { ...container, id: `pid-${process.pid}`, name: '', typed: PID } : container),
    });
    const byName = await plumber.attach(request);
    const byPid = await plumber.attach({ ...request, container: { pid: process.pid } });
    expect(byPid).toEqual({ attachment: byName.attachment, changed: false });
    expect(store.rows.size).toBe(1);
    const error = await plumber.attach({ ...request, container: { pid: process.pid }, containerId: 'other' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).fields).toEqual(['containerId']);
  });

  it('says so when the container already has an interface of that name, and leaves nothing behind', async () => {
    const { store, host, plumber } = setup();
    host.addContainerInterface(PID, 'eth1');
    const error = await plumber.attach(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe('interface eth1 already exists in the container');
    expect((error as ConflictError).fields).toEqual(['ifname']);
    expect(host.hostLinks.size).toBe(0);
    expect(store.rows.size).toBe(0);
    expect([...host.containers.get(PID)!.keys()]).toEqual(['eth1']);
  });

  it('takes over a host end of its own that no record names (its OVS port deleted by hand)', async () => {
    const { store, host, plumber } = setup();
    await plumber.attach(request);
    store.rows.clear();
    const again = await plumber.attach(request);
    expect(again.changed).toBe(true);
    expect(host.hostLinks.has(HOST)).toBe(true);
    expect(store.rows.size).toBe(1);
  });

  it('rolls back in reverse order when the container configuration fails', async () => {
    const { store, host, calls, plumber } = setup();
    host.failOn = /address add/;
    const error = await plumber.attach(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachError);
    expect((error as AttachError).step).toBe('container-config');
    expect((error as AttachError).rollbackErrors).toEqual([]);
    expect(store.calls.slice(-1)).toEqual([`deletePorts ${HOST}`]);
    expect(calls.at(-1)).toMatchObject({ file: 'ip', args: ['-n', 'lab-h1', '-force', '-batch', '-'], input: `link del ${HOST}\n` });
    expect(store.rows.size).toBe(0);
    expect(host.hostLinks.size).toBe(0);
  });

  it('removes only the veth when the OVS port cannot be added', async () => {
    const { store, host, calls, plumber } = setup();
    store.failNext.addPorts = new Error('constraint violation');
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('ovs-port');
    expect(store.calls.filter((c) => c.startsWith('deletePorts'))).toEqual([]);
    expect(calls.at(-1)?.input).toBe(`link del ${HOST}\n`);
    expect(host.hostLinks.size).toBe(0);
  });

  it('rolls back when ovs-vswitchd cannot open the interface', async () => {
    const { store, plumber } = setup();
    store.liveOfport = -1;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('ovs-vswitchd');
    expect(error.message).toMatch(/could not open network device/);
    expect(error.cause).toBeInstanceOf(InterfaceNotLiveError);
    expect(error.retryable).toBe(false);
    expect(store.rows.size).toBe(0);
  });

  it('says a retry may succeed when ovs-vswitchd did not apply the port in time', async () => {
    const { store, plumber } = setup();
    store.liveOfport = null;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('ovs-vswitchd');
    expect(error.message).toMatch(/did not take .* in time/);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe('PLUMBING_ATTACH_FAILED');
    expect(store.rows.size).toBe(0);
  });

  it('reports a failed undo instead of hiding it', async () => {
    const { store, host, plumber } = setup();
    host.failOn = /address add/;
    store.failNext.deletePorts = new Error('connection lost');
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.rollbackErrors).toHaveLength(1);
    expect(error.message).toMatch(/rollback incomplete: undo delete OVS port .*connection lost/);
    expect(error.retryable).toBe(false);
  });

  it('creates nothing else when the veth cannot be made, and removes a half-made one', async () => {
    const { store, host, plumber, calls } = setup();
    host.failOn = /link add ovfc/;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('veth');
    expect(calls.filter((c) => c.file === 'ip').map((c) => c.input?.split(' ').slice(0, 2).join(' '))).toEqual(['link add', 'link del']);
    expect(store.calls).toEqual([]);
  });

  it('names the announcement step when its sysctl fails, and undoes both the veth and the port', async () => {
    const { store, host, plumber, calls } = setup();
    host.failOn = /sysctl/;
    const error = (await plumber.attach(request).catch((e: unknown) => e)) as AttachError;
    expect(error.step).toBe('announce-sysctl');
    expect(store.rows.size).toBe(0);
    expect(calls.at(-1)?.input).toBe(`link del ${HOST}\n`);
  });

  it.each<[string, Partial<AttachRequest>, string]>([
    ['16-byte interface name', { ifname: 'eth0123456789abc' }, 'ifname'],
    ['name with ;', { ifname: 'e;th' }, 'ifname'],
    ['gateway outside the prefix', { gateway: '198.18.9.1' }, 'gateway'],
    ['unknown kind of container reference', { container: { name: 'web1' } as unknown as NamespaceRef }, 'container'],
    ['bridge that does not exist', { bridge: 'br-none' }, 'bridge'],
  ])('refuses a %s before touching anything, naming the field', async (_what, change, field) => {
    const { store, calls, plumber, resolved } = setup();
    const error = await plumber.attach({ ...request, ...change }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(calls).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(resolved).toEqual([]);
  });

  it('skips the announcement sysctl when asked to', async () => {
    const { calls, plumber } = setup();
    await plumber.attach({ ...request, announce: false });
    expect(calls.map((c) => c.args[0])).toEqual(['-n', `--net=${NS_PATH}`]);
  });

  it('plumbs an MTU below 1280 without touching the host end\'s IPv6 settings', async () => {
    const { calls, plumber } = setup();
    await plumber.attach({ ...request, mtu: 1000, addresses: ['198.18.1.5/24'] });
    expect(calls[0].input).not.toMatch(/addrgenmode/);
  });
});

describe('Plumber.attachMany', () => {
  it('attaches each request on its own: one outcome per request, in order, a failure leaving the others', async () => {
    const { store, plumber } = setup();
    const outcomes = await plumber.attachMany([request, eth2, { ...request, ifname: 'e;th' }, eth3], { concurrency: 4 });
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.attachment.ifname : null))).toEqual(['eth1', 'eth2', null, 'eth3']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(store.rows.size).toBe(3);
  });

  it('puts the OVSDB side of a group into one transaction (one ovs-vswitchd reconfiguration) and marks them ready in one', async () => {
    const { store, plumber } = setup();
    await plumber.attachMany([request, eth2, eth3], { concurrency: 8 });
    expect(store.calls).toEqual([
      `addPorts ${[1, 2, 3].map((n) => hostIfname(container.id, `eth${n}`)).join(',')}`,
      `updatePorts ${[1, 2, 3].map((n) => hostIfname(container.id, `eth${n}`)).join(',')}`,
    ]);
  });

  it('plumbs in groups of `concurrency`', async () => {
    const { store, plumber } = setup();
    await plumber.attachMany([request, eth2, eth3], { concurrency: 2 });
    expect(store.calls.filter((c) => c.startsWith('addPorts')).map((c) => c.split(',').length)).toEqual([2, 1]);
  });

  it('fails only the request whose port the database refuses, undoing its veth; the others go in without it', async () => {
    const { store, host, plumber } = setup();
    const taken = hostIfname(container.id, 'eth2');
    store.rows.set('foreign', { portUuid: 'foreign', interfaceUuid: 'fi', name: taken, bridge: 'br-int', tag: null, trunks: [], externalIds: {}, ofport: 1, linkState: 'up', mtu: null, error: null });
    const outcomes = await plumber.attachMany([request, eth2, eth3]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (outcomes[1] as PromiseRejectedResult).reason as AttachError;
    expect(refused.step).toBe('ovs-port');
    expect(refused.message).toMatch(/already exists/);
    expect(host.hostLinks.has(taken)).toBe(false);
    expect(store.calls.filter((c) => c.startsWith('addPorts')).map((c) => c.split(',').length)).toEqual([3, 2]);
  });

  it('refuses a concurrency outside 1-64 and requests that are no list', async () => {
    const { plumber } = setup();
    await expect(plumber.attachMany([request], { concurrency: 0 })).rejects.toThrow(ValidationError);
    await expect(plumber.attachMany('x' as unknown as AttachRequest[])).rejects.toThrow(ValidationError);
  });
});

describe('Plumber.detach and detachMany', () => {
  it('detaches one interface: its port, and its veth through one ip batch', async () => {
    const { store, calls, plumber } = setup();
    const { attachment } = await plumber.attach(request);
    await plumber.attach(eth2);
    calls.length = 0;
    store.calls.length = 0;
    const detached = await plumber.detach({ attachmentId: attachment.attachmentId });
    expect(detached.map((a) => a.ifname)).toEqual(['eth1']);
    expect(store.rows.size).toBe(1);
    expect(store.calls).toEqual([`deletePorts ${HOST}`]);
    expect(calls).toEqual([{ file: 'ip', args: ['-n', 'lab-h1', '-force', '-batch', '-'], input: `link del ${HOST}\n` }]);
  });

  it('detaches all interfaces of a container in one transaction and one spawn', async () => {
    const { store, calls, plumber } = setup();
    await plumber.attach(request);
    await plumber.attach(eth2);
    calls.length = 0;
    store.calls.length = 0;
    expect(await plumber.detach({ containerId: container.id })).toHaveLength(2);
    expect(store.calls.filter((c) => c.startsWith('deletePorts'))).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(store.rows.size).toBe(0);
  });

  it('detaches many selections in one transaction and one ip batch, one outcome per selector', async () => {
    const { store, calls, host, plumber } = setup();
    const outcomes = await plumber.attachMany([request, eth2, eth3]);
    const [a1, a2] = outcomes.map((o) => (o as PromiseFulfilledResult<{ attachment: { attachmentId: string } }>).value.attachment);
    calls.length = 0;
    store.calls.length = 0;
    const detached = await plumber.detachMany([
      { attachmentId: a1.attachmentId },
      { containerId: container.id, ifname: 'eth2' },
      { attachmentId: 'not-a-uuid' },
      { containerId: 'nobody' },
      { containerId: container.id, ifname: 'eth3' },
    ]);
    expect(detached.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((detached[1] as PromiseFulfilledResult<{ attachmentId: string }[]>).value.map((a) => a.attachmentId)).toEqual([a2.attachmentId]);
    expect((detached[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect((detached[3] as PromiseFulfilledResult<unknown[]>).value).toEqual([]);
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0].split(',')).toHaveLength(3);
    expect(calls).toHaveLength(1);
    expect(store.rows.size).toBe(0);
    expect(host.hostLinks.size).toBe(0);
  });

  it('fails every selection of a failed transaction, retryable when its cause is', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    store.failNext.deletePorts = Object.assign(new Error('connection dropped'), { retryable: true });
    const [outcome] = await plumber.detachMany([{ containerId: container.id }]);
    const reason = (outcome as PromiseRejectedResult).reason as DetachError;
    expect(reason).toBeInstanceOf(DetachError);
    expect(reason.step).toBe('ovs-port');
    expect(reason.retryable).toBe(true);
  });

  it('detaches a stopped container named by its engine name, through the id it recorded', async () => {
    const { plumber, store, identifyAs, identities } = setup();
    await plumber.attach(request);
    identifyAs({ ids: [container.id], netnsInode: null });
    expect(await plumber.detach({ container: { dockerContainer: 'web1' } })).toHaveLength(1);
    expect(identities).toEqual([{ dockerContainer: 'web1' }]);
    expect(store.rows.size).toBe(0);
  });

  it('detaches a container the engine no longer knows, by the name it recorded', async () => {
    const { plumber, store, identifyAs } = setup();
    await plumber.attach(request);
    identifyAs({ ids: [], formerly: 'web1', netnsInode: null });
    expect(await plumber.detach({ container: { dockerContainer: 'web1' } })).toHaveLength(1);
    expect(store.rows.size).toBe(0);
  });

  it('detaches by PID a container attached by name: the same live namespace', async () => {
    const { plumber, store, identifyAs } = setup();
    await plumber.attach(request);
    identifyAs({ ids: [`pid-${process.pid}`], netnsInode: container.netnsInode });
    expect(await plumber.detach({ container: { pid: process.pid } })).toHaveLength(1);
    expect(store.rows.size).toBe(0);
  });

  it('never touches ports it did not make', async () => {
    const { store, plumber } = setup();
    await store.addPorts([{ bridge: 'br-int', name: 'a1b2c3_l', tag: null, trunks: [], mtuRequest: null, interfaceExternalIds: { container_id: container.id, container_iface: 'eth1' }, portExternalIds: {} }], { vswitchdTimeoutMs: 0 });
    expect(await plumber.detach({ containerId: container.id })).toEqual([]);
    expect(store.rows.size).toBe(1);
  });
});

describe('Plumber.setVlan, recover', () => {
  it('changes the VLAN and records it', async () => {
    const { store, plumber } = setup();
    await plumber.attach(request);
    const [changed] = await plumber.setVlan({ containerId: container.id, ifname: 'eth1' }, { trunks: [20, 10] });
    expect(changed.spec.trunks).toEqual([10, 20]);
    const [row] = store.rows.values();
    expect(row).toMatchObject({ tag: null, trunks: [10, 20] });
    expect(JSON.parse(row.externalIds['ovs-fleet-spec'])).toMatchObject({ tag: null, trunks: [10, 20] });
    await expect(plumber.setVlan({ containerId: container.id }, { tag: 5000 })).rejects.toBeInstanceOf(ValidationError);
    await expect(plumber.setVlan({ containerId: container.id }, null as unknown as { tag: number })).rejects.toBeInstanceOf(ValidationError);
  });

  it('recovers: removes orphan veths of ours, ports without veth, and half-done attaches; leaves the rest', async () => {
    const { store, host, calls, plumber } = setup();
    const { attachment: kept } = await plumber.attach(request);
    const { attachment: gone } = await plumber.attach(eth2);
    const { attachment: half } = await plumber.attach(eth3);
    [...store.rows.values()].find((r) => r.name === half.hostIfname)!.externalIds['ovs-fleet-state'] = 'pending';
    host.hostLinks.delete(gone.hostIfname);
    const orphan = hostIfname('crashed', 'eth0');
    host.hostLinks.set(orphan, { mtu: 1500, up: true, peer: { namespace: '1', ifname: 'eth0' } });
    host.hostLinks.set('ovfc-not-ours', { mtu: 1500, up: true, peer: { namespace: '1', ifname: 'x' } });
    calls.length = 0;
    const report = await plumber.recover();
    expect(report.removedPorts.sort()).toEqual([gone.hostIfname, half.hostIfname].sort());
    expect(report.removedLinks.sort()).toEqual([orphan, half.hostIfname].sort());
    expect([...store.rows.values()].map((r) => r.name)).toEqual([kept.hostIfname]);
    expect(calls.at(-1)?.input?.split('\n').filter(Boolean).sort()).toEqual([`link del ${orphan}`, `link del ${half.hostIfname}`].sort());
    expect([...host.hostLinks.keys()].sort()).toEqual([kept.hostIfname, 'ovfc-not-ours'].sort());
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
  it('sends host-side batches (create, detach) to the one session and closes it', async () => {
    const host = new FakeHost();
    const sessions: string[] = [];
    const runner = Object.assign(host.runner, {
      session: (netns: string | undefined) => {
        sessions.push(String(netns));
        return host.session();
      },
    });
    const plumber = new Plumber({ store: new FakePortStore(), runner, hostNetns: 'lab-h1', resolve: async () => container });
    const { attachment } = await plumber.attach(request);
    await plumber.detach({ attachmentId: attachment.attachmentId });
    expect(sessions).toEqual(['lab-h1']);
    expect(host.sessionBatches.map((batch) => batch.map((c) => c.slice(0, 2).join(' ')))).toEqual([['link add', 'link set', 'link set'], ['link del']]);
    expect(host.calls.map((c) => c.file)).toEqual(['nsenter', 'nsenter']);
    await plumber.close();
    expect(host.sessionsClosed).toBe(1);
  });
});
