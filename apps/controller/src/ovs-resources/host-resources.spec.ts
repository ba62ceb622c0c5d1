import { tunnelPortName, type BridgeSpec, type OperatorResources, type PortSpec, type TunnelSpec } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { ApiError } from '../common/api-errors';
import { hostRecord, networkRecord } from '../desired-state/testing/records';
import { addBridge, addPort, addTunnel, hostOvsContext, HostOvsContext, removeBridge, removePort, removeTunnel } from './host-resources';

const bridge = (name: string): BridgeSpec => ({ name, datapathType: 'netdev', failMode: null, otherConfig: {} });
const port = (name: string, overrides: Partial<PortSpec> = {}): PortSpec => ({ name, bridge: 'br-int', kind: 'internal', tag: null, trunks: [], vlanMode: null, peer: null, ...overrides });
const tunnel = (name: string, overrides: Partial<TunnelSpec> = {}): TunnelSpec => ({
  name,
  bridge: 'br-ext',
  type: 'vxlan',
  remoteIp: '203.0.113.50',
  localIp: null,
  key: null,
  dstPort: null,
  csum: null,
  tos: null,
  ttl: null,
  ...overrides,
});

/**
 * Host h1 (integration bridge br-int, rack r1) with operator bridge br-ext carrying port
 * uplink and tunnel vx-dc2; vlan network prov (provider bridge br-prov) spans it, vlan
 * network far (provider bridge br-far) does not.
 */
function context(resources: Partial<OperatorResources> = {}): HostOvsContext {
  const host = hostRecord('h1', { labels: { rack: 'r1' } });
  const operator: OperatorResources = {
    bridges: [bridge('br-ext')],
    ports: [port('uplink', { bridge: 'br-ext', kind: 'trunk', trunks: [10] })],
    tunnels: [tunnel('vx-dc2')],
    ...resources,
  };
  const networks = [
    networkRecord('blue'),
    networkRecord('prov', { type: 'vlan', segmentId: 10, providerBridge: 'br-prov', hosts: { labels: { rack: 'r1' } } }),
    networkRecord('far', { type: 'vlan', segmentId: 11, providerBridge: 'br-far', hosts: { labels: { rack: 'r2' } } }),
  ];
  return hostOvsContext(host, operator, networks);
}

function verdict(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return `${error.status} ${error.field}`;
  }
}

describe('names on a host', () => {
  const taken: [string, string][] = [
    ['the integration bridge', 'br-int'],
    ['an operator bridge', 'br-ext'],
    ['an operator port', 'uplink'],
    ['an operator tunnel', 'vx-dc2'],
    ['a mesh tunnel port', tunnelPortName('blue', 'h2')],
    ['any ovt- name', 'ovt-mine'],
    ['an attachment veth', hostIfname('web1', 'eth0')],
    ['any name with the veth prefix', 'ovfc1'],
  ];

  it.each(taken)('a bridge may not take the name of %s (409 name)', (_what, name) => {
    expect(verdict(() => addBridge(context(), bridge(name)))).toBe('409 name');
  });

  it.each(taken)('a port may not take the name of %s (409 name)', (_what, name) => {
    expect(verdict(() => addPort(context(), port(name)))).toBe('409 name');
  });

  it.each(taken)('a tunnel may not take the name of %s (409 name)', (_what, name) => {
    expect(verdict(() => addTunnel(context(), tunnel(name, { remoteIp: '203.0.113.99' })))).toBe('409 name');
  });

  it.each<[string, string, () => unknown]>([
    ['a bridge named like the provider bridge of a vlan network on the host (it makes it)', 'ok', () => addBridge(context(), bridge('br-prov'))],
    ['a port named like that provider bridge', '409 name', () => addPort(context(), port('br-prov'))],
    ['a tunnel named like that provider bridge', '409 name', () => addTunnel(context(), tunnel('br-prov', { remoteIp: '203.0.113.99' }))],
    ['a port named like the provider bridge of a vlan network elsewhere', 'ok', () => addPort(context(), port('br-far'))],
  ])('%s: %s', (_what, expected, run) => {
    expect(verdict(run)).toBe(expected);
  });
});

