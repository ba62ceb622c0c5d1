import { ownedExternalIds as owned, tunnelPortName, type ResolvedHostState } from '@ovs-fleet/contracts';
import { commands, type Operation } from '@ovs-fleet/ovsdb';
import { Port } from '@ovs-fleet/ovsdb/vswitch';
import { hostIfname } from '@ovs-fleet/plumbing';
import { dryRunOperations, toCommandBatch } from './command-batch';
import { planConvergence } from './plan';
import { actions } from './testing/actions';
import { attachment, desiredHost, hostIp, HOST_IP, network, tunnel } from './testing/fixtures';
import { MemoryHost } from './testing/memory-host';

const blue = network('blue', 100, 1);
const red = network('red', 200, 2, 'geneve');
const web1 = { dockerContainer: 'web1' };
const db1 = { netns: 'db1' };
const [toH2, toH3, toH4] = [tunnelPortName('blue', 'h2'), tunnelPortName('blue', 'h3'), tunnelPortName('blue', 'h4')];

const changesOf = (ops: readonly Operation[]) => ops.filter((op) => op.op !== 'wait');
const uuidOf = (host: MemoryHost, table: string, name: string) => host.db.replica.lookup(table, 'name', name)!._uuid;

function fleet(parts: Partial<ResolvedHostState> = {}): ResolvedHostState {
  return desiredHost({
    networks: [blue, red],
    tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3), tunnel(red, 'h2', 2)],
    attachments: [attachment('a-web1', blue, web1, 1), attachment('a-db1', red, db1, 2)],
    ...parts,
  });
}

async function hostWithContainers(): Promise<MemoryHost> {
  const host = await MemoryHost.create();
  host.startContainer(web1);
  host.startContainer(db1);
  return host;
}

async function convergedHost(desired: ResolvedHostState): Promise<MemoryHost> {
  const host = await hostWithContainers();
  await host.apply(planConvergence(desired, host.snapshot()));
  expect(planConvergence(desired, host.snapshot()).empty).toBe(true);
  return host;
}

describe('toCommandBatch: the plan through the real command layer', () => {
  const before = desiredHost({ networks: [blue], tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3)] });
  const after = desiredHost({ revision: 2, networks: [blue], tunnels: [{ ...tunnel(blue, 'h2', 2), tag: 4 }, tunnel(blue, 'h4', 4)] });

  it('queues one command per planned command, spelled as ovs-vsctl, with --may-exist and --if-exists', async () => {
    const host = await convergedHost(before);
    const plan = planConvergence(after, host.snapshot());
    expect(toCommandBatch(plan, commands(host.db)).describe()).toEqual([`--if-exists del-port ${toH3}`, `set Port ${toH2} tag=4`, `--may-exist add-port br-int ${toH4}`]);
  });

  it('sends one transaction: the re-tag an update, the new tunnel inserted whole, the bridge ports mutated (no rewrite)', async () => {
    const host = await convergedHost(before);
    const [bridge, h2, h3] = [uuidOf(host, 'Bridge', 'br-int'), uuidOf(host, 'Port', toH2), uuidOf(host, 'Port', toH3)];
    const sentBefore = host.db.sent.length;
    await toCommandBatch(planConvergence(after, host.snapshot()), commands(host.db)).execute();
    expect(host.db.sent).toHaveLength(sentBefore + 1);
    expect(changesOf(host.db.sent.at(-1)!)).toEqual([
      { op: 'update', table: 'Port', where: [['_uuid', '==', ['uuid', h2]]], row: { tag: 4 } },
      { op: 'insert', table: 'Interface', row: { name: toH4, type: 'vxlan', options: ['map', [['remote_ip', hostIp(4)], ['local_ip', HOST_IP], ['key', '100']]] }, 'uuid-name': 'row1' },
      {
        op: 'insert',
        table: 'Port',
        row: {
          protected: true,
          name: toH4,
          interfaces: ['set', [['named-uuid', 'row1']]],
          tag: 1,
          external_ids: ['map', [[owned.OWNER, owned.OWNER_VALUE], [owned.ROLE, 'tunnel'], [owned.NETWORK, 'blue'], [owned.REMOTE_HOST, 'h4']]],
        },
        'uuid-name': 'row2',
      },
      { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', ['uuid', bridge]]], mutations: [['ports', 'delete', ['set', [['uuid', h3]]]], ['ports', 'insert', ['set', [['named-uuid', 'row2']]]]] },
    ]);
    expect(host.db.replica.lookup(Port, 'name', toH2)!.tag).toBe(4);
    expect(host.db.replica.lookup(Port, 'name', toH3)).toBeUndefined();
  });

  it('dryRunOperations gives exactly the operations executing would send, and applies nothing', async () => {
    const host = await convergedHost(before);
    const plan = planConvergence(after, host.snapshot());
    const sentBefore = host.db.sent.length;
    const dry = await dryRunOperations(plan, host.db.replica, { comment: 'converge h1 to revision 2' });
    expect(host.db.sent).toHaveLength(sentBefore);
    expect(planConvergence(after, host.snapshot())).toEqual(plan);
    expect(dry).toContainEqual({ op: 'comment', comment: 'converge h1 to revision 2' });
    await toCommandBatch(plan, commands(host.db)).execute({ comment: 'converge h1 to revision 2' });
    expect(host.db.sent.at(-1)).toEqual(dry);
  });

  it('dryRunOperations with waitForVswitchd shows the next_cfg increment too; nothing to do sends nothing', async () => {
    const host = await convergedHost(before);
    const ops = await dryRunOperations(planConvergence(after, host.snapshot()), host.db.replica, { waitForVswitchd: true });
    expect(ops).toContainEqual(expect.objectContaining({ op: 'mutate', table: 'Open_vSwitch', mutations: [['next_cfg', '+=', 1]] }));
    expect(await dryRunOperations(planConvergence(before, host.snapshot()), host.db.replica)).toEqual([]);
  });

  it('writes one map key alone (other keys stay), empties an optional column, and re-tags an attachment with its record', async () => {
    const mgmt = { name: 'mgmt0', bridge: 'br-int', kind: 'internal' as const, tag: null, trunks: [], vlanMode: null, peer: null };
    const withPort = fleet({ operator: { bridges: [], ports: [mgmt], tunnels: [] } });
    const host = await convergedHost(withPort);
    const veth = hostIfname('a-web1', 'eth1');
    await host.byHand((batch) => {
      batch.set(Port, toH2, { tag: 9, 'external_ids:ovs-fleet-network': 'x', 'external_ids:note': 'kept' });
      batch.set(Port, 'mgmt0', { vlan_mode: 'access' });
    });
    const retagged = { ...withPort, revision: 2, attachments: [{ ...attachment('a-web1', blue, web1, 1), tag: 5 }, attachment('a-db1', red, db1, 2)] };
    const plan = planConvergence(retagged, host.snapshot());
    expect(actions(plan)).toEqual([
      `tunnel ${toH2} (changed): set Port ${toH2} {"tag":1,"external_ids:${owned.NETWORK}":"blue"}`,
      'port mgmt0 (changed): set Port mgmt0 {"vlan_mode":null}',
      `attachment a-web1 (changed): set Port ${veth} {"tag":5}`,
      expect.stringMatching(new RegExp(`^attachment a-web1 \\(changed\\): set Interface ${veth} \\{"external_ids:ovs-fleet-spec":`)),
    ]);
    await host.apply(plan);
    const port = host.db.replica.lookup(Port, 'name', toH2)!;
    expect(port.tag).toBe(1);
    expect(port.external_ids.get('note')).toBe('kept');
    expect(host.db.replica.lookup(Port, 'name', 'mgmt0')!.vlan_mode).toBeNull();
    expect(host.db.replica.lookup(Port, 'name', veth)!.tag).toBe(5);
    expect(host.snapshot().attachments.find((a) => a.record.containerId === 'a-web1')!.record.spec.tag).toBe(5);
    expect(planConvergence(retagged, host.snapshot()).empty).toBe(true);
  });
});

