import { cidrContains, cidrsOverlap, intToIpv4, ipv4ToInt } from './address';

describe('address arithmetic', () => {
  it('converts IPv4 to integers and back', () => {
    expect(ipv4ToInt('198.51.100.1')).toBe(0xc6336401);
    expect(intToIpv4(0xc6336401)).toBe('198.51.100.1');
    expect(intToIpv4(ipv4ToInt('255.255.255.255'))).toBe('255.255.255.255');
  });

  it('detects overlapping prefixes', () => {
    expect(cidrsOverlap('198.51.100.0/24', '198.51.100.128/25')).toBe(true);
    expect(cidrsOverlap('198.51.100.0/24', '192.0.2.0/24')).toBe(false);
    expect(cidrsOverlap('0.0.0.0/0', '203.0.113.0/24')).toBe(true);
    expect(cidrsOverlap('fd00::/64', 'fd00::2/128')).toBe(true);
    expect(cidrsOverlap('fd00::/64', 'fd01::/64')).toBe(false);
    expect(cidrsOverlap('fd00::/8', '10.0.0.0/8')).toBe(false);
  });

  it('tells containment', () => {
    expect(cidrContains('203.0.113.0/24', '203.0.113.64/26')).toBe(true);
    expect(cidrContains('203.0.113.64/26', '203.0.113.0/24')).toBe(false);
    expect(cidrContains('::ffff:0:0/96', '::ffff:10.0.0.1/128')).toBe(true);
  });
});
