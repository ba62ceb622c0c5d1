import { ValidationError } from '@ovs-fleet/iproute';
import { canonicalIp } from './addresses';
import { buildSpec, diffSpecs, validateAttachRequest } from './request';
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
      addresses: ['198.18.1.5/24', 'fd00:0:0::0005/64'],
      gateway: '198.18.1.1',
      gateway6: 'fd00::1',
      routes: [{ to: '198.19.0.0/16', via: '198.18.1.254' }, { to: '198.19.128.0/17' }],
      trunks: [30, 10, 20],
    });
    expect(v).toEqual({
      bridge: 'br-int', ifname: 'eth1', mac: '02:aa:bb:cc:dd:ee', mtu: 1450,
      addresses: ['198.18.1.5/24', 'fd00::5/64'], gateway: '198.18.1.1', gateway6: 'fd00::1',
      routes: [{ to: '198.19.0.0/16', via: '198.18.1.254' }, { to: '198.19.128.0/17', via: null }],
      tag: null, trunks: [10, 20, 30], announce: true,
    });
  });

  it.each<[string, Partial<AttachRequest>, string]>([
    ['a 16-byte interface name', { ifname: 'eth0123456789abc' }, 'ifname'],
    ['a name with ;', { ifname: 'eth0;reboot' }, 'ifname'],
    ['a bridge name with a space', { bridge: 'br int' }, 'bridge'],
    ['a malformed address', { addresses: ['198.18.0.300/24'] }, 'addresses[0]'],
    ['an address without prefix', { addresses: ['198.18.0.3'] }, 'addresses[0]'],
    ['a duplicate address', { addresses: ['198.18.0.3/24', '198.18.0.3/24'] }, 'addresses[1]'],
    ['a malformed MAC', { mac: '02:00:00:00:00' }, 'mac'],
    ['a multicast MAC', { mac: '01:00:5e:00:00:01' }, 'mac'],
    ['a gateway outside the prefix', { addresses: ['198.18.0.3/24'], gateway: '198.18.1.1' }, 'gateway'],
    ['a gateway without any address', { gateway: '198.18.0.1' }, 'gateway'],
    ['a gateway equal to the own address', { addresses: ['198.18.0.3/24'], gateway: '198.18.0.3' }, 'gateway'],
    ['an IPv6 gateway given as gateway', { addresses: ['fd00::3/64'], gateway: 'fd00::1' }, 'gateway'],
    ['an IPv6 gateway outside the prefix', { addresses: ['fd00::3/64'], gateway6: 'fd01::1' }, 'gateway6'],
    ['a route via an unreachable hop', { addresses: ['198.18.0.3/24'], routes: [{ to: '198.19.0.0/16', via: '198.18.9.1' }] }, 'routes[0].via'],
    ['a default route as a route', { addresses: ['198.18.0.3/24'], routes: [{ to: '0.0.0.0/0', via: '198.18.0.1' }] }, 'routes[0].to'],
    ['a route of the other family', { addresses: ['198.18.0.3/24', 'fd00::3/64'], routes: [{ to: '198.19.0.0/16', via: 'fd00::1' }] }, 'routes[0].via'],
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

  it.each<[string, Partial<AttachRequest>, string, RegExp]>([
    ['an unspecified IPv4 address', { addresses: ['0.0.0.0/24'] }, 'addresses[0]', /unspecified/],
    ['an unspecified IPv6 address', { addresses: ['::/64'] }, 'addresses[0]', /unspecified/],
    ['an IPv4 multicast address', { addresses: ['224.0.0.5/24'] }, 'addresses[0]', /multicast/],
    ['the limited broadcast address', { addresses: ['255.255.255.255/32'] }, 'addresses[0]', /broadcast/],
    ['the broadcast address of its own prefix', { addresses: ['198.18.0.255/24'] }, 'addresses[0]', /broadcast address of 198\.18\.0\.0\/24/],
    ['an IPv4 loopback address', { addresses: ['127.0.0.5/8'] }, 'addresses[0]', /loopback/],
    ['the IPv6 loopback address', { addresses: ['::1/128'] }, 'addresses[0]', /loopback/],
    ['an IPv4-mapped loopback address', { addresses: ['::ffff:127.0.0.1/128'] }, 'addresses[0]', /loopback/],
    ['an IPv6 link-local multicast address', { addresses: ['ff02::5/64'] }, 'addresses[0]', /multicast/],
    ['a /0 IPv4 prefix', { addresses: ['198.18.0.5/0'] }, 'addresses[0]', /\/0/],
    ['a /0 IPv6 prefix', { addresses: ['fd00::5/0'] }, 'addresses[0]', /\/0/],
    ['a gateway that is the broadcast address', { addresses: ['198.18.0.3/24'], gateway: '198.18.0.255' }, 'gateway', /broadcast/],
    ['a route via the unspecified address', { addresses: ['fd00::3/64'], routes: [{ to: 'fd01::/64', via: '::' }] }, 'routes[0].via', /unspecified|not reachable/],
  ])('refuses %s at validation, naming the field and the reason', (_what, request, field, reason) => {
    expect(fieldOf(request)).toBe(field);
    expect(() => validateAttachRequest({ ...base, ...request } as AttachRequest)).toThrow(reason);
  });

  it.each<[string, unknown, string]>([
    ['addresses given as a string', { addresses: '198.18.0.2/24' }, 'addresses'],
    ['an address that is a number', { addresses: [5] }, 'addresses[0]'],
    ['an IPv6 address with a zone', { addresses: ['fe80::1%eth0/64'] }, 'addresses[0]'],
    ['an IPv6 gateway with a zone', { addresses: ['fd00::3/64'], gateway6: 'fe80::1%eth0' }, 'gateway6'],
    ['a route next hop with a zone', { addresses: ['fd00::3/64'], routes: [{ to: 'fd01::/64', via: 'fe80::1%eth0' }] }, 'routes[0].via'],
    ['routes given as an object', { routes: { to: '198.19.0.0/16' } }, 'routes'],
    ['a route that is null', { routes: [null] }, 'routes[0]'],
    ['a route that is a string', { routes: ['198.19.0.0/16'] }, 'routes[0]'],
    ['a gateway that is a number', { addresses: ['198.18.0.3/24'], gateway: 3 }, 'gateway'],
    ['an MTU given as text', { mtu: '1500' }, 'mtu'],
  ])('refuses %s with a ValidationError naming the field (never a TypeError)', (_what, request, field) => {
    let error: unknown;
    try {
      validateAttachRequest({ ...base, ...(request as object) } as AttachRequest);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it.each<[string, Partial<AttachRequest>, string, RegExp]>([
    ['an all-zero MAC', { mac: '00:00:00:00:00:00' }, 'mac', /all-zero/],
    ['lo, which every namespace has', { ifname: 'lo' }, 'ifname', /already exists in every network namespace/],
    ['"all", a name the kernel keeps for itself', { ifname: 'all' }, 'ifname', /reserved/],
    ['"default", a name the kernel keeps for itself', { ifname: 'default' }, 'ifname', /reserved/],
    ['an IPv6 gateway on a link whose MTU cannot carry IPv6', { mtu: 1000, addresses: ['198.18.0.3/24'], gateway6: 'fe80::1' }, 'gateway6', /1280/],
    ['an IPv6 route on a link whose MTU cannot carry IPv6', { mtu: 1000, routes: [{ to: 'fd01::/64' }] }, 'routes[0].to', /1280/],
  ])('refuses %s', (_what, request, field, reason) => {
    expect(fieldOf(request)).toBe(field);
    expect(() => validateAttachRequest({ ...base, ...request } as AttachRequest)).toThrow(reason);
  });

  it('accepts every MTU from 68 up when nothing needs IPv6', () => {
    expect(validateAttachRequest({ ...base, mtu: 68 }).mtu).toBe(68);
    expect(validateAttachRequest({ ...base, mtu: 1279, addresses: ['198.18.0.3/24'], gateway: '198.18.0.1' }).mtu).toBe(1279);
  });

  it('writes an IPv4-mapped IPv6 address one way, as the kernel prints it', () => {
    expect(validateAttachRequest({ ...base, addresses: ['::ffff:198.18.0.9/128'] }).addresses).toEqual(['::ffff:198.18.0.9/128']);
    expect(validateAttachRequest({ ...base, addresses: ['::FFFF:c612:0009/128'] }).addresses).toEqual(['::ffff:198.18.0.9/128']);
  });

  it('accepts an IPv6 link-local gateway without a global prefix check', () => {
    expect(validateAttachRequest({ ...base, addresses: ['fd00::3/64'], gateway6: 'fe80::1' }).gateway6).toBe('fe80::1');
  });
});

describe('specs', () => {
  const v = validateAttachRequest({ ...base, addresses: ['198.18.0.3/24', '198.18.1.3/24'], tag: 5 });

  it('fills in a deterministic MAC from the container id', () => {
    expect(buildSpec(v, 'abc').mac).toBe(buildSpec(v, 'abc').mac);
    expect(buildSpec(v, 'abc').mac).not.toBe(buildSpec(v, 'abd').mac);
  });

  it('diffs by field, ignoring address order', () => {
    const a = buildSpec(v, 'abc');
    expect(diffSpecs(a, { ...a, addresses: ['198.18.1.3/24', '198.18.0.3/24'] })).toEqual([]);
    expect(diffSpecs(a, { ...a, tag: 6, mtu: 1400 })).toEqual(['mtu', 'tag']);
    expect(diffSpecs(a, { ...a, addresses: ['198.18.0.3/24'] })).toEqual(['addresses']);
  });

  it('writes IPv6 as the kernel does', () => {
    expect(canonicalIp('FD00:0:0::0001')).toBe('fd00::1');
    expect(canonicalIp('198.18.0.1')).toBe('198.18.0.1');
  });

  // Expected texts: glibc's inet_ntop, which `ip` prints addresses with.
  it.each([
    ['::ffff:c612:9', '::ffff:198.18.0.9'],
    ['::ffff:198.18.0.9', '::ffff:198.18.0.9'],
    ['::c612:9', '::198.18.0.9'],
    ['::2:3', '::0.2.0.3'],
    ['::ffff:0:1', '::ffff:0.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['fd00::', 'fd00::'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['::ffff:1:2:3', '::ffff:1:2:3'],
  ])('writes %s as %s', (text, kernel) => {
    expect(canonicalIp(text)).toBe(kernel);
  });
});
