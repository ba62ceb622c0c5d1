/**
 * IdlPortStore on a real lab host (ovsdb-server and ovs-vswitchd, userspace datapath): one
 * transaction per batch, ovs-vswitchd's reconfiguration waited for, reads from the replica,
 * checked against ovs-vsctl (a tool independent of the code under test).
 */
import { run } from '@ovs-fleet/iproute';
import { CountedTarget } from './support/counted-target';
import { IdlPortStore, NewPort, PortRefusedError } from '@ovs-fleet/plumbing';
import { BRIDGE, PlumbingLab, startPlumbingLab, vsctl } from './support/plumbing-lab';

jest.setTimeout(120_000);

let env: PlumbingLab;
let store: IdlPortStore;
let counted: CountedTarget;

beforeAll(async () => {
  env = await startPlumbingLab();
  counted = new CountedTarget(env.ovsdb.idl);
  store = new IdlPortStore(counted);
});

afterAll(async () => {
  await env?.dispose();
});

const WAIT = { vswitchdTimeoutMs: 10_000 };
const port = (name: string, extra: Partial<NewPort> = {}): NewPort => ({
  bridge: BRIDGE, name, tag: 12, trunks: [], mtuRequest: 1400,
  interfaceExternalIds: { 'ovs-fleet-test': 'idl-store', name }, portExternalIds: { 'ovs-fleet-test': 'idl-store' }, ...extra,
});

/** A veth pair in the host namespace, so ovs-vswitchd has a device to open. */
async function veth(name: string): Promise<void> {
  await run('ip', ['-n', env.host.netns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}-p`]);
  await run('ip', ['-n', env.host.netns, 'link', 'set', name, 'up']);
}

async function cfg(): Promise<{ next: number; cur: number }> {
  const [next, cur] = (await vsctl(env.host, ['get', 'Open_vSwitch', '.', 'next_cfg', 'cur_cfg'])).split('\n').map(Number);
  return { next, cur };
}

describe('IdlPortStore on a real host', () => {
  it('adds ports in one transaction and resolves once ovs-vswitchd applied it, with the ofports it gave', async () => {
    await veth('ips-a');
    await veth('ips-b');
    counted.transactions = 0;
    const added = await store.addPorts([port('ips-a'), port('ips-b', { tag: null, trunks: [30, 10] })], WAIT);
    expect(counted.transactions).toBe(1);
    const { next, cur } = await cfg();
    expect(cur).toBeGreaterThanOrEqual(next);
    for (const [i, name] of ['ips-a', 'ips-b'].entries()) {
      expect(added[i].ofport).toBe(Number(await vsctl(env.host, ['get', 'Interface', name, 'ofport'])));
      expect(added[i].ofport).toBeGreaterThan(0);
      expect(added[i].error).toBeNull();
    }
    expect(await vsctl(env.host, ['get', 'Port', 'ips-a', 'tag'])).toBe('12');
    expect(await vsctl(env.host, ['get', 'Port', 'ips-b', 'trunks'])).toBe('[10, 30]');
    expect(await vsctl(env.host, ['get', 'Interface', 'ips-a', 'mtu_request'])).toBe('1400');
    expect(await vsctl(env.host, ['get', 'Interface', 'ips-a', 'external_ids:name'])).toBe('ips-a');
  });

  it('finds them from its replica, without a transaction, as ovs-vsctl shows them', async () => {
    counted.transactions = 0;
    const rows = await store.find({ 'ovs-fleet-test': 'idl-store' });
    expect(counted.transactions).toBe(0);
    expect(rows.map((r) => [r.name, r.bridge, r.tag, r.trunks]).sort()).toEqual([
      ['ips-a', BRIDGE, 12, []],
      ['ips-b', BRIDGE, null, [10, 30]],
    ]);
    const a = rows.find((r) => r.name === 'ips-a')!;
    expect(a.interfaceUuid).toBe(await vsctl(env.host, ['get', 'Interface', 'ips-a', '_uuid']));
    expect(a.portUuid).toBe(await vsctl(env.host, ['get', 'Port', 'ips-a', '_uuid']));
    expect(await store.hasBridge(BRIDGE)).toBe(true);
    expect(await store.hasBridge('br-none')).toBe(false);
  });

  it('tells a port whose device does not exist by ovs-vswitchd\'s own error', async () => {
    const [added] = await store.addPorts([port('ips-missing')], WAIT);
    expect(added.ofport).toBe(-1);
    expect(added.error).toMatch(/could not open network device ips-missing \(No such device\)/);
    expect(added.error).toBe(JSON.parse(await vsctl(env.host, ['get', 'Interface', 'ips-missing', 'error'])));
    await store.deletePorts([added.portUuid], WAIT);
  });

  it('refuses a batch with a taken name, naming the item, and adds nothing', async () => {
    await veth('ips-c');
    const before = await vsctl(env.host, ['list-ports', BRIDGE]);
    counted.transactions = 0;
    const error = await store.addPorts([port('ips-c'), port('ips-a')], WAIT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortRefusedError);
    expect((error as PortRefusedError).index).toBe(1);
    expect(counted.transactions).toBe(0);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe(before);
  });

  it('updates VLANs and keys of several ports in one transaction', async () => {
    const rows = await store.find({ 'ovs-fleet-test': 'idl-store' });
    counted.transactions = 0;
    await store.updatePorts(rows.map((row) => ({ row, vlan: { tag: 44, trunks: [] }, externalIds: { state: 'ready' } })), WAIT);
    expect(counted.transactions).toBe(1);
    for (const name of ['ips-a', 'ips-b']) {
      expect(await vsctl(env.host, ['get', 'Port', name, 'tag'])).toBe('44');
      expect(await vsctl(env.host, ['get', 'Port', name, 'trunks'])).toBe('[]');
      expect(await vsctl(env.host, ['get', 'Interface', name, 'external_ids:state'])).toBe('ready');
      expect(await vsctl(env.host, ['get', 'Interface', name, 'external_ids:name'])).toBe(name);
    }
  });

  it('deletes ports in one transaction and resolves once ovs-vswitchd let go of them', async () => {
    const rows = await store.find({ 'ovs-fleet-test': 'idl-store' });
    counted.transactions = 0;
    await store.deletePorts(rows.map((r) => r.portUuid!), WAIT);
    expect(counted.transactions).toBe(1);
    const { next, cur } = await cfg();
    expect(cur).toBeGreaterThanOrEqual(next);
    expect(await vsctl(env.host, ['list-ports', BRIDGE])).toBe('');
    expect(await store.find({ 'ovs-fleet-test': 'idl-store' })).toEqual([]);
    for (const name of ['ips-a', 'ips-b', 'ips-c']) await run('ip', ['-n', env.host.netns, 'link', 'del', name]);
  });
});
