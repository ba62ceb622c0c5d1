import { ValidationError } from '@ovs-fleet/iproute';
import { buildSpec, canonicalIp, diffSpecs, validateAttachRequest } from './request';
import { AttachRequest } from './types';

const base: AttachRequest = { container: { netns: 'c1' }, bridge: 'br-int', ifname: 'eth1' };
const fieldOf = (request: Partial<AttachRequest>): string => {
  try {
    validateAttachRequest({ ...base, ...request } as AttachRequest);
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return 'accepted';
};

describe('validateAttachRequest', () => {
  it('normalises a full request', () => {
    const v = validateAttachRequest({
      ...base,
      mac: '02:AA:BB:CC:DD:EE',
      mtu: 1450,
      addresses: ['10.1.0.5/24', 'fd00:0:0::0005/64'],
      gateway: '10.1.0.1',
      gateway6: 'fd00::1',
      routes: [{ to: '10.9.0.0/16', via: '10.1.0.254' }, { to: '172.16.0.0/12' }],
      trunks: [30, 10, 20],
    });
    expect(v).toEqual({
      bridge: 'br-int', ifname: 'eth1', mac: '02:aa:bb:cc:dd:ee', mtu: 1450,
      addresses: ['10.1.0.5/24', 'fd00::5/64'], gateway: '10.1.0.1', gateway6: 'fd00::1',
      routes: [{ to: '10.9.0.0/16', via: '10.1.0.254' }, { to: '172.16.0.0/12', via: null }],
      tag: null, trunks: [10, 20, 30], announce: true,
    });
  });

  it.each<[string, Partial<AttachRequest>, string]>([
    ['a 16-byte interface name', { ifname: 'eth0123456789abc' }, 'ifname'],
    ['a name with ;', { ifname: 'eth0;reboot' }, 'ifname'],
    ['a bridge name with a space', { bridge: 'br int' }, 'bridge'],
    ['a malformed address', { addresses: ['10.0.0.300/24'] }, 'addresses[0]'],
    ['an address without prefix', { addresses: ['10.0.0.3'] }, 'addresses[0]'],
    ['a duplicate address', { addresses: ['10.0.0.3/24', '10.0.0.3/24'] }, 'addresses[1]'],
    ['a malformed MAC', { mac: '02:00:00:00:00' }, 'mac'],
    ['a multicast MAC', { mac: '01:00:5e:00:00:01' }, 'mac'],
    ['a gateway outside the prefix', { addresses: ['10.0.0.3/24'], gateway: '10.0.1.1' }, 'gateway'],
    ['a gateway without any address', { gateway: '10.0.0.1' }, 'gateway'],
    ['a gateway equal to the own address', { addresses: ['10.0.0.3/24'], gateway: '10.0.0.3' }, 'gateway'],
    ['an IPv6 gateway given as gateway', { addresses: ['fd00::3/64'], gateway: 'fd00::1' }, 'gateway'],
    ['an IPv6 gateway outside the prefix', { addresses: ['fd00::3/64'], gateway6: 'fd01::1' }, 'gateway6'],
    ['a route via an unreachable hop', { addresses: ['10.0.0.3/24'], routes: [{ to: '10.5.0.0/16', via: '10.9.0.1' }] }, 'routes[0].via'],
    ['a default route as a route', { addresses: ['10.0.0.3/24'], routes: [{ to: '0.0.0.0/0', via: '10.0.0.1' }] }, 'routes[0].to'],
    ['a route of the other family', { addresses: ['10.0.0.3/24', 'fd00::3/64'], routes: [{ to: '10.5.0.0/16', via: 'fd00::1' }] }, 'routes[0].via'],
    ['tag and trunks together', { tag: 10, trunks: [20] }, 'tag'],
    ['VLAN 4095 as a tag', { tag: 4095 }, 'tag'],
    ['a fractional MTU', { mtu: 1500.5 }, 'mtu'],
    ['an MTU too small for IPv6', { mtu: 1000, addresses: ['fd00::3/64'] }, 'mtu'],
    ['an empty trunk list', { trunks: [] }, 'trunks'],
    ['a VLAN listed twice in trunks', { trunks: [5, 5] }, 'trunks'],
    ['trunks that are not a list', { trunks: 5 as unknown as number[] }, 'trunks'],
  ])('refuses %s', (_what, request, field) => {
    expect(fieldOf(request)).toBe(field);
  });

  it('accepts an IPv6 link-local gateway without a global prefix check', () => {
    expect(validateAttachRequest({ ...base, addresses: ['fd00::3/64'], gateway6: 'fe80::1' }).gateway6).toBe('fe80::1');
  });
});

describe('specs', () => {
  const v = validateAttachRequest({ ...base, addresses: ['10.0.0.3/24', '10.0.1.3/24'], tag: 5 });

  it('fills in a deterministic MAC from the container id', () => {
    expect(buildSpec(v, 'abc').mac).toBe(buildSpec(v, 'abc').mac);
    expect(buildSpec(v, 'abc').mac).not.toBe(buildSpec(v, 'abd').mac);
  });

  it('diffs by field, ignoring address order', () => {
    const a = buildSpec(v, 'abc');
    expect(diffSpecs(a, { ...a, addresses: ['10.0.1.3/24', '10.0.0.3/24'] })).toEqual([]);
    expect(diffSpecs(a, { ...a, tag: 6, mtu: 1400 })).toEqual(['mtu', 'tag']);
    expect(diffSpecs(a, { ...a, addresses: ['10.0.0.3/24'] })).toEqual(['addresses']);
  });

  it('writes IPv6 as the kernel does', () => {
    expect(canonicalIp('FD00:0:0::0001')).toBe('fd00::1');
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
  });
});
