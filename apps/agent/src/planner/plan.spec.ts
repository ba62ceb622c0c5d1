import { ownedExternalIds as owned, tunnelPortName, type ResolvedHostState } from '@ovs-fleet/contracts';
import { externalIds as plumbingIds, hostIfname } from '@ovs-fleet/plumbing';
import { planConvergence } from './plan';
import { actions } from './testing/actions';
import { attachment, desiredHost, hostIp, HOST_IP, network, tunnel } from './testing/fixtures';
import { SimHost } from './testing/sim-host';
import type { ConvergencePlan } from './types';

const blue = network('blue', 100, 1);
const red = network('red', 200, 2, 'gre');
const web1 = { dockerContainer: 'web1' };
const db1 = { netns: 'db1' };
const port = {
  blueH2: tunnelPortName('blue', 'h2'),
  blueH3: tunnelPortName('blue', 'h3'),
  redH2: tunnelPortName('red', 'h2'),
  blueH4: tunnelPortName('blue', 'h4'),
};
const veth = { web1: hostIfname('a-web1', 'eth1'), db1: hostIfname('a-db1', 'eth1') };

/** Two overlays, a mesh to h2 and h3, a container on each network. */
function fleetDoc(parts: Partial<ResolvedHostState> = {}): ResolvedHostState {
  return desiredHost({
    networks: [blue, red],
    tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3), tunnel(red, 'h2', 2)],
    attachments: [attachment('a-web1', blue, web1, 1), attachment('a-db1', red, db1, 2)],
    ...parts,
  });
}

function hostWithContainers(): SimHost {
  const sim = new SimHost();
  sim.startContainer(web1);
  sim.startContainer(db1);
  return sim;
}

/** A host converged to `desired` (checked), to break or change from there. */
function converged(desired: ResolvedHostState): SimHost {
  const sim = hostWithContainers();
  sim.apply(planConvergence(desired, sim.snapshot()));
  expect(planConvergence(desired, sim.snapshot()).empty).toBe(true);
  return sim;
}

/** Applies the plan and checks that planning again finds nothing to do. */
function applyAndCheck(sim: SimHost, desired: ResolvedHostState, plan: ConvergencePlan): void {
  sim.apply(plan);
  const again = planConvergence(desired, sim.snapshot(), { applied: desired });
  expect(actions(again)).toEqual([]);
  expect(again.empty).toBe(true);
}

describe('planConvergence: an empty host', () => {
  const desired = fleetDoc();
  const plan = planConvergence(desired, hostWithContainers().snapshot());

  it('creates the integration bridge, every tunnel, then attaches every container', () => {
    expect(actions(plan)).toEqual([
      'bridge br-int (added): add-br br-int',
      `tunnel ${port.blueH2} (added): add-port br-int ${port.blueH2}`,
      `tunnel ${port.blueH3} (added): add-port br-int ${port.blueH3}`,
      `tunnel ${port.redH2} (added): add-port br-int ${port.redH2}`,
      `attach a-web1 ${veth.web1} (added)`,
      `attach a-db1 ${veth.db1} (added)`,
    ]);
    expect(plan.summary).toEqual({ added: 6, changed: 0, removed: 0, repaired: 0 });
    expect(plan.empty).toBe(false);
    expect(plan.conflicts).toEqual([]);
    expect(plan).toMatchObject({ hostId: 'h1', revision: 1 });
  });

  it('makes the bridge with its datapath type and marks it ours', () => {
    expect(plan.ovsdb[0].commands).toEqual([
      { command: 'add-br', bridge: 'br-int', datapathType: 'netdev', failMode: null, otherConfig: {}, externalIds: { [owned.OWNER]: owned.OWNER_VALUE, [owned.ROLE]: 'bridge' } },
    ]);
  });

  it('makes each tunnel a protected port tagged with the local VLAN, keyed with the segment, marked with its network and remote host', () => {
    expect(plan.ovsdb[3].commands).toEqual([
      {
        command: 'add-port',
        bridge: 'br-int',
        port: port.redH2,
        tag: 2,
        trunks: [],
        vlanMode: null,
        protected: true,
        externalIds: { [owned.OWNER]: owned.OWNER_VALUE, [owned.ROLE]: 'tunnel', [owned.NETWORK]: 'red', [owned.REMOTE_HOST]: 'h2' },
        iface: { name: port.redH2, type: 'gre', options: { remote_ip: hostIp(2), local_ip: HOST_IP, key: '200' } },
      },
    ]);
  });

  it("attaches through libs/plumbing's request, with the attachment id as the container id so the record names it", () => {
    expect(plan.namespace.attach[0].request).toEqual({
      container: { dockerContainer: 'web1' },
      containerId: 'a-web1',
      bridge: 'br-int',
      ifname: 'eth1',
      mac: '02:00:00:00:01:0b',
      mtu: 1450,
      addresses: ['198.18.1.11/24'],
      gateway: '198.18.1.1',
      routes: [],
      tag: 1,
    });
  });

  it('converges: planning against the result is empty', () => {
    applyAndCheck(hostWithContainers(), desired, plan);
  });
});

