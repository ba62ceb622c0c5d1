import { tunnelPortName, type AttachmentRecord, type HostRecord, type NetworkRecord, type OperatorResources, type ResolvedHostState } from '@ovs-fleet/contracts';
import fc from 'fast-check';
import { diffDesiredState, isEmptyDiff, isSameDesiredState } from './diff-desired-state';
import { spans } from './host-selector';
import { compareStrings } from './ordering';
import { assignLocalVlans } from './local-vlans';
import { attachmentRecord, hostRecord, networkRecord, noOperatorResources } from './testing/records';
import { resolvedDesiredState } from './testing/resolved';

const h1 = hostRecord('h1', { tunnelIp: '203.0.113.1' });
const h2 = hostRecord('h2', { tunnelIp: '203.0.113.2' });
const blue = networkRecord('blue', { segmentId: 100 });
const red = networkRecord('red', { type: 'gre', segmentId: 200, subnets: [{ cidr: '198.19.0.0/24', gateway: '198.19.0.1', allocationPools: [] }] });

interface Scenario {
  hosts?: HostRecord[];
  networks?: NetworkRecord[];
  attachments?: AttachmentRecord[];
  operator?: OperatorResources;
  revision?: number;
}

function docFor(host: HostRecord, scenario: Scenario = {}): ResolvedHostState {
  const { hosts = [h1, h2], networks = [blue, red], attachments = [attachmentRecord('a1')], operator = noOperatorResources(), revision = 1 } = scenario;
  const localVlans = assignLocalVlans({}, networks.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name), new Set());
  return resolvedDesiredState({ host, revision, hosts, networks, attachments, localVlans, operator });
}

const emptyCategory = { added: [], changed: [], removed: [] };

