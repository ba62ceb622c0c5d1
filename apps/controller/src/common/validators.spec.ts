import { isCidr, isInterfaceName, isIpAddress, isLabelMap, isTunnelEndpoint, isUnicastMac } from './validators';

describe('API value validators', () => {
  it.each(['eth0', 'br-int', 'a', 'x'.repeat(15), 'v1.2_3'])('interface name %j accepted', (v) => expect(isInterfaceName(v)).toBe(true));
  it.each(['', 'x'.repeat(16), 'a/b', 'a b', 'a;b', '$(id)', '.', '..', '-x', 'é'.repeat(8), 5, null])('interface name %j refused', (v) => expect(isInterfaceName(v)).toBe(false));

  it.each(['02:00:00:00:00:01', 'AA:BB:CC:DD:EE:FE'])('unicast MAC %s accepted', (v) => expect(isUnicastMac(v)).toBe(true));
  it.each(['01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '02:00:00:00:00', '02-00-00-00-00-01', 7])('MAC %j refused', (v) => expect(isUnicastMac(v)).toBe(false));

  it.each(['198.18.0.0/24', '2001:db8::/64', '0.0.0.0/0'])('CIDR %s is a CIDR (ranges are judged by the IPAM)', (v) => expect(isCidr(v)).toBe(true));
  it.each(['198.18.0.0', '198.18.0.0/33', '2001:db8::/129', 'fe80::%eth0/64', '198.18.0.0/24/1', '198.18.0.0/x'])('CIDR %j refused', (v) => expect(isCidr(v)).toBe(false));

  it.each(['198.18.0.1', '2001:db8::1'])('address %s accepted', (v) => expect(isIpAddress(v)).toBe(true));
  it.each(['198.18.0.256', 'fe80::1%eth0', 'host', ''])('address %j refused', (v) => expect(isIpAddress(v)).toBe(false));

  it.each(['203.0.113.11', '2001:db8::11'])('tunnel endpoint %s accepted', (v) => expect(isTunnelEndpoint(v)).toBe(true));
  it.each(['0.0.0.0', '127.0.0.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'ff02::1', '::ffff:203.0.113.1'])('tunnel endpoint %s refused', (v) => expect(isTunnelEndpoint(v)).toBe(false));

  it('labels: keys and values of a restricted alphabet, at most 64', () => {
    expect(isLabelMap({ rack: 'r1', 'zone.example/a': 'x_y-z.1', empty: '' })).toBe(true);
    expect(isLabelMap({ Rack: 'r1' })).toBe(false);
    expect(isLabelMap({ rack: 'r 1' })).toBe(false);
    expect(isLabelMap({ rack: 5 })).toBe(false);
    expect(isLabelMap(['a'])).toBe(false);
    expect(isLabelMap(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])))).toBe(false);
  });
});