describe('planConvergence: a converged host', () => {
  it('plans nothing', () => {
    const desired = fleetDoc();
    const plan = planConvergence(desired, converged(desired).snapshot(), { applied: desired });
    expect(plan).toEqual({
      hostId: 'h1',
      revision: 1,
      ovsdb: [],
      namespace: { detach: [], attach: [] },
      conflicts: [],
      summary: { added: 0, changed: 0, removed: 0, repaired: 0 },
      empty: true,
    });
  });
});

describe('planConvergence: drift (something of ours changed by hand) gets the minimal repair', () => {
  const desired = fleetDoc();
  const cases: { drift: string; make: (sim: SimHost) => void; expected: string[] }[] = [
    {
      drift: 'a tunnel deleted (ovs-vsctl del-port)',
      make: (sim) => sim.delPortByHand(port.blueH3),
      expected: [`tunnel ${port.blueH3} (repaired): add-port br-int ${port.blueH3}`],
    },
    {
      drift: "a tunnel's tag changed",
      make: (sim) => sim.setByHand('Port', port.blueH2, { tag: 7 }),
      expected: [`tunnel ${port.blueH2} (repaired): set Port ${port.blueH2} {"tag":1}`],
    },
    {
      drift: "a tunnel's split horizon cleared (protected=false)",
      make: (sim) => sim.setByHand('Port', port.redH2, { protected: false }),
      expected: [`tunnel ${port.redH2} (repaired): set Port ${port.redH2} {"protected":true}`],
    },
    {
      drift: "a tunnel's remote_ip changed",
      make: (sim) => sim.setByHand('Interface', port.blueH2, { 'options:remote_ip': hostIp(9) }),
      expected: [`tunnel ${port.blueH2} (repaired): set Interface ${port.blueH2} {"options":{"remote_ip":"${hostIp(2)}","local_ip":"${HOST_IP}","key":"100"}}`],
    },
    {
      drift: "one of our external_ids removed from a tunnel's port",
      make: (sim) => sim.setByHand('Port', port.blueH2, { [`external_ids:${owned.NETWORK}`]: 'green' }),
      expected: [`tunnel ${port.blueH2} (repaired): set Port ${port.blueH2} {"external_ids:${owned.NETWORK}":"blue"}`],
    },
    {
      drift: "a tunnel's interface type changed (it cannot be set in place)",
      make: (sim) => sim.setByHand('Interface', port.blueH2, { type: 'geneve' }),
      expected: [`tunnel ${port.blueH2} (repaired): del-port ${port.blueH2}`, `tunnel ${port.blueH2} (repaired): add-port br-int ${port.blueH2}`],
    },
    {
      drift: "the integration bridge's datapath type changed",
      make: (sim) => sim.setByHand('Bridge', 'br-int', { datapath_type: 'system' }),
      expected: ['bridge br-int (repaired): set Bridge br-int {"datapath_type":"netdev"}'],
    },
    {
      drift: "an attachment port's tag changed",
      make: (sim) => sim.setByHand('Port', veth.web1, { tag: 9 }),
      expected: [`attachment a-web1 (repaired): set Port ${veth.web1} {"tag":1}`],
    },
    {
      drift: "a container's veth deleted",
      make: (sim) => sim.links.delete(veth.db1),
      expected: [`detach a-db1 ${veth.db1} (repaired)`, `attach a-db1 ${veth.db1} (repaired)`],
    },
    {
      drift: 'a container restarted into a new namespace',
      make: (sim) => sim.restartContainer(web1),
      expected: [`detach a-web1 ${veth.web1} (repaired)`, `attach a-web1 ${veth.web1} (repaired)`],
    },
    {
      drift: "an attachment's OVS port deleted (its veth left behind is plumbing's recover() to remove)",
      make: (sim) => {
        sim.delPortByHand(veth.db1);
        sim.links.delete(veth.db1);
      },
      expected: [`attach a-db1 ${veth.db1} (repaired)`],
    },
  ];

  it.each(cases)('$drift', ({ make, expected }) => {
    const sim = converged(desired);
    make(sim);
    const plan = planConvergence(desired, sim.snapshot(), { applied: desired });
    expect(actions(plan)).toEqual(expected);
    expect(plan.summary).toEqual({ added: 0, changed: 0, removed: 0, repaired: 1 });
    expect(plan.conflicts).toEqual([]);
    applyAndCheck(sim, desired, plan);
  });

  it('says why in each step', () => {
    const sim = converged(desired);
    const oldPath = sim.pathOf(web1);
    sim.restartContainer(web1);
    sim.restartContainer(db1);
    sim.setByHand('Port', port.blueH2, { tag: 7, protected: false });
    const plan = planConvergence(desired, sim.snapshot(), { applied: desired });
    expect(plan.ovsdb[0].reason).toBe('tag is 7, wanted 1; protected is false, wanted true');
    // A docker container restarted has a new PID: its recorded namespace path is gone.
    expect(plan.namespace.detach[0].reason).toBe(`namespace ${oldPath} is gone`);
    // A named namespace made again: same path, another inode.
    expect(plan.namespace.detach[1].reason).toMatch(/^container db1 is in a new namespace \(inode \d+, recorded \d+\)$/);
    expect(plan.namespace.attach.map((a) => a.reason)).toEqual(plan.namespace.detach.map((d) => d.reason));
    expect(plan.summary).toEqual({ added: 0, changed: 0, removed: 0, repaired: 3 });
  });

  it('counts drift as changed when the applied document is not known (same steps)', () => {
    const sim = converged(desired);
    sim.setByHand('Port', port.blueH2, { tag: 7 });
    sim.delPortByHand(port.blueH3);
    const plan = planConvergence(desired, sim.snapshot());
    expect(actions(plan)).toEqual([`tunnel ${port.blueH2} (changed): set Port ${port.blueH2} {"tag":1}`, `tunnel ${port.blueH3} (added): add-port br-int ${port.blueH3}`]);
  });
});

