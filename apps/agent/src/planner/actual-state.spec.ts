import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import { externalIds as plumbingIds, hostIfname } from '@ovs-fleet/plumbing';
import { actualStateFromReplica, attachmentsFromReplica } from './actual-state';
import { MemoryHost } from './testing/memory-host';

const ours = { [owned.OWNER]: owned.OWNER_VALUE };

/** br-int (ours) with a tunnel and an attachment made as plumbing makes them; br-ops by hand with a trunk port. */
async function host(): Promise<MemoryHost> {
  const h = await MemoryHost.create();
  h.startContainer({ netns: 'c1' });
  await h.byHand((b) => {
    b.addBridge('br-int', { datapathType: 'netdev', failMode: 'secure', otherConfig: { 'disable-in-band': 'true' }, externalIds: { ...ours, [owned.ROLE]: 'bridge' } });
    b.addPort('br-int', 'ovt-1', {
      tag: 3,
      columns: { protected: true },
      externalIds: { ...ours, [owned.ROLE]: 'tunnel' },
      interfaces: [{ name: 'ovt-1', type: 'vxlan', options: { remote_ip: '203.0.113.2', key: '100' } }],
    });
    b.addBridge('br-ops');
    b.addPort('br-ops', 'eth5', { trunks: [30, 10], vlanMode: 'trunk' });
  });
  const rows = h.plumb({ container: { netns: 'c1' }, containerId: 'a1', bridge: 'br-int', ifname: 'eth1', mtu: 1450, addresses: ['198.18.0.5/24'], tag: 3 });
  await h.byHand((b) =>
    b.addPort('br-int', rows.attachment.hostIfname, {
      tag: 3,
      externalIds: rows.portExternalIds,
      interfaces: [{ name: rows.attachment.hostIfname, mtuRequest: 1450, externalIds: rows.interfaceExternalIds }],
    }),
  );
  return h;
}

describe('actualStateFromReplica', () => {
  it('reads every bridge as plain data', async () => {
    const h = await host();
    const state = actualStateFromReplica(h.db.replica, h.probe);
    expect([...state.bridges].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'br-int', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'disable-in-band': 'true' }, externalIds: { ...ours, [owned.ROLE]: 'bridge' } },
      { name: 'br-ops', datapathType: '', failMode: null, otherConfig: {}, externalIds: {} },
    ]);
  });

  it('reads every port with its bridge, VLAN columns, protection, marks and interfaces', async () => {
    const h = await host();
    const ports = new Map(actualStateFromReplica(h.db.replica, h.probe).ports.map((p) => [p.name, p]));
    expect([...ports.keys()].sort()).toEqual(['br-int', 'br-ops', 'eth5', hostIfname('a1', 'eth1'), 'ovt-1'].sort());
    expect(ports.get('ovt-1')).toEqual({
      name: 'ovt-1',
      bridge: 'br-int',
      tag: 3,
      trunks: [],
      vlanMode: null,
      protected: true,
      externalIds: { ...ours, [owned.ROLE]: 'tunnel' },
      interfaces: [{ name: 'ovt-1', type: 'vxlan', options: { remote_ip: '203.0.113.2', key: '100' }, mtuRequest: null, externalIds: {} }],
    });
    expect(ports.get('eth5')).toMatchObject({ bridge: 'br-ops', tag: null, trunks: [10, 30], vlanMode: 'trunk', protected: false, interfaces: [{ name: 'eth5', type: '' }] });
    expect(ports.get('br-int')!.interfaces).toEqual([{ name: 'br-int', type: 'internal', options: {}, mtuRequest: null, externalIds: {} }]);
  });

  it("decodes plumbing's records on our rows, with the probe's facts about the veth and the namespace", async () => {
    const h = await host();
    const name = hostIfname('a1', 'eth1');
    const [found] = actualStateFromReplica(h.db.replica, h.probe).attachments;
    expect(found.record).toMatchObject({ containerId: 'a1', containerRef: 'c1', ifname: 'eth1', bridge: 'br-int', hostIfname: name, netnsPath: '/var/run/netns/c1', state: 'ready' });
    expect(found.record.spec).toMatchObject({ containerId: 'a1', tag: 3, mtu: 1450, addresses: ['198.18.0.5/24'] });
    expect(found.vethPresent).toBe(true);
    expect(found.namespaceInode).toBe(found.record.netnsInode);

    h.links.delete(name);
    h.restartContainer({ netns: 'c1' });
    const [later] = actualStateFromReplica(h.db.replica, h.probe).attachments;
    expect(later.vethPresent).toBe(false);
    expect(later.namespaceInode).not.toBe(later.record.netnsInode);
    expect(attachmentsFromReplica(h.db.replica)).toEqual([later.record]);
  });

  it("ignores records that are not ours: another owner, a name plumbing does not make, a damaged spec", async () => {
    const h = await host();
    const plumbingRows = (containerId: string) => h.plumb({ container: { netns: 'c1' }, containerId, bridge: 'br-int', ifname: 'eth1' });
    const other = plumbingRows('b1');
    const misnamed = plumbingRows('b2');
    const damaged = plumbingRows('b3');
    await h.byHand((b) => {
      b.addPort('br-int', other.attachment.hostIfname, { interfaces: [{ name: other.attachment.hostIfname, externalIds: { ...other.interfaceExternalIds, [plumbingIds.OWNER]: 'someone-else' } }] });
      b.addPort('br-int', 'veth-b2', { interfaces: [{ name: 'veth-b2', externalIds: misnamed.interfaceExternalIds }] });
      b.addPort('br-int', damaged.attachment.hostIfname, { interfaces: [{ name: damaged.attachment.hostIfname, externalIds: { ...damaged.interfaceExternalIds, [plumbingIds.SPEC]: '{not json' } }] });
    });
    expect(actualStateFromReplica(h.db.replica, h.probe).attachments.map((a) => a.record.containerId)).toEqual(['a1']);
  });
});
