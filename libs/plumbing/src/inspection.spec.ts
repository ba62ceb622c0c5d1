import { driftOf, Inspection } from './inspection';
import { buildSpec, validateAttachRequest } from './request';

const spec = buildSpec(
  validateAttachRequest({ container: { netns: 'c' }, bridge: 'br-int', ifname: 'eth1', mac: '02:00:00:00:00:01', mtu: 1400, addresses: ['10.0.0.2/24'], gateway: '10.0.0.1', routes: [{ to: '10.9.0.0/16' }], tag: 5 }),
  'cid',
);

function healthy(): Inspection {
  return {
    attachment: { attachmentId: 'a', containerId: 'cid', containerName: '', containerRef: 'c', ifname: 'eth1', bridge: 'br-int', hostIfname: 'ovfc0123456789a', netnsPath: '/var/run/netns/c', netnsInode: 1, spec, state: 'ready' },
    bridge: { bridge: 'br-int', tag: 5, trunks: [], ofport: 1, linkState: 'up', error: null },
    host: { present: true, mtu: 1400, up: true },
    container: {
      present: true, ifname: 'eth1', mac: '02:00:00:00:00:01', mtu: 1400, up: true, addresses: ['10.0.0.2/24'],
      routes: [{ to: '0.0.0.0/0', via: '10.0.0.1' }, { to: '10.9.0.0/16', via: null }],
    },
    drift: [],
  };
}

describe('driftOf', () => {
  it('finds nothing when all is as asked', () => {
    expect(driftOf(healthy())).toEqual([]);
  });

  it('names each difference', () => {
    const i = healthy();
    i.bridge.tag = 6;
    i.host.mtu = 1500;
    i.container.mac = '02:00:00:00:00:09';
    i.container.addresses = ['10.0.0.3/24'];
    i.container.routes = [];
    expect(driftOf(i)).toEqual([
      'tag: 6 instead of 5',
      'host mtu: 1500 instead of 1400',
      'mac: 02:00:00:00:00:09 instead of 02:00:00:00:00:01',
      'addresses missing: 10.0.0.2/24',
      'addresses not requested: 10.0.0.3/24',
      'routes missing: 0.0.0.0/0 via 10.0.0.1, 10.9.0.0/16 via link',
    ]);
  });

  it('reports missing ends', () => {
    const i = healthy();
    i.host.present = false;
    i.container.present = false;
    i.bridge.error = 'could not open network device';
    expect(driftOf(i)).toEqual(['ovs error: could not open network device', 'host veth end missing', 'container interface missing']);
  });
});