describe('planConvergence: rows that are not ours', () => {
  const desired = fleetDoc();

  it('a port made by hand with the name of one of our tunnels is a conflict, not overwritten', () => {
    const sim = converged(desired);
    sim.delPortByHand(port.blueH2);
    sim.addPortByHand('br-int', port.blueH2, { tag: 5 }, { type: 'vxlan', options: { remote_ip: hostIp(7) } });
    const plan = planConvergence(desired, sim.snapshot(), { applied: desired });
    expect(actions(plan)).toEqual([]);
    expect(plan.empty).toBe(true);
    expect(plan.conflicts).toEqual([{ kind: 'name-taken', resource: 'tunnel', name: port.blueH2, message: `port ${port.blueH2} on bridge br-int is not ours: left alone` }]);
  });

  it('an interface of a foreign port holding our name is a conflict too', () => {
    const sim = converged(desired);
    sim.delPortByHand(port.blueH2);
    sim.addPortByHand('br-int', 'bond0', {}, { name: port.blueH2 });
    const plan = planConvergence(desired, sim.snapshot(), { applied: desired });
    expect(plan.empty).toBe(true);
    expect(plan.conflicts).toEqual([{ kind: 'name-taken', resource: 'tunnel', name: port.blueH2, message: `cannot create port ${port.blueH2}: an interface named ${port.blueH2} exists on port bond0` }]);
  });

  it("an attachment whose port someone re-marked is left alone, even broken or no longer wanted, and reported", () => {
    const sim = converged(desired);
    sim.setByHand('Port', veth.web1, { [`external_ids:${owned.OWNER}`]: 'someone', tag: 9 });
    sim.links.delete(veth.web1);
    const message = `port ${veth.web1} of attachment a-web1 is no longer marked as ours: left alone`;
    for (const doc of [desired, fleetDoc({ revision: 2, attachments: [attachment('a-db1', red, db1, 2)] })]) {
      const plan = planConvergence(doc, sim.snapshot(), { applied: desired });
      expect(plan.empty).toBe(true);
      expect(plan.conflicts).toEqual([{ kind: 'name-taken', resource: 'attachment', name: 'a-web1', message }]);
    }
  });

  it('ports, tunnels and bridges made by hand are never changed or removed', () => {
    const sim = converged(desired);
    sim.addPortByHand('br-int', 'uplink0', { tag: 3 });
    sim.addPortByHand('br-int', 'vx-manual', {}, { type: 'vxlan', options: { remote_ip: hostIp(8), key: '100' } });
    sim.addBridgeByHand('br-lab', 'system');
    // Marked as ours but of a role this planner does not manage: left alone as well.
    sim.addPortByHand('br-lab', 'odd0', { external_ids: new Map([[owned.OWNER, owned.OWNER_VALUE]]) });
    expect(planConvergence(desired, sim.snapshot(), { applied: desired }).empty).toBe(true);
  });

  it('a foreign integration bridge is used as it is; a different datapath type is reported, not fixed', () => {
    const sim = hostWithContainers();
    sim.addBridgeByHand('br-int', 'system');
    const plan = planConvergence(desired, sim.snapshot());
    expect(actions(plan).filter((line) => line.startsWith('bridge'))).toEqual([]);
    expect(plan.ovsdb.map((c) => c.name)).toEqual([port.blueH2, port.blueH3, port.redH2]);
    expect(plan.conflicts).toEqual([
      { kind: 'foreign-bridge-differs', resource: 'bridge', name: 'br-int', message: 'bridge br-int is not ours and differs (datapath_type is system, wanted netdev): used as it is' },
    ]);
    applyAndCheck(sim, desired, plan);
  });

  it('a foreign bridge that matches is simply used', () => {
    const sim = hostWithContainers();
    sim.addBridgeByHand('br-int', '');
    const plan = planConvergence(desiredHost({ integrationBridge: { name: 'br-int', datapathType: 'system' } }), sim.snapshot());
    expect(plan.empty).toBe(true);
    expect(plan.conflicts).toEqual([]);
  });

  it('a foreign port named like a wanted bridge blocks the bridge and what goes on it', () => {
    const sim = hostWithContainers();
    sim.addBridgeByHand('br-lab');
    sim.addPortByHand('br-lab', 'br-int');
    const plan = planConvergence(fleetDoc({ tunnels: [tunnel(blue, 'h2', 2)], attachments: [attachment('a-web1', blue, web1, 1)] }), sim.snapshot());
    expect(plan.empty).toBe(true);
    expect(plan.conflicts.map((c) => `${c.kind} ${c.resource} ${c.name}`)).toEqual(['name-taken bridge br-int', `missing-bridge tunnel ${port.blueH2}`, 'missing-bridge attachment a-web1']);
    expect(plan.conflicts[0].message).toBe('cannot create bridge br-int: a port named br-int exists on bridge br-lab');
  });
});

