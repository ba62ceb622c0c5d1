import type { DesiredNetwork } from './desired-state';
import { canTunnel, MeshResolutionError, resolveTunnels, type NetworkMesh } from './mesh';
import { tunnelPortName } from './names';

const blue: DesiredNetwork = { name: 'blue', type: 'geneve', segmentId: 7, mtu: 1450, bridge: 'br-int', tag: 3, meshRevision: 2 };
const prov: DesiredNetwork = { name: 'prov', type: 'vlan', segmentId: 30, mtu: 1500, bridge: 'br-phy', tag: 30, meshRevision: null };
const mesh = (revision: number, members: [string, string][]): Map<string, NetworkMesh> =>
  new Map([['blue', { network: 'blue', revision, members: members.map(([host, tunnelIp]) => ({ host, tunnelIp })) }]]);
const doc = { hostId: 'h1', tunnelIp: '203.0.113.1', networks: [prov, blue] };

describe('resolveTunnels', () => {
  it('gives a tunnel to every other member of the same address family, keyed and tagged like the network', () => {
    const members: [string, string][] = [['h1', '203.0.113.1'], ['h3', '203.0.113.3'], ['h2', '203.0.113.2'], ['v6', '2001:db8::6']];
    expect(resolveTunnels(doc, mesh(2, members))).toEqual([
      { port: tunnelPortName('blue', 'h2'), network: 'blue', type: 'geneve', remoteHost: 'h2', remoteIp: '203.0.113.2', localIp: '203.0.113.1', key: 7, tag: 3 },
      { port: tunnelPortName('blue', 'h3'), network: 'blue', type: 'geneve', remoteHost: 'h3', remoteIp: '203.0.113.3', localIp: '203.0.113.1', key: 7, tag: 3 },
    ]);
  });

  it('takes a mesh newer than the document, and refuses a missing or older one', () => {
    expect(resolveTunnels(doc, mesh(5, [['h2', '203.0.113.2']])).map((t) => t.remoteHost)).toEqual(['h2']);
    expect(() => resolveTunnels(doc, new Map())).toThrow(new MeshResolutionError('blue', 'network "blue" has no mesh'));
    expect(() => resolveTunnels(doc, mesh(1, []))).toThrow(/mesh revision 1 is older than the document's 2/);
  });
});

describe('canTunnel', () => {
  it('pairs members whose tunnel addresses are of one family only', () => {
    const v4 = { tunnelIp: '203.0.113.1' };
    expect(canTunnel(v4, { tunnelIp: '203.0.113.2' })).toBe(true);
    expect(canTunnel({ tunnelIp: '2001:db8::1' }, { tunnelIp: '2001:db8::2' })).toBe(true);
    expect(canTunnel(v4, { tunnelIp: '2001:db8::2' })).toBe(false);
  });
});
