import fc from 'fast-check';
import { ownedExternalIds as owned, tunnelPortName, type ContainerRef, type ResolvedHostState, type OperatorResources, type OverlayType } from '@ovs-fleet/contracts';
import { planConvergence } from './plan';
import { actions } from './testing/actions';
import { attachment, desiredHost, hostIp, network, tunnel } from './testing/fixtures';
import { MemoryHost } from './testing/memory-host';
import { SimHost } from './testing/sim-host';
import type { ActualHostState, ActualInterface, ActualPort, ConvergencePlan } from './types';

const CONTAINERS: ContainerRef[] = [{ netns: 'c1' }, { netns: 'c2' }, { dockerContainer: 'web1' }, { pid: 4242 }];
const REMOTES = ['h2', 'h3', 'h4', 'h5'];
const NETWORKS = ['blue', 'red', 'green'];
const OPERATOR_BRIDGES = ['br-a', 'br-b'];

const networkArb = (name: string, index: number) =>
  fc.record({ type: fc.constantFrom<OverlayType>('vxlan', 'gre', 'geneve'), segmentId: fc.integer({ min: 1, max: 5000 }), remotes: fc.subarray(REMOTES) }).map(({ type, segmentId, remotes }) => ({
    net: network(name, segmentId, index + 1 + (segmentId % 3) * 10, type),
    remotes,
  }));

const operatorArb: fc.Arbitrary<OperatorResources> = fc.record({
  bridges: fc.subarray(OPERATOR_BRIDGES).chain((names) =>
    fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), datapathType: fc.constantFrom('netdev' as const, 'system' as const), failMode: fc.constantFrom(null, 'secure' as const), otherConfig: fc.constantFrom<Record<string, string>>({}, { 'disable-in-band': 'true' }) }))),
  ),
  ports: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('op1', 'op2', 'op3'),
      bridge: fc.constantFrom('br-int', ...OPERATOR_BRIDGES),
      kind: fc.constantFrom('access' as const, 'internal' as const),
      tag: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
      trunks: fc.constant([]),
      vlanMode: fc.constantFrom(null, 'access' as const),
      peer: fc.constant(null),
    }),
    { selector: (port) => port.name, maxLength: 2 },
  ),
  tunnels: fc.subarray([{ name: 'opt1', bridge: 'br-int', type: 'geneve' as const, remoteIp: hostIp(60), localIp: null, key: 9, dstPort: 6081, csum: null, tos: null, ttl: null }]),
});

/** Random valid documents: some overlays meshed to some hosts, containers on them, operator resources. */
const desiredArb: fc.Arbitrary<ResolvedHostState> = fc
  .record({
    revision: fc.integer({ min: 1, max: 100 }),
    datapathType: fc.constantFrom('netdev' as const, 'system' as const),
    networks: fc.subarray(NETWORKS).chain((names) => fc.tuple(...names.map((name, i) => networkArb(name, i)))),
    attachments: fc.uniqueArray(fc.record({ id: fc.constantFrom('a1', 'a2', 'a3', 'a4'), container: fc.nat(CONTAINERS.length - 1), ifname: fc.constantFrom('eth1', 'eth2'), network: fc.nat(), host: fc.nat(20) }), {
      selector: (a) => a.id,
      maxLength: 4,
    }),
    operator: operatorArb,
  })
  .map(({ revision, datapathType, networks, attachments, operator }) => {
    const nets = networks.map((n) => n.net);
    const seen = new Set<string>();
    return desiredHost({
      revision,
      integrationBridge: { name: 'br-int', datapathType },
      networks: nets,
      tunnels: networks.flatMap(({ net, remotes }) => remotes.map((remote) => tunnel(net, remote, 2 + REMOTES.indexOf(remote)))),
      attachments:
        nets.length === 0
          ? []
          : attachments
              .filter((a) => {
                const key = `${a.container} ${a.ifname}`;
                if (seen.has(key)) return false;
                seen.add(key);
                return true;
              })
              .map((a) => attachment(a.id, nets[a.network % nets.length], CONTAINERS[a.container], a.host, a.ifname)),
      operator,
    });
  });