describe('planConvergence: changes of the desired document', () => {
  const before = fleetDoc();

  const cases: { change: string; after: ResolvedHostState; expected: string[]; summary: Partial<ConvergencePlan['summary']> }[] = [
    {
      change: 'a network removed: its tunnels go and its containers are detached',
      after: fleetDoc({ revision: 2, networks: [blue], tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3)], attachments: [attachment('a-web1', blue, web1, 1)] }),
      expected: [`detach a-db1 ${veth.db1} (removed)`, `tunnel ${port.redH2} (removed): del-port ${port.redH2}`],
      summary: { removed: 2 },
    },
    {
      change: 'a host joins the mesh: its tunnels are added',
      after: fleetDoc({ revision: 2, tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3), tunnel(red, 'h2', 2), tunnel(blue, 'h4', 4)] }),
      expected: [`tunnel ${port.blueH4} (added): add-port br-int ${port.blueH4}`],
      summary: { added: 1 },
    },
    {
      change: 'a host is drained: the tunnels to it go',
      after: fleetDoc({ revision: 2, tunnels: [tunnel(blue, 'h2', 2), tunnel(red, 'h2', 2)] }),
      expected: [`tunnel ${port.blueH3} (removed): del-port ${port.blueH3}`],
      summary: { removed: 1 },
    },
    {
      change: "a remote host's tunnel address changes: set in place",
      after: fleetDoc({ revision: 2, tunnels: [{ ...tunnel(blue, 'h2', 2), remoteIp: hostIp(12) }, tunnel(blue, 'h3', 3), tunnel(red, 'h2', 2)] }),
      expected: [`tunnel ${port.blueH2} (changed): set Interface ${port.blueH2} {"options":{"remote_ip":"${hostIp(12)}","local_ip":"${HOST_IP}","key":"100"}}`],
      summary: { changed: 1 },
    },
    {
      change: "a network's type changes: its tunnels are replaced (type cannot be set in place)",
      after: fleetDoc({ revision: 2, tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3), { ...tunnel(red, 'h2', 2), type: 'geneve' }] }),
      expected: [`tunnel ${port.redH2} (changed): del-port ${port.redH2}`, `tunnel ${port.redH2} (changed): add-port br-int ${port.redH2}`],
      summary: { changed: 1 },
    },
    {
      change: "a network's local VLAN changes: tunnels and attachment ports are re-tagged in place, the record follows",
      after: (() => {
        const blue5 = { ...blue, tag: 5 };
        return fleetDoc({
          revision: 2,
          networks: [blue5, red],
          tunnels: [tunnel(blue5, 'h2', 2), tunnel(blue5, 'h3', 3), tunnel(red, 'h2', 2)],
          attachments: [{ ...attachment('a-web1', blue, web1, 1), tag: 5 }, attachment('a-db1', red, db1, 2)],
        });
      })(),
      expected: [
        `tunnel ${port.blueH2} (changed): set Port ${port.blueH2} {"tag":5}`,
        `tunnel ${port.blueH3} (changed): set Port ${port.blueH3} {"tag":5}`,
        `attachment a-web1 (changed): set Port ${veth.web1} {"tag":5}`,
        `attachment a-web1 (changed): set Interface ${veth.web1} {"external_ids:${plumbingIds.SPEC}":${JSON.stringify(JSON.stringify({ ...specOf('a-web1'), tag: 5 }))}}`,
      ],
      summary: { changed: 3 },
    },
    {
      change: "an attachment's addresses change: plumbed again, counted once",
      after: fleetDoc({ revision: 2, attachments: [{ ...attachment('a-web1', blue, web1, 1), addresses: ['198.18.1.99/24'] }, attachment('a-db1', red, db1, 2)] }),
      expected: [`detach a-web1 ${veth.web1} (changed)`, `attach a-web1 ${veth.web1} (changed)`],
      summary: { changed: 1 },
    },
    {
      change: "an attachment's interface name changes: the old one goes, the new one comes",
      after: fleetDoc({ revision: 2, attachments: [attachment('a-web1', blue, web1, 1, 'eth2'), attachment('a-db1', red, db1, 2)] }),
      expected: [`detach a-web1 ${veth.web1} (changed)`, `attach a-web1 ${hostIfname('a-web1', 'eth2')} (changed)`],
      summary: { changed: 1 },
    },
    {
      change: 'the integration bridge changes datapath type: set in place',
      after: fleetDoc({ revision: 2, integrationBridge: { name: 'br-int', datapathType: 'system' } }),
      expected: ['bridge br-int (changed): set Bridge br-int {"datapath_type":"system"}'],
      summary: { changed: 1 },
    },
  ];

  it.each(cases)('$change', ({ after, expected, summary }) => {
    const sim = converged(before);
    const plan = planConvergence(after, sim.snapshot(), { applied: before });
    expect(actions(plan)).toEqual(expected);
    expect(plan.summary).toEqual({ added: 0, changed: 0, removed: 0, repaired: 0, ...summary });
    applyAndCheck(sim, after, plan);
  });

  function specOf(id: string) {
    const record = converged(before)
      .snapshot()
      .attachments.find((a) => a.record.containerId === id)!.record;
    return record.spec;
  }
});

