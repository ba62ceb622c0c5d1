import { formatBatch } from '@ovs-fleet/iproute';
import { announceSysctls, containerConfigCommands, hostCreateCommands } from './commands';
import { buildSpec, validateAttachRequest } from './request';

const spec = (extra: object = {}) =>
  buildSpec(validateAttachRequest({ container: { netns: 'c' }, bridge: 'br-int', ifname: 'eth0.5', mac: '02:00:00:00:00:01', ...extra }), 'cid');

describe('commands', () => {
  it('creates the peer directly in a named namespace; without MTU none is set', () => {
    expect(hostCreateCommands(spec(), 'ovfc0123456789a', { kind: 'netns', name: 'web1', path: '/var/run/netns/web1' })).toEqual([
      ['link', 'add', 'ovfc0123456789a', 'type', 'veth', 'peer', 'name', 'eth0.5', 'address', '02:00:00:00:00:01', 'netns', 'web1'],
      ['link', 'set', 'ovfc0123456789a', 'addrgenmode', 'none'],
      ['link', 'set', 'ovfc0123456789a', 'up'],
    ]);
  });

  it('leaves IPv6 settings alone on a link whose MTU is below IPv6\'s 1280 (the kernel has none for it)', () => {
    const target = { kind: 'netns', name: 'web1', path: '/var/run/netns/web1' } as const;
    for (const mtu of [68, 1000, 1279]) {
      const commands = hostCreateCommands(spec({ mtu, addresses: ['198.18.0.2/24'] }), 'ovfc0123456789a', target);
      expect(commands.flat()).not.toContain('addrgenmode');
      expect(commands.at(-1)).toEqual(['link', 'set', 'ovfc0123456789a', 'up']);
    }
    expect(hostCreateCommands(spec({ mtu: 1280 }), 'ovfc0123456789a', target).flat()).toContain('addrgenmode');
  });

  it('configures on-link and gatewayed routes of both families, links up after addresses', () => {
    const commands = containerConfigCommands(spec({ addresses: ['fd42::2/64'], gateway6: 'fe80::1', routes: [{ to: 'fd43::/64' }] }));
    expect(commands).toEqual([
      ['address', 'add', 'fd42::2/64', 'dev', 'eth0.5', 'nodad'],
      ['link', 'set', 'lo', 'up'],
      ['link', 'set', 'eth0.5', 'up'],
      ['route', 'add', '::/0', 'via', 'fe80::1', 'dev', 'eth0.5'],
      ['route', 'add', 'fd43::/64', 'dev', 'eth0.5'],
    ]);
    expect(() => formatBatch(commands)).not.toThrow();
  });

  it('announces per family, in the slash form that survives dots in names', () => {
    expect(announceSysctls(spec({ addresses: ['198.18.0.2/24'] }))).toEqual(['net/ipv4/conf/eth0.5/arp_notify=1']);
    expect(announceSysctls(spec({ addresses: ['198.18.0.2/24'], announce: false }))).toEqual([]);
    expect(announceSysctls(spec())).toEqual([]);
  });
});
