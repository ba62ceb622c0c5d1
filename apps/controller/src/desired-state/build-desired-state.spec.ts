import { DESIRED_STATE_SCHEMA, tunnelPortName, type AttachmentRecord, type HostRecord, type OperatorResources } from '@ovs-fleet/contracts';
import fc from 'fast-check';
import { buildDesiredState, type DesiredStateInput } from './build-desired-state';
import { DesiredStateInputError } from './errors';
import { spans } from './host-selector';
import { assignLocalVlans } from './local-vlans';
import { attachmentRecord, hostRecord, networkRecord, noOperatorResources } from './testing/records';
import { firstMeshRevisions, resolvedDesiredState } from './testing/resolved';
import { thrownBy } from './testing/thrown';

const h1 = hostRecord('h1', { tunnelIp: '203.0.113.1', underlayMtu: 9000, labels: { rack: 'r1' } });
const h2 = hostRecord('h2', { tunnelIp: '203.0.113.2', underlayMtu: 1600, labels: { rack: 'r1' } });
const h3 = hostRecord('h3', { tunnelIp: '203.0.113.3', underlayMtu: 1500, labels: { rack: 'r2' } });

const blue = networkRecord('blue', {
  type: 'vxlan',
  segmentId: 100,
  subnets: [
    { cidr: '198.18.0.0/24', gateway: '198.18.0.1', allocationPools: [] },
    { cidr: '198.18.1.0/24', gateway: null, allocationPools: [] },
    { cidr: '2001:db8:100::/64', gateway: '2001:db8:100::1', allocationPools: [] },
  ],
});
const red = networkRecord('red', { type: 'geneve', segmentId: 200, hosts: { labels: { rack: 'r1' } }, mtu: 1400, mtuDerived: false });
const edge = networkRecord('edge', { type: 'gre', segmentId: 300, hosts: { labels: { rack: 'r2' } } });
const prov = networkRecord('prov', { type: 'vlan', segmentId: 30, providerBridge: 'br-phy', subnets: [{ cidr: '198.19.0.0/24', gateway: '198.19.0.1', allocationPools: [] }] });

/** The same record with its keys in the opposite order (as another writer might have stored it). */
function reversedKeys<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).reverse()) as T;
}

function sampleOperatorResources(): OperatorResources {
  return {
    bridges: [
      { name: 'br-z', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'hwaddr': '02:00:00:00:00:09', 'disable-in-band': 'true', 'stp-enable': 'false' } },
      { name: 'br-a', datapathType: 'netdev', failMode: null, otherConfig: {} },
      { name: 'br-m', datapathType: 'system', failMode: 'standalone', otherConfig: { 'mac-aging-time': '300' } },
    ],
    ports: [
      { name: 'trunk0', bridge: 'br-a', kind: 'trunk', tag: null, trunks: [30, 10, 20], vlanMode: 'trunk', peer: null },
      { name: 'acc0', bridge: 'br-a', kind: 'access', tag: 10, trunks: [], vlanMode: null, peer: null },
      { name: 'patch-a', bridge: 'br-a', kind: 'patch', tag: null, trunks: [], vlanMode: null, peer: 'patch-z' },
    ],
    tunnels: [
      { name: 'tz', bridge: 'br-z', type: 'gre', remoteIp: '203.0.113.9', localIp: null, key: 5, dstPort: null, csum: null, tos: null, ttl: null },
      { name: 'ta', bridge: 'br-z', type: 'vxlan', remoteIp: '203.0.113.8', localIp: '203.0.113.1', key: 6, dstPort: 4789, csum: true, tos: 'inherit', ttl: 64 },
    ],
  };
}

function inputFor(host: HostRecord, overrides: Partial<DesiredStateInput> = {}): DesiredStateInput {
  const networks = overrides.networks ?? [blue, red, edge, prov];
  return {
    host,
    revision: 7,
    hosts: [h1, h2, h3],
    networks,
    attachments: [],
    localVlans: assignLocalVlans({}, networks.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name), new Set([30])),
    meshRevisions: firstMeshRevisions(networks),
    operator: noOperatorResources(),
    ...overrides,
  };
}