describe('the bridge of a port or tunnel', () => {
  it.each<[string, string, string]>([
    ['the integration bridge', 'br-int', 'ok'],
    ['an operator bridge', 'br-ext', 'ok'],
    ['the provider bridge of a vlan network on the host', 'br-prov', 'ok'],
    ['the provider bridge of a vlan network not on the host', 'br-far', '404 bridge'],
    ['a bridge the host does not have', 'br-nope', '404 bridge'],
    ['an operator port', 'uplink', '409 bridge'],
    ['an operator tunnel', 'vx-dc2', '409 bridge'],
  ])('%s (%s): %s', (_what, name, expected) => {
    expect(verdict(() => addPort(context(), port('p1', { bridge: name })))).toBe(expected);
    expect(verdict(() => addTunnel(context(), tunnel('t1', { bridge: name, remoteIp: '203.0.113.99' })))).toBe(expected);
  });
});

describe('tunnels ovs-vswitchd could not tell apart', () => {
  it.each<[string, Partial<TunnelSpec>, string]>([
    ['same type, endpoints, key and port', {}, '409 remoteIp'],
    ['key 0 is the default key', { key: 0 }, '409 remoteIp'],
    ['another remote', { remoteIp: '203.0.113.51' }, 'ok'],
    ['another key', { key: 5 }, 'ok'],
    ['another type', { type: 'geneve' }, 'ok'],
    ['another UDP port', { dstPort: 4790 }, 'ok'],
    ['a local address', { localIp: '203.0.113.11' }, 'ok'],
  ])('%s: %s', (_what, overrides, expected) => {
    expect(verdict(() => addTunnel(context(), tunnel('t2', overrides)))).toBe(expected);
  });
});

describe('adding and removing', () => {
  it('adds each kind beside what the host has, leaving the context as it was', () => {
    const ctx = context();
    const before = structuredClone(ctx.resources);
    expect(addBridge(ctx, bridge('br-ops')).bridges.map((b) => b.name)).toEqual(['br-ext', 'br-ops']);
    expect(addPort(ctx, port('p1')).ports.map((p) => p.name)).toEqual(['uplink', 'p1']);
    expect(addTunnel(ctx, tunnel('t1', { key: 9 })).tunnels.map((t) => t.name)).toEqual(['vx-dc2', 't1']);
    expect(ctx.resources).toEqual(before);
  });

  it.each<[string, string, () => unknown]>([
    ['a bridge ports and tunnels still use', '409 name', () => removeBridge(context(), 'br-ext')],
    ['a bridge only a tunnel uses', '409 name', () => removeBridge(context({ ports: [] }), 'br-ext')],
    ['an unused bridge', 'ok', () => removeBridge(context({ ports: [], tunnels: [] }), 'br-ext')],
    ['a bridge that is a vlan network\'s provider bridge', '409 name', () => removeBridge(context({ bridges: [bridge('br-prov')] }), 'br-prov')],
    ['the integration bridge', '404 name', () => removeBridge(context(), 'br-int')],
    ['a bridge the host does not have', '404 name', () => removeBridge(context(), 'br-nope')],
    ['a port', 'ok', () => removePort(context(), 'uplink')],
    ['a port that is a tunnel', '404 name', () => removePort(context(), 'vx-dc2')],
    ['a tunnel', 'ok', () => removeTunnel(context(), 'vx-dc2')],
    ['a tunnel that is a port', '404 name', () => removeTunnel(context(), 'uplink')],
    ['a mesh tunnel', '404 name', () => removeTunnel(context(), tunnelPortName('blue', 'h2'))],
  ])('removing %s: %s', (_what, expected, run) => {
    expect(verdict(run)).toBe(expected);
  });

  it('removing returns what was removed and the rest', () => {
    const { resources, removed } = removePort(context(), 'uplink');
    expect(removed.name).toBe('uplink');
    expect(resources).toEqual({ bridges: [bridge('br-ext')], ports: [], tunnels: [tunnel('vx-dc2')] });
  });
});
