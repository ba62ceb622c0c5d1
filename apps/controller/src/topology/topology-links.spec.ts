import type { HostRecord, NetworkRecord } from '@ovs-fleet/contracts';
import { hostRecord, networkRecord } from '../desired-state/testing/records';
import { overlayLinks } from './topology-links';

const hosts = [
  hostRecord('h1', { tunnelIp: '203.0.113.11', labels: { rack: 'r1' } }),
  hostRecord('h2', { tunnelIp: '203.0.113.12', labels: { rack: 'r1' } }),
  hostRecord('h3', { tunnelIp: '203.0.113.13', labels: { rack: 'r2' } }),
];

describe('overlayLinks', () => {
  it.each<[string, HostRecord[], NetworkRecord[], string[]]>([
    ['a VXLAN network on three hosts: a full mesh', hosts, [networkRecord('blue')], ['blue h1-h2', 'blue h1-h3', 'blue h2-h3']],
    ['a network selecting one host: no link', hosts, [networkRecord('solo', { hosts: { labels: { rack: 'r2' } } })], []],
    ['a network selecting two hosts: one link', hosts, [networkRecord('red', { type: 'gre', hosts: { labels: { rack: 'r1' } } })], ['red h1-h2']],
    ['a vlan network: no tunnels, no links', hosts, [networkRecord('prov', { type: 'vlan', segmentId: 10, providerBridge: 'br-prov' })], []],
    ['a network selecting no host: no link', hosts, [networkRecord('none', { hosts: { labels: { rack: 'r9' } } })], []],
    [
      'an IPv6 endpoint gets no link to IPv4 ones',
      [...hosts, hostRecord('h4', { tunnelIp: '2001:db8::4' }), hostRecord('h5', { tunnelIp: '2001:db8::5' })],
      [networkRecord('green', { type: 'geneve' })],
      ['green h1-h2', 'green h1-h3', 'green h2-h3', 'green h4-h5'],
    ],
    ['several networks, sorted by network', hosts, [networkRecord('red', { hosts: { labels: { rack: 'r1' } }, segmentId: 2 }), networkRecord('blue')], ['blue h1-h2', 'blue h1-h3', 'blue h2-h3', 'red h1-h2']],
  ])('%s', (_what, fleet, networks, expected) => {
    expect(overlayLinks(fleet, networks).map((l) => `${l.network} ${l.a}-${l.b}`)).toEqual(expected);
  });

  it('does not depend on the order of hosts and networks', () => {
    const networks = [networkRecord('blue'), networkRecord('red', { segmentId: 2 })];
    expect(overlayLinks([...hosts].reverse(), [...networks].reverse())).toEqual(overlayLinks(hosts, networks));
  });
});
