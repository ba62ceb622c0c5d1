import { tunnelPortName, type HostRecord, type NetworkRecord } from '@ovs-fleet/contracts';
import fc from 'fast-check';
import { DesiredStateInputError } from './errors';
import { fleetView } from './fleet-view';
import { spans } from './host-selector';
import { assignLocalVlans } from './local-vlans';
import { nextMeshes, sameMembers } from './mesh';
import { hostRecord, networkRecord } from './testing/records';
import { meshTunnels } from './testing/resolved';
import { thrownBy } from './testing/thrown';

function vlansFor(host: HostRecord, networks: NetworkRecord[]): Record<string, number> {
  return assignLocalVlans({}, networks.filter((n) => n.type !== 'vlan' && spans(n, host)).map((n) => n.name), new Set());
}

const h1 = hostRecord('h1', { tunnelIp: '203.0.113.1' });
const h2 = hostRecord('h2', { tunnelIp: '203.0.113.2' });
const h3 = hostRecord('h3', { tunnelIp: '203.0.113.3', labels: { rack: 'r2' } });

describe('meshTunnels', () => {
  it('gives one tunnel per (overlay network, other spanned host), keyed and tagged for the network', () => {
    const blue = networkRecord('blue', { type: 'vxlan', segmentId: 100 });
    const red = networkRecord('red', { type: 'gre', segmentId: 7, hosts: { labels: { rack: 'r2' } } });
    const tunnels = meshTunnels(h3, [red, blue], [h1, h2, h3], { blue: 4, red: 9 });
    expect(tunnels).toEqual([
      { port: tunnelPortName('blue', 'h1'), network: 'blue', type: 'vxlan', remoteHost: 'h1', remoteIp: '203.0.113.1', localIp: '203.0.113.3', key: 100, tag: 4 },
      { port: tunnelPortName('blue', 'h2'), network: 'blue', type: 'vxlan', remoteHost: 'h2', remoteIp: '203.0.113.2', localIp: '203.0.113.3', key: 100, tag: 4 },
    ]);
  });

  it('has no tunnel for a vlan network, nor for a network that does not span the host', () => {
    const provider = networkRecord('prov', { type: 'vlan', segmentId: 30, providerBridge: 'br-phy' });
    const rackOnly = networkRecord('r2only', { hosts: { labels: { rack: 'r2' } } });
    expect(meshTunnels(h1, [provider, rackOnly], [h1, h2, h3], {})).toEqual([]);
  });

  it('links only hosts whose tunnel addresses have the same family', () => {
    const v6a = hostRecord('v6a', { tunnelIp: '2001:db8:ffff::a' });
    const v6b = hostRecord('v6b', { tunnelIp: '2001:db8:ffff::b' });
    const blue = networkRecord('blue');
    expect(meshTunnels(v6a, [blue], [h1, v6a, h2, v6b], { blue: 1 }).map((t) => [t.remoteHost, t.localIp, t.remoteIp])).toEqual([
      ['v6b', '2001:db8:ffff::a', '2001:db8:ffff::b'],
    ]);
    expect(meshTunnels(h1, [blue], [h1, v6a, h2, v6b], { blue: 1 }).map((t) => t.remoteHost)).toEqual(['h2']);
  });

  it('refuses a spanned overlay network without a local VLAN, and duplicate host ids', () => {
    const noVlan = thrownBy(() => meshTunnels(h1, [networkRecord('blue')], [h1, h2], {}));
    expect(noVlan).toBeInstanceOf(DesiredStateInputError);
    expect((noVlan as Error).message).toBe('network "blue" has no local VLAN on host "h1"');
    expect(() => meshTunnels(h1, [networkRecord('blue')], [h1, h2, h2], { blue: 1 })).toThrow(DesiredStateInputError);
  });

  describe('over random fleets', () => {
    const fleet = fc
      .record({
        hosts: fc.uniqueArray(fc.record({ n: fc.integer({ min: 1, max: 40 }), rack: fc.constantFrom('r1', 'r2'), v6: fc.boolean() }), {
          selector: (h) => h.n,
          maxLength: 8,
        }),
        networks: fc.uniqueArray(
          fc.record({
            n: fc.integer({ min: 1, max: 20 }),
            type: fc.constantFrom('vxlan' as const, 'geneve' as const, 'gre' as const, 'vlan' as const),
            rack: fc.constantFrom('r1', 'r2', null),
          }),
          { selector: (n) => n.n, maxLength: 5 },
        ),
      })
      .map(({ hosts, networks }) => ({
        hosts: hosts.map((h) => hostRecord(`h${h.n}`, { tunnelIp: h.v6 ? `2001:db8:ffff::${h.n}` : `203.0.113.${h.n}`, labels: { rack: h.rack } })),
        networks: networks.map((n) =>
          networkRecord(`net${n.n}`, {
            type: n.type,
            segmentId: n.n * 10,
            hosts: n.rack ? { labels: { rack: n.rack } } : { all: true },
            providerBridge: n.type === 'vlan' ? 'br-phy' : null,
          }),
        ),
      }));

    const meshOf = (hosts: HostRecord[], networks: NetworkRecord[]) => new Map(hosts.map((h) => [h.id, meshTunnels(h, networks, hosts, vlansFor(h, networks))]));

    it('is symmetric: h1 has a tunnel to h2 for N iff h2 has one to h1, with the same key and type', () => {
      fc.assert(
        fc.property(fleet, ({ hosts, networks }) => {
          const mesh = meshOf(hosts, networks);
          for (const [hostId, tunnels] of mesh) {
            for (const t of tunnels) {
              const back = mesh.get(t.remoteHost)?.filter((r) => r.network === t.network && r.remoteHost === hostId) ?? [];
              expect(back).toHaveLength(1);
              expect([back[0].key, back[0].type, back[0].remoteIp, back[0].localIp]).toEqual([t.key, t.type, t.localIp, t.remoteIp]);
            }
          }
        }),
      );
    });

    it('never points at the host itself, and gives n-1 tunnels per network to a host among n spanned hosts of its family', () => {
      fc.assert(
        fc.property(fleet, ({ hosts, networks }) => {
          const mesh = meshOf(hosts, networks);
          for (const host of hosts) {
            const tunnels = mesh.get(host.id) ?? [];
            expect(tunnels.some((t) => t.remoteHost === host.id)).toBe(false);
            for (const network of networks) {
              const spannedOfFamily = hosts.filter((h) => spans(network, h) && h.tunnelIp.includes(':') === host.tunnelIp.includes(':'));
              const expected = network.type !== 'vlan' && spans(network, host) ? spannedOfFamily.length - 1 : 0;
              expect(tunnels.filter((t) => t.network === network.name)).toHaveLength(expected);
            }
          }
        }),
      );
    });

    it('tags every tunnel with its network local VLAN, names ports uniquely, and ignores input order', () => {
      fc.assert(
        fc.property(fleet, fc.infiniteStream(fc.integer()), ({ hosts, networks }, seeds) => {
          const shuffle = <T>(items: T[]) => [...items].map((item) => ({ item, k: seeds.next().value })).sort((a, b) => a.k - b.k).map((x) => x.item);
          for (const host of hosts) {
            const vlans = vlansFor(host, networks);
            const tunnels = meshTunnels(host, networks, hosts, vlans);
            expect(tunnels.every((t) => t.tag === vlans[t.network])).toBe(true);
            expect(new Set(tunnels.map((t) => t.port)).size).toBe(tunnels.length);
            expect(meshTunnels(host, shuffle(networks), shuffle(hosts), vlans)).toEqual(tunnels);
          }
        }),
      );
    });
  });
});