/** Someone else's hands on the host: each picks its target by index among what is there. */
type Drift = { kind: 'del-port' | 'tag' | 'unprotect' | 'remote-ip' | 'datapath' | 'disown' | 'veth' | 'restart' | 'foreign-port'; pick: number };
const driftArb: fc.Arbitrary<Drift[]> = fc.array(
  fc.record({ kind: fc.constantFrom<Drift['kind']>('del-port', 'tag', 'unprotect', 'remote-ip', 'datapath', 'disown', 'veth', 'restart', 'foreign-port'), pick: fc.nat() }),
  { maxLength: 5 },
);

function applyDrift(sim: SimHost, { kind, pick }: Drift): void {
  const bridges = sim.names('Bridge');
  const ports = sim.names('Port').filter((name) => !bridges.includes(name));
  const port = ports.length > 0 ? ports[pick % ports.length] : undefined;
  switch (kind) {
    case 'del-port':
      if (port !== undefined) sim.delPortByHand(port);
      return;
    case 'tag':
      if (port !== undefined) sim.setByHand('Port', port, { tag: 1 + (pick % 4094) });
      return;
    case 'unprotect':
      if (port !== undefined) sim.setByHand('Port', port, { protected: false });
      return;
    case 'remote-ip':
      if (port !== undefined) sim.setByHand('Interface', port, { 'options:remote_ip': hostIp(100 + (pick % 100)) });
      return;
    case 'datapath':
      if (bridges.length > 0) sim.setByHand('Bridge', bridges[pick % bridges.length], { datapath_type: pick % 2 === 0 ? 'system' : '' });
      return;
    case 'disown':
      if (port !== undefined) sim.setByHand('Port', port, { 'external_ids:ovs-fleet-owner': 'someone' });
      return;
    case 'veth': {
      const links = [...sim.links];
      if (links.length > 0) sim.links.delete(links[pick % links.length]);
      return;
    }
    case 'restart':
      sim.restartContainer(CONTAINERS[pick % CONTAINERS.length]);
      return;
    case 'foreign-port': {
      // Often a name the fleet wants: a tunnel's, or an operator port's.
      const names = [tunnelPortName(NETWORKS[pick % 3], REMOTES[pick % 4]), 'op1', 'opt1', `hand${pick % 3}`];
      const name = names[pick % names.length];
      const taken = [...bridges, ...sim.names('Port'), ...sim.names('Interface')];
      if (!taken.includes(name) && bridges.includes('br-int')) sim.addPortByHand('br-int', name, { tag: 5 });
      return;
    }
  }
}

function hostWithContainers<T extends { startContainer(ref: ContainerRef, pid?: number): void }>(host: T): T {
  CONTAINERS.forEach((ref, i) => host.startContainer(ref, 4000 + i * 10));
  return host;
}