describe('buildDesiredState', () => {
  it('lays out the networks spanning the host with their mesh revisions, and its attachments; its tunnels resolve from the meshes', () => {
    const web = attachmentRecord('a-web', { network: 'blue', addresses: ['198.18.0.5/24', '2001:db8:100::5/64'], routes: [{ to: '198.19.0.0/24', via: '198.18.0.254' }] });
    const db = attachmentRecord('a-db', { network: 'prov', ifname: 'eth2', mac: '02:00:00:00:00:02', container: { pid: 4242 }, addresses: ['198.19.0.9/24'], gateway: false });
    const input = inputFor(h1, { attachments: [web, db], meshRevisions: { blue: 4, red: 1, edge: 2 } });
    const doc = buildDesiredState(input);

    expect(resolvedDesiredState(input).tunnels).toEqual([
      { port: tunnelPortName('blue', 'h2'), network: 'blue', type: 'vxlan', remoteHost: 'h2', remoteIp: '203.0.113.2', localIp: '203.0.113.1', key: 100, tag: 1 },
      { port: tunnelPortName('blue', 'h3'), network: 'blue', type: 'vxlan', remoteHost: 'h3', remoteIp: '203.0.113.3', localIp: '203.0.113.1', key: 100, tag: 1 },
      { port: tunnelPortName('red', 'h2'), network: 'red', type: 'geneve', remoteHost: 'h2', remoteIp: '203.0.113.2', localIp: '203.0.113.1', key: 200, tag: 2 },
    ]);
    expect(doc).toEqual({
      schema: DESIRED_STATE_SCHEMA,
      hostId: 'h1',
      revision: 7,
      integrationBridge: { name: 'br-int', datapathType: 'netdev' },
      tunnelIp: '203.0.113.1',
      networks: [
        // vxlan over a 1500-byte underlay (h3) is the smallest: 1450
        { name: 'blue', type: 'vxlan', segmentId: 100, mtu: 1450, bridge: 'br-int', tag: 1, meshRevision: 4 },
        { name: 'prov', type: 'vlan', segmentId: 30, mtu: 1500, bridge: 'br-phy', tag: 30, meshRevision: null },
        { name: 'red', type: 'geneve', segmentId: 200, mtu: 1400, bridge: 'br-int', tag: 2, meshRevision: 1 },
      ],
      attachments: [
        {
          id: 'a-db',
          network: 'prov',
          container: { pid: 4242 },
          ifname: 'eth2',
          mac: '02:00:00:00:00:02',
          mtu: 1500,
          bridge: 'br-phy',
          tag: 30,
          addresses: ['198.19.0.9/24'],
          gateway: null,
          gateway6: null,
          routes: [],
        },
        {
          id: 'a-web',
          network: 'blue',
          container: { dockerContainer: 'web-a-web' },
          ifname: 'eth1',
          mac: '02:00:00:00:00:01',
          mtu: 1450,
          bridge: 'br-int',
          tag: 1,
          addresses: ['198.18.0.5/24', '2001:db8:100::5/64'],
          gateway: '198.18.0.1',
          gateway6: '2001:db8:100::1',
          routes: [{ to: '198.19.0.0/24', via: '198.18.0.254' }],
        },
      ],
      operator: { bridges: [], ports: [], tunnels: [] },
    });
  });

  it('takes the gateway of the subnet holding the first address of each family, if it has one', () => {
    const build = (attachment: AttachmentRecord) => buildDesiredState(inputFor(h1, { attachments: [attachment] })).attachments[0];
    expect(build(attachmentRecord('a', { addresses: ['198.18.1.7/24', '198.18.0.7/24'] }))).toMatchObject({ gateway: null, gateway6: null });
    expect(build(attachmentRecord('a', { addresses: ['198.18.0.7/24', '198.18.1.7/24'] }))).toMatchObject({ gateway: '198.18.0.1', gateway6: null });
    expect(build(attachmentRecord('a', { addresses: ['2001:db8:100::7/64'] }))).toMatchObject({ gateway: null, gateway6: '2001:db8:100::1' });
    expect(build(attachmentRecord('a', { addresses: [], gateway: true }))).toMatchObject({ gateway: null, gateway6: null });
  });

  it('derives MTUs from the host as given, even when the fleet list holds an older record of it', () => {
    const shrunk = { ...h1, underlayMtu: 1400 };
    const doc = buildDesiredState(inputFor(shrunk, { hosts: [h1, h2, h3] }));
    expect(doc.networks.find((n) => n.name === 'blue')?.mtu).toBe(1350);
    const alone = resolvedDesiredState(inputFor(shrunk, { hosts: [] }));
    expect(alone.networks.find((n) => n.name === 'blue')?.mtu).toBe(1350);
    expect(alone.tunnels).toEqual([]);
  });

  it('puts operator resources in one canonical order and copies nothing by reference', () => {
    const operator = sampleOperatorResources();
    const doc = buildDesiredState(inputFor(h1, { operator }));
    expect(doc.operator.bridges.map((b) => b.name)).toEqual(['br-a', 'br-m', 'br-z']);
    expect(Object.keys(doc.operator.bridges[2].otherConfig)).toEqual(['disable-in-band', 'hwaddr', 'stp-enable']);
    expect(doc.operator.ports.map((p) => [p.name, p.trunks])).toEqual([['acc0', []], ['patch-a', []], ['trunk0', [10, 20, 30]]]);
    expect(doc.operator.tunnels.map((t) => t.name)).toEqual(['ta', 'tz']);

    const json = JSON.stringify(doc);
    operator.ports[0].trunks.push(40);
    operator.bridges[0].otherConfig['extra'] = 'x';
    expect(JSON.stringify(doc)).toBe(json);
    expect(operator.ports[0].trunks).toEqual([30, 10, 20, 40]);
  });

  describe('refuses records that contradict each other', () => {
    it.each<[string, () => DesiredStateInput, string]>([
      ['an attachment on a missing network', () => inputFor(h1, { attachments: [attachmentRecord('a', { network: 'gone' })] }), 'attachment "a" is on network "gone", which does not exist'],
      ['an attachment on a network that does not span the host', () => inputFor(h1, { attachments: [attachmentRecord('a', { network: 'edge' })] }), 'attachment "a" is on network "edge", which does not span host "h1"'],
      ['an attachment of another host', () => inputFor(h1, { attachments: [attachmentRecord('a', { host: 'h2' })] }), 'attachment "a" belongs to host "h2", not "h1"'],
      ['an address in none of its network subnets', () => inputFor(h1, { attachments: [attachmentRecord('a', { addresses: ['198.19.0.5/24'] })] }), 'attachment "a": address 198.19.0.5 is in no subnet of network "blue"'],
      ['an overlay network without a local VLAN', () => inputFor(h1, { localVlans: { blue: 1 } }), 'network "red" has no local VLAN on host "h1"'],
      ['an overlay network without a mesh revision', () => inputFor(h1, { meshRevisions: { blue: 1 } }), 'network "red" has no mesh revision'],
      ['a vlan network without a provider bridge', () => inputFor(h1, { networks: [{ ...prov, providerBridge: null }] }), 'vlan network "prov" has no provider bridge'],
      ['two networks with one name', () => inputFor(h1, { networks: [blue, blue] }), 'two network records share the key "blue"'],
      ['two attachments with one id', () => inputFor(h1, { attachments: [attachmentRecord('a'), attachmentRecord('a')] }), 'two attachment records share the key "a"'],
      ['a revision below 1', () => inputFor(h1, { revision: 0 }), 'revision 0 is not a positive integer'],
    ])('%s', (_, input, message) => {
      const error = thrownBy(() => buildDesiredState(input()));
      expect(error).toBeInstanceOf(DesiredStateInputError);
      expect((error as Error).message).toBe(message);
    });
  });

  describe('over random fleets', () => {
    const scenario = fc
      .record({
        hosts: fc.uniqueArray(fc.record({ n: fc.integer({ min: 1, max: 30 }), rack: fc.constantFrom('r1', 'r2'), mtu: fc.constantFrom(1500, 9000) }), {
          selector: (h) => h.n,
          minLength: 1,
          maxLength: 6,
        }),
        networks: fc.uniqueArray(
          fc.record({
            n: fc.integer({ min: 1, max: 50 }),
            type: fc.constantFrom('vxlan' as const, 'geneve' as const, 'gre' as const, 'vlan' as const),
            rack: fc.constantFrom('r1', 'r2', null),
            providerBridge: fc.constantFrom('br-phy', 'br-int'),
          }),
          { selector: (n) => n.n, maxLength: 6 },
        ),
        attachmentsPerNetwork: fc.integer({ min: 0, max: 3 }),
        seeds: fc.infiniteStream(fc.integer()),
      })
      .map(({ hosts, networks, attachmentsPerNetwork, seeds }) => {
        const hostRecords = hosts.map((h) => hostRecord(`h${h.n}`, { tunnelIp: `203.0.113.${h.n}`, underlayMtu: h.mtu, labels: { rack: h.rack } }));
        const networkRecords = networks.map((n) =>
          networkRecord(`net${n.n}`, {
            type: n.type,
            segmentId: n.n + 100,
            subnets: [{ cidr: `198.18.${n.n}.0/24`, gateway: `198.18.${n.n}.1`, allocationPools: [] }],
            hosts: n.rack ? { labels: { rack: n.rack } } : { all: true },
            providerBridge: n.type === 'vlan' ? n.providerBridge : null,
          }),
        );
        const host = hostRecords[0];
        const attachments = networkRecords
          .filter((n) => spans(n, host))
          .flatMap((n) =>
            Array.from({ length: attachmentsPerNetwork }, (_, i) =>
              attachmentRecord(`${n.name}-${i}`, {
                network: n.name,
                host: host.id,
                addresses: [`198.18.${n.segmentId - 100}.${i + 10}/24`],
                routes: [{ to: '198.19.0.0/16', via: `198.18.${n.segmentId - 100}.254` }],
              }),
            ),
          );
        const reserved = new Set(networkRecords.filter((n) => n.type === 'vlan').map((n) => n.segmentId));
        const overlays = networkRecords.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name);
        const shuffle = <T>(items: readonly T[]) => [...items].map((item) => ({ item, k: seeds.next().value })).sort((a, b) => a.k - b.k).map((x) => x.item);
        const input: DesiredStateInput = {
          host,
          revision: 3,
          hosts: hostRecords,
          networks: networkRecords,
          attachments,
          localVlans: assignLocalVlans({}, overlays, reserved),
          meshRevisions: firstMeshRevisions(networkRecords),
          operator: sampleOperatorResources(),
        };
        return { input, shuffle };
      });

    it('gives byte-identical JSON for the same records in any order', () => {
      fc.assert(
        fc.property(scenario, ({ input, shuffle }) => {
          const reordered: DesiredStateInput = {
            ...input,
            hosts: shuffle(input.hosts).map(reversedKeys),
            networks: shuffle(input.networks).map(reversedKeys),
            attachments: shuffle(input.attachments).map((a) => ({ ...reversedKeys(a), routes: a.routes.map(reversedKeys) })),
            localVlans: Object.fromEntries(shuffle(Object.entries(input.localVlans))),
            operator: {
              bridges: shuffle(input.operator.bridges).map((b) => ({ ...reversedKeys(b), otherConfig: Object.fromEntries(shuffle(Object.entries(b.otherConfig))) })),
              ports: shuffle(input.operator.ports).map((p) => ({ ...reversedKeys(p), trunks: shuffle(p.trunks) })),
              tunnels: shuffle(input.operator.tunnels).map(reversedKeys),
            },
          };
          expect(JSON.stringify(buildDesiredState(reordered))).toBe(JSON.stringify(buildDesiredState(input)));
        }),
      );
    });

    it('never gives two networks of a bridge the same tag, and tags each port like its network', () => {
      fc.assert(
        fc.property(scenario, ({ input }) => {
          const doc = resolvedDesiredState(input);
          const overlayTags = doc.networks.filter((n) => n.bridge === doc.integrationBridge.name).map((n) => n.tag);
          expect(new Set(overlayTags).size).toBe(overlayTags.length);
          const byName = new Map(doc.networks.map((n) => [n.name, n]));
          for (const port of [...doc.tunnels, ...doc.attachments]) expect(port.tag).toBe(byName.get(port.network)?.tag);
          for (const a of doc.attachments) expect([a.bridge, a.mtu]).toEqual([byName.get(a.network)?.bridge, byName.get(a.network)?.mtu]);
        }),
      );
    });
  });

  describe('rebuilt from the same attachment records (the controller keeps them between batches)', () => {
    const web = attachmentRecord('a-web', { network: 'blue', addresses: ['198.18.0.5/24'] });

    it('gives the same entry object while nothing it is built from changed', () => {
      const first = buildDesiredState(inputFor(h1, { attachments: [web] }));
      const again = buildDesiredState(inputFor(h1, { attachments: [web], revision: 8 }));
      expect(again.attachments[0]).toBe(first.attachments[0]);
      expect(Object.isFrozen(first.attachments[0].addresses)).toBe(true);
    });

    it('follows a change of the network record, of its MTU and of the local VLAN', () => {
      const before = buildDesiredState(inputFor(h1, { attachments: [web] })).attachments[0];
      const regatewayed = { ...blue, subnets: [{ ...blue.subnets[0], gateway: '198.18.0.254' }], mtu: 1400, mtuDerived: false };
      const networks = [regatewayed, red, edge, prov];
      const after = buildDesiredState(inputFor(h1, { attachments: [web], networks, localVlans: { blue: 99, red: 2 } })).attachments[0];
      expect([before.gateway, before.mtu]).toEqual(['198.18.0.1', 1450]);
      expect([after.gateway, after.mtu, after.tag]).toEqual(['198.18.0.254', 1400, 99]);
    });
  });
});
