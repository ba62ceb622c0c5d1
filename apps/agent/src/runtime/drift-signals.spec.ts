import { tunnelPortName } from '@ovs-fleet/contracts';
import type { ChangeEvent, ReplicaEvent, ReplicaRow } from '@ovs-fleet/ovsdb';
import { hostIfname } from '@ovs-fleet/plumbing';
import { planConvergence } from '../planner';
import { attachment, desiredHost, network, tunnel } from '../planner/testing/fixtures';
import { MemoryHost } from '../planner/testing/memory-host';
import { driftSignal, plumbingSignals } from './drift-signals';

const blue = network('blue', 100, 1);
const c1 = { netns: 'c1' };
const tunnelPort = tunnelPortName('blue', 'h2');
const veth = hostIfname('a1', 'eth1');

async function convergedHost(): Promise<MemoryHost> {
  const host = await MemoryHost.create();
  host.startContainer(c1);
  const doc = desiredHost({ networks: [blue], tunnels: [tunnel(blue, 'h2', 2)], attachments: [attachment('a1', blue, c1, 1)] });
  await host.apply(planConvergence(doc, host.snapshot()));
  return host;
}

/** The drift signals of whatever `change` does to the host's replica. */
async function signalsOf(host: MemoryHost, change: () => Promise<void>): Promise<string[]> {
  const subscription = host.db.replica.subscribe({ tables: ['Bridge', 'Port', 'Interface'] });
  await change();
  const signals: string[] = [];
  for (let event = subscription.poll(); event !== undefined; event = subscription.poll()) {
    const signal = driftSignal(event, host.db.replica);
    if (signal !== null) signals.push(signal);
  }
  subscription.close();
  return signals.sort();
}

function rowNamed(host: MemoryHost, table: string, name: string): ReplicaRow {
  return [...host.db.replica.table(table).values()].find((row) => row.name === name)!;
}

describe('driftSignal', () => {
  it('a port of ours deleted by hand (its bridge of ours changes too)', async () => {
    const host = await convergedHost();
    const signals = await signalsOf(host, () => host.byHand((batch) => batch.delPort(undefined, tunnelPort)));
    expect(signals).toEqual(['Bridge br-int: ports changed', `Port ${tunnelPort} deleted`]);
  });

  it("a tag of ours changed by hand; a tunnel's options changed by hand (its interface carries no mark: its port's counts)", async () => {
    const host = await convergedHost();
    expect(await signalsOf(host, () => host.byHand((batch) => batch.set('Port', veth, { tag: 7 })))).toEqual([`Port ${veth}: tag changed`]);
    expect(await signalsOf(host, () => host.byHand((batch) => batch.set('Interface', tunnelPort, { 'options:remote_ip': '203.0.113.99' })))).toEqual([`Interface ${tunnelPort}: options changed`]);
  });

  it('rows that are not ours, and columns the planner does not read, are never drift', async () => {
    const host = await convergedHost();
    const foreign = await signalsOf(host, async () => {
      await host.byHand((batch) => batch.addBridge('br-ops', { datapathType: 'netdev' }));
      await host.byHand((batch) => batch.addPort('br-ops', 'ops0', { tag: 5 }));
      await host.byHand((batch) => batch.set('Port', 'ops0', { tag: 6 }));
      await host.byHand((batch) => batch.delBridge('br-ops'));
    });
    expect(foreign).toEqual([]);
    const iface = rowNamed(host, 'Interface', veth);
    const statistics: ChangeEvent = { type: 'modify', table: 'Interface', uuid: iface._uuid, old: iface, new: { ...iface, statistics: new Map([['rx_packets', 9]]), ofport: 3 } };
    expect(driftSignal(statistics, host.db.replica)).toBeNull();
    const reordered: ChangeEvent = { type: 'modify', table: 'Bridge', uuid: '', old: rowNamed(host, 'Bridge', 'br-int'), new: { ...rowNamed(host, 'Bridge', 'br-int'), ports: [...(rowNamed(host, 'Bridge', 'br-int').ports as string[])].reverse() } };
    expect(driftSignal(reordered, host.db.replica)).toBeNull();
  });

  it('dropped events may have hidden anything', async () => {
    const host = await convergedHost();
    const gap: ReplicaEvent = { type: 'gap', reason: 'overflow', dropped: 12 };
    expect(driftSignal(gap, host.db.replica)).toBe('replica events were dropped (overflow)');
  });
});

describe('plumbingSignals', () => {
  const inodes = (host: MemoryHost) => async (path: string) => host.probe.namespaceInode(path);
  const links = (host: MemoryHost) => async () => new Set(host.links);

  it('nothing while veths and namespaces are as recorded', async () => {
    const host = await convergedHost();
    expect(await plumbingSignals(host.db.replica, links(host), inodes(host))).toEqual([]);
  });

  it('a veth of ours gone, a container in a new namespace, a namespace gone', async () => {
    const host = await convergedHost();
    host.links.delete(veth);
    expect(await plumbingSignals(host.db.replica, links(host), inodes(host))).toEqual([`veth ${veth} of attachment a1 is gone`]);
    host.links.add(veth);
    host.restartContainer(c1);
    expect(await plumbingSignals(host.db.replica, links(host), inodes(host))).toEqual(['namespace /var/run/netns/c1 of attachment a1 is a new one']);
    host.namespaces.delete('/var/run/netns/c1');
    expect(await plumbingSignals(host.db.replica, links(host), inodes(host))).toEqual(['namespace /var/run/netns/c1 of attachment a1 is gone']);
  });

  it('does not list links on a host without attachments', async () => {
    const host = await MemoryHost.create();
    let listed = 0;
    expect(await plumbingSignals(host.db.replica, async () => (listed++, new Set<string>()), inodes(host))).toEqual([]);
    expect(listed).toBe(0);
  });
});