describe('planConvergence: properties over random documents and drift', () => {
  it('from any host reached by converging and then drifting, the plan applies (never touching a row that is not ours) and planning again is empty', () => {
    fc.assert(
      // Half the time the document stays the same (drift alone), half the time it changes too.
      fc.property(desiredArb, fc.option(desiredArb, { freq: 2, nil: null }), driftArb, (first, next, drifts) => {
        const second = next ?? first;
        const sim = hostWithContainers(new SimHost());
        sim.apply(planConvergence(first, sim.snapshot()));
        for (const drift of drifts) applyDrift(sim, drift);
        // The agent runs plumbing's recover() at start-up: our veths with no record go.
        sim.recover();
        const plan = planConvergence(second, sim.snapshot(), { applied: first });
        sim.apply(plan);
        const again = planConvergence(second, sim.snapshot(), { applied: second });
        expect(actions(again)).toEqual([]);
        expect(again.empty).toBe(true);
        expect(again.conflicts).toEqual(plan.conflicts);
        expectConforms(second, sim.snapshot(), plan);
      }),
      { numRuns: 300 },
    );
  });

  it('planning is deterministic and does not depend on the order rows are listed in', () => {
    fc.assert(
      fc.property(desiredArb, desiredArb, fc.integer(), (first, second, seed) => {
        const sim = hostWithContainers(new SimHost());
        sim.apply(planConvergence(first, sim.snapshot()));
        const actual = sim.snapshot();
        const shuffled = { ...actual, bridges: shuffle(actual.bridges, seed), ports: shuffle(actual.ports, seed + 1), attachments: shuffle(actual.attachments, seed + 2) };
        expect(planConvergence(second, shuffled, { applied: first })).toEqual(planConvergence(second, actual, { applied: first }));
      }),
    );
  });

  it('through the real command layer too: converging from one random document to another leaves nothing to do', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, desiredArb, async (first, second) => {
        const host = hostWithContainers(await MemoryHost.create());
        await host.apply(planConvergence(first, host.snapshot()));
        expect(planConvergence(first, host.snapshot()).empty).toBe(true);
        const plan = planConvergence(second, host.snapshot(), { applied: first });
        await host.apply(plan);
        expect(actions(planConvergence(second, host.snapshot(), { applied: second }))).toEqual([]);
        expectConforms(second, host.snapshot(), plan);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * The host as the document says, checked without the planner: every wanted row of ours with
 * its columns, every attachment recorded as asked and alive, nothing of ours beyond them.
 * Resources the plan reported in conflict are left out.
 */
function expectConforms(desired: ResolvedHostState, actual: ActualHostState, plan: ConvergencePlan): void {
  const conflicted = new Set(plan.conflicts.map((c) => c.name));
  const ports = new Map(actual.ports.map((p) => [p.name, p]));
  const bridges = new Map(actual.bridges.map((b) => [b.name, b]));
  const mark = (role: string) => ({ [owned.OWNER]: owned.OWNER_VALUE, [owned.ROLE]: role });
  const wantedPorts = new Set<string>();
  const expectPort = (name: string, bridge: string, columns: Partial<ActualPort>, iface: Partial<ActualInterface>) => {
    wantedPorts.add(name);
    if (conflicted.has(name) || conflicted.has(bridge)) return;
    const port = ports.get(name);
    expect(port).toMatchObject({ bridge, ...columns });
    expect(port!.interfaces).toHaveLength(1);
    expect({ ...port!.interfaces[0], type: port!.interfaces[0].type || 'system' }).toMatchObject({ name, ...iface });
  };

  const integration = bridges.get('br-int');
  if (!conflicted.has('br-int')) expect(integration!.datapathType || 'system').toBe(desired.integrationBridge.datapathType);
  for (const bridge of desired.operator.bridges) {
    if (conflicted.has(bridge.name)) continue;
    const have = bridges.get(bridge.name)!;
    expect({ ...have, datapathType: have.datapathType || 'system' }).toEqual({ name: bridge.name, datapathType: bridge.datapathType, failMode: bridge.failMode, otherConfig: bridge.otherConfig, externalIds: mark('bridge') });
  }
  for (const t of desired.tunnels) {
    expectPort(t.port, 'br-int', { tag: t.tag, protected: true, externalIds: { ...mark('tunnel'), [owned.NETWORK]: t.network, [owned.REMOTE_HOST]: t.remoteHost } }, { type: t.type, options: { remote_ip: t.remoteIp, local_ip: t.localIp, key: String(t.key) } });
  }
  for (const p of desired.operator.ports) {
    expectPort(p.name, p.bridge, { tag: p.tag, trunks: p.trunks, vlanMode: p.vlanMode, protected: false, externalIds: mark('port') }, { type: p.kind === 'internal' ? 'internal' : 'system' });
  }
  for (const t of desired.operator.tunnels) {
    expectPort(t.name, t.bridge, { tag: null, protected: false, externalIds: mark('operator-tunnel') }, { type: t.type, options: { remote_ip: t.remoteIp, key: String(t.key), dst_port: String(t.dstPort) } });
  }
  const ourPorts = actual.ports.filter((p) => p.externalIds[owned.OWNER] === owned.OWNER_VALUE && p.externalIds[owned.ROLE] !== undefined);
  expect(ourPorts.map((p) => p.name).filter((name) => !wantedPorts.has(name))).toEqual([]);

  for (const a of desired.attachments) {
    const found = actual.attachments.filter((r) => r.record.containerId === a.id);
    if (conflicted.has(a.id)) continue;
    expect(found).toHaveLength(1);
    const [{ record, vethPresent, namespaceInode }] = found;
    expect(record).toMatchObject({ ifname: a.ifname, bridge: a.bridge, state: 'ready', spec: { mac: a.mac, mtu: a.mtu, addresses: a.addresses, gateway: a.gateway, tag: a.tag } });
    expect(vethPresent).toBe(true);
    expect(namespaceInode).toBe(record.netnsInode);
    expect(ports.get(record.hostIfname)!.tag).toBe(a.tag);
  }
  expect(actual.attachments.filter((r) => !conflicted.has(r.record.containerId) && !desired.attachments.some((a) => a.id === r.record.containerId))).toEqual([]);
}

/** A deterministic permutation. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