describe('planConvergence: operator resources', () => {
  const operator: ResolvedHostState['operator'] = {
    bridges: [{ name: 'br-prov', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'disable-in-band': 'true' } }],
    ports: [
      { name: 'uplink1', bridge: 'br-prov', kind: 'trunk', tag: null, trunks: [30, 10], vlanMode: 'trunk', peer: null },
      { name: 'patch-int', bridge: 'br-prov', kind: 'patch', tag: null, trunks: [], vlanMode: null, peer: 'patch-prov' },
      { name: 'mgmt0', bridge: 'br-int', kind: 'internal', tag: 40, trunks: [], vlanMode: null, peer: null },
    ],
    tunnels: [{ name: 'gnv-dc2', bridge: 'br-prov', type: 'geneve', remoteIp: hostIp(50), localIp: null, key: 77, dstPort: 6081, csum: true, tos: 'inherit', ttl: 64 }],
  };
  const desired = desiredHost({ operator });

  it('are created with their settings and marked with their role', () => {
    const plan = planConvergence(desired, new SimHost().snapshot());
    expect(actions(plan)).toEqual([
      'bridge br-int (added): add-br br-int',
      'bridge br-prov (added): add-br br-prov',
      'port uplink1 (added): add-port br-prov uplink1',
      'port patch-int (added): add-port br-prov patch-int',
      'port mgmt0 (added): add-port br-int mgmt0',
      'operator-tunnel gnv-dc2 (added): add-port br-prov gnv-dc2',
    ]);
    expect(plan.ovsdb[1].commands[0]).toEqual({
      command: 'add-br',
      bridge: 'br-prov',
      datapathType: 'netdev',
      failMode: 'secure',
      otherConfig: { 'disable-in-band': 'true' },
      externalIds: { [owned.OWNER]: owned.OWNER_VALUE, [owned.ROLE]: 'bridge' },
    });
    expect(plan.ovsdb[2].commands[0]).toMatchObject({ trunks: [10, 30], vlanMode: 'trunk', tag: null, protected: false, iface: { name: 'uplink1', type: 'system', options: {} }, externalIds: { [owned.ROLE]: 'port' } });
    expect(plan.ovsdb[3].commands[0]).toMatchObject({ iface: { type: 'patch', options: { peer: 'patch-prov' } } });
    expect(plan.ovsdb[5].commands[0]).toMatchObject({
      protected: false,
      externalIds: { [owned.ROLE]: 'operator-tunnel' },
      iface: { type: 'geneve', options: { csum: 'true', tos: 'inherit', ttl: '64', remote_ip: hostIp(50), key: '77', dst_port: '6081' } },
    });
    applyAndCheck(new SimHost(), desired, plan);
  });

  it('drift on them is repaired in place (fail mode, other_config, trunks, vlan mode)', () => {
    const sim = new SimHost();
    sim.apply(planConvergence(desired, sim.snapshot()));
    sim.setByHand('Bridge', 'br-prov', { fail_mode: 'standalone', other_config: { 'disable-in-band': 'false', extra: 'x' } });
    sim.setByHand('Port', 'uplink1', { trunks: [10], vlan_mode: null });
    const plan = planConvergence(desired, sim.snapshot(), { applied: desired });
    expect(actions(plan)).toEqual([
      'bridge br-prov (repaired): set Bridge br-prov {"fail_mode":"secure","other_config":{"disable-in-band":"true"}}',
      'port uplink1 (repaired): set Port uplink1 {"trunks":[10,30],"vlan_mode":"trunk"}',
    ]);
    applyAndCheck(sim, desired, plan);
  });

  it('a bridge of ours no longer wanted is deleted with its ports, after detaching its containers', () => {
    const sim = hostWithContainers();
    const prov = { ...blue, name: 'prov', bridge: 'br-prov' };
    const withBridge = desiredHost({ operator: { ...operator, ports: [], tunnels: [] }, attachments: [attachment('a-web1', prov, web1, 1)] });
    sim.apply(planConvergence(withBridge, sim.snapshot()));
    const without = desiredHost({ revision: 2 });
    const plan = planConvergence(without, sim.snapshot(), { applied: withBridge });
    expect(actions(plan)).toEqual([`detach a-web1 ${veth.web1} (removed)`, 'bridge br-prov (removed): del-br br-prov']);
    applyAndCheck(sim, without, plan);
  });

  it('a bridge of ours holding a foreign port is kept, and the conflict reported', () => {
    const sim = new SimHost();
    sim.apply(planConvergence(desired, sim.snapshot()));
    sim.addPortByHand('br-prov', 'eth9');
    const plan = planConvergence(desiredHost({ revision: 2 }), sim.snapshot(), { applied: desired });
    expect(actions(plan)).toEqual([
      'operator-tunnel gnv-dc2 (removed): del-port gnv-dc2',
      'port mgmt0 (removed): del-port mgmt0',
      'port patch-int (removed): del-port patch-int',
      'port uplink1 (removed): del-port uplink1',
    ]);
    expect(plan.conflicts).toEqual([{ kind: 'bridge-in-use', resource: 'bridge', name: 'br-prov', message: 'bridge br-prov is no longer wanted but holds ports that are not ours (eth9): kept' }]);
  });

  it('a port moved to another bridge is replaced; its old bridge going in the same transaction takes it along', () => {
    const sim = new SimHost();
    sim.apply(planConvergence(desired, sim.snapshot()));
    const moved = desiredHost({ revision: 2, operator: { bridges: [], ports: [], tunnels: [{ ...operator.tunnels[0], bridge: 'br-int' }] } });
    const plan = planConvergence(moved, sim.snapshot(), { applied: desired });
    expect(actions(plan)).toEqual([
      'port mgmt0 (removed): del-port mgmt0',
      'port patch-int (removed): del-port patch-int',
      'port uplink1 (removed): del-port uplink1',
      'bridge br-prov (removed): del-br br-prov',
      'operator-tunnel gnv-dc2 (changed): add-port br-int gnv-dc2',
    ]);
    expect(plan.ovsdb.at(-1)!.reason).toBe('operator geneve tunnel to 203.0.113.50');
    applyAndCheck(sim, moved, plan);
  });

  it('a port on a bridge that neither exists nor is wanted is a conflict', () => {
    const plan = planConvergence(desiredHost({ operator: { bridges: [], ports: [{ ...operator.ports[0], bridge: 'br-none' }], tunnels: [] } }), new SimHost().snapshot());
    expect(actions(plan)).toEqual(['bridge br-int (added): add-br br-int']);
    expect(plan.conflicts).toEqual([{ kind: 'missing-bridge', resource: 'port', name: 'uplink1', message: 'bridge br-none of port uplink1 neither exists nor is wanted' }]);
  });
});