describe('diffDesiredState', () => {
  it('finds nothing between two documents that differ only in revision', () => {
    const diff = diffDesiredState(docFor(h1, { revision: 1 }), docFor(h1, { revision: 2 }));
    expect(diff).toEqual({ bridges: emptyCategory, ports: emptyCategory, tunnels: emptyCategory, attachments: emptyCategory, networks: emptyCategory });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('reports the tunnel to a host that joins, and nothing else when the MTU stays', () => {
    const h3 = hostRecord('h3', { tunnelIp: '203.0.113.3' });
    const diff = diffDesiredState(docFor(h1), docFor(h1, { hosts: [h1, h2, h3] }));
    expect(diff.tunnels.added).toEqual([
      { source: 'mesh', port: tunnelPortName('blue', 'h3'), network: 'blue', type: 'vxlan', remoteHost: 'h3', remoteIp: '203.0.113.3', localIp: '203.0.113.1', key: 100, tag: 1 },
      { source: 'mesh', port: tunnelPortName('red', 'h3'), network: 'red', type: 'gre', remoteHost: 'h3', remoteIp: '203.0.113.3', localIp: '203.0.113.1', key: 200, tag: 2 },
    ].sort((a, b) => compareStrings(a.port, b.port)));
    expect({ ...diff, tunnels: { ...diff.tunnels, added: [] } }).toEqual({
      bridges: emptyCategory,
      ports: emptyCategory,
      tunnels: emptyCategory,
      attachments: emptyCategory,
      networks: emptyCategory,
    });
  });

  it('reports the MTU change a joining host with a smaller underlay brings, on networks and attachments', () => {
    const small = hostRecord('h3', { tunnelIp: '203.0.113.3', underlayMtu: 1400 });
    const before = docFor(h1);
    const diff = diffDesiredState(before, docFor(h1, { hosts: [h1, h2, small] }));
    expect(diff.networks.changed.map((c) => [c.key, c.before.mtu, c.after.mtu])).toEqual([
      ['blue', 1450, 1350],
      ['red', 1458, 1358],
    ]);
    expect(diff.attachments.changed).toEqual([{ key: 'a1', before: before.attachments[0], after: { ...before.attachments[0], mtu: 1350 } }]);
  });

  it('reports the tunnels to a host that leaves as removed', () => {
    const diff = diffDesiredState(docFor(h1), docFor(h1, { hosts: [h1] }));
    const byPort = (a: string[], b: string[]) => compareStrings(tunnelPortName(a[0], a[1]), tunnelPortName(b[0], b[1]));
    expect(diff.tunnels.removed.map((t) => (t.source === 'mesh' ? [t.network, t.remoteHost] : [t.name]))).toEqual([['blue', 'h2'], ['red', 'h2']].sort(byPort));
    expect(diff.tunnels.added).toEqual([]);
  });

  it('lists everything as added for a host without a document yet', () => {
    const after = docFor(h1);
    const diff = diffDesiredState(null, after);
    expect(diff.bridges.added).toEqual([{ source: 'integration', name: 'br-int', datapathType: 'netdev' }]);
    expect(diff.networks.added.map((n) => n.name)).toEqual(['blue', 'red']);
    expect(diff.tunnels.added).toHaveLength(2);
    expect(diff.attachments.added).toEqual(after.attachments);
    expect([diff.bridges, diff.networks, diff.tunnels, diff.attachments].every((c) => c.changed.length + c.removed.length === 0)).toBe(true);
  });

  it('reports operator resources added, changed and removed, keyed by name, apart from the mesh', () => {
    const operator = (tag: number, extraTunnel: boolean): OperatorResources => ({
      bridges: [{ name: 'br-int', datapathType: 'netdev', failMode: 'secure', otherConfig: {} }],
      ports: [{ name: 'acc0', bridge: 'br-int', kind: 'access', tag, trunks: [], vlanMode: null, peer: null }],
      tunnels: extraTunnel ? [{ name: 'ops-gre', bridge: 'br-int', type: 'gre', remoteIp: '203.0.113.50', localIp: null, key: 9, dstPort: null, csum: null, tos: null, ttl: null }] : [],
    });
    const before = docFor(h1, { operator: operator(10, true) });
    const after = docFor(h1, { operator: operator(11, false), attachments: [] });
    const diff = diffDesiredState(before, after);

    expect(diff.bridges).toEqual(emptyCategory);
    expect(diff.ports.changed).toEqual([{ key: 'acc0', before: before.operator.ports[0], after: after.operator.ports[0] }]);
    expect(diff.tunnels).toEqual({ added: [], changed: [], removed: [{ source: 'operator', ...before.operator.tunnels[0] }] });
    expect(diff.attachments.removed.map((a) => a.id)).toEqual(['a1']);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('reports an operator bridge as its own item, even one named like the integration bridge', () => {
    const bridge = { name: 'br-int', datapathType: 'netdev' as const, failMode: null, otherConfig: { 'stp-enable': 'true' } };
    const diff = diffDesiredState(docFor(h1), docFor(h1, { operator: { bridges: [bridge], ports: [], tunnels: [] } }));
    expect(diff.bridges).toEqual({ added: [{ source: 'operator', ...bridge }], changed: [], removed: [] });
  });

  it('finds no difference between a document and itself read back with its keys reordered', () => {
    const reorder = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reorder) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)])) : value;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.boolean(), (revision, withThirdHost) => {
        const hosts = withThirdHost ? [h1, h2, hostRecord('h3', { tunnelIp: '203.0.113.3' })] : [h1, h2];
        const doc = docFor(h1, { hosts, revision });
        const readBack = reorder(JSON.parse(JSON.stringify(doc))) as ResolvedHostState;
        expect(isEmptyDiff(diffDesiredState(doc, readBack))).toBe(true);
        expect(isSameDesiredState(doc, { ...readBack, revision: revision + 1 })).toBe(true);
      }),
    );
  });
});

describe('isSameDesiredState', () => {
  it('ignores the revision only', () => {
    const doc = docFor(h1, { revision: 4 });
    expect(isSameDesiredState(doc, { ...doc, revision: 9 })).toBe(true);
    expect(isSameDesiredState(doc, docFor(h1, { hosts: [h1] }))).toBe(false);
    expect(isSameDesiredState(doc, { ...doc, tunnelIp: '203.0.113.99' })).toBe(false);
  });
});