describe('sameMembers', () => {
  const members = [
    { host: 'h1', tunnelIp: '203.0.113.1' },
    { host: 'h2', tunnelIp: '203.0.113.2' },
  ];

  it('is true for the same hosts with the same addresses, in the same order', () => {
    expect(sameMembers(members, members.map((m) => ({ ...m })))).toBe(true);
    expect(sameMembers([], [])).toBe(true);
  });

  it('is false when a member changed its tunnel address, when a host differs, or when one was added or removed', () => {
    expect(sameMembers(members, [members[0], { host: 'h2', tunnelIp: '203.0.113.22' }])).toBe(false);
    expect(sameMembers(members, [members[0], { host: 'h3', tunnelIp: '203.0.113.2' }])).toBe(false);
    expect(sameMembers(members, members.slice(0, 1))).toBe(false);
    expect(sameMembers(members.slice(0, 1), members)).toBe(false);
  });
});

describe('nextMeshes', () => {
  const meshOf = (hosts: HostRecord[]) => hosts.map((h) => ({ host: h.id, tunnelIp: h.tunnelIp }));
  const blue = networkRecord('blue');
  const red = networkRecord('red', { type: 'gre', segmentId: 7, hosts: { labels: { rack: 'r2' } } });
  const provider = networkRecord('prov', { type: 'vlan', segmentId: 30, providerBridge: 'br-phy' });
  const view = fleetView([h3, h1, h2], [red, blue, provider]);
  const stored = new Map([
    ['blue', { network: 'blue', revision: 4, members: meshOf([h1, h2, h3]) }],
    ['red', { network: 'red', revision: 2, members: meshOf([h3]) }],
  ]);

  it('gives each overlay network its spanned hosts sorted by id, at revision 1 when new; vlan networks have none', () => {
    expect([...nextMeshes(view, new Map())]).toEqual([
      ['blue', { network: 'blue', revision: 1, members: meshOf([h1, h2, h3]) }],
      ['red', { network: 'red', revision: 1, members: meshOf([h3]) }],
    ]);
  });

  it('keeps the stored revision when the members did not change', () => {
    expect(nextMeshes(view, stored)).toEqual(stored);
  });

  it('moves a mesh one revision on when a member changes its tunnel address, and only the meshes it is in', () => {
    const moved = { ...h1, tunnelIp: '203.0.113.101' };
    const meshes = nextMeshes(fleetView([moved, h2, h3], [red, blue, provider]), stored);
    expect(meshes.get('blue')).toEqual({ network: 'blue', revision: 5, members: meshOf([moved, h2, h3]) });
    expect(meshes.get('red')).toEqual(stored.get('red'));
  });

  it('moves a mesh one revision on when a host joins or leaves it', () => {
    const joined = nextMeshes(fleetView([h1, h2, h3, hostRecord('h4', { tunnelIp: '203.0.113.4', labels: { rack: 'r2' } })], [red, blue]), stored);
    expect([joined.get('blue')?.revision, joined.get('red')?.revision]).toEqual([5, 3]);
    const left = nextMeshes(fleetView([h1, h2], [red, blue]), stored);
    expect(left.get('blue')).toEqual({ network: 'blue', revision: 5, members: meshOf([h1, h2]) });
    expect(left.get('red')).toEqual({ network: 'red', revision: 3, members: [] });
  });
});