describe('toCommandBatch: converging through the real command layer leaves nothing to do', () => {
  const desired = fleet();
  it('an empty host', async () => {
    const host = await hostWithContainers();
    const plan = planConvergence(desired, host.snapshot());
    expect(plan.summary).toEqual({ added: 6, changed: 0, removed: 0, repaired: 0 });
    await host.apply(plan);
    expect(actions(planConvergence(desired, host.snapshot(), { applied: desired }))).toEqual([]);
  });

  const cases: { what: string; make: (host: MemoryHost) => Promise<void> }[] = [
    { what: 'a tunnel deleted by hand', make: (host) => host.byHand((b) => b.delPort('br-int', toH3))},
    { what: 'a tag changed by hand', make: (host) => host.byHand((b) => b.set(Port, toH2, { tag: 30 }))},
    { what: 'split horizon cleared by hand', make: (host) => host.byHand((b) => b.set(Port, toH2, { protected: false }))},
    { what: "a tunnel's options changed by hand", make: (host) => host.byHand((b) => b.set('Interface', toH2, { 'options:key': '555', 'options:tos': 'inherit' }))},
    { what: "a tunnel's type changed by hand", make: (host) => host.byHand((b) => b.set('Interface', toH2, { type: 'gre' }))},
    { what: 'the bridge datapath changed by hand', make: (host) => host.byHand((b) => b.set('Bridge', 'br-int', { datapath_type: 'system' }))},
    { what: "an attachment's tag changed by hand", make: (host) => host.byHand((b) => b.set(Port, hostIfname('a-db1', 'eth1'), { tag: 77 }))},
    {
      what: "a container's veth deleted",
      make: async (host) => {
        host.links.delete(hostIfname('a-web1', 'eth1'));
      },
    },
    {
      what: 'a container restarted',
      make: async (host) => {
        host.restartContainer(db1);
      },
    },
  ];

  it.each(cases)('$what', async ({ make }) => {
    const host = await convergedHost(desired);
    await make(host);
    const plan = planConvergence(desired, host.snapshot(), { applied: desired });
    expect(plan.summary).toEqual({ added: 0, changed: 0, removed: 0, repaired: 1 });
    await host.apply(plan);
    expect(actions(planConvergence(desired, host.snapshot(), { applied: desired }))).toEqual([]);
  });

  it('a foreign port holding our name stays exactly as it was', async () => {
    const host = await convergedHost(desired);
    await host.byHand((b) => {
      b.delPort('br-int', toH3);
      b.addPort('br-int', toH3, { tag: 12, interfaces: [{ name: toH3, type: 'vxlan', options: { remote_ip: hostIp(66) } }] });
    });
    const row = host.db.replica.lookup(Port, 'name', toH3);
    const plan = planConvergence(desired, host.snapshot(), { applied: desired });
    expect(plan.empty).toBe(true);
    expect(plan.conflicts.map((c) => c.kind)).toEqual(['name-taken']);
    await host.apply(plan);
    expect(host.db.replica.lookup(Port, 'name', toH3)).toBe(row);
  });
});
