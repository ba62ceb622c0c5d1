import { assertInterfaceName, assertMac, assertNetnsName, parseCidr, ValidationError } from './names';

describe('names', () => {
  it('accepts interface names up to 15 bytes and refuses longer ones', () => {
    expect(assertInterfaceName('eth0')).toBe('eth0');
    expect(assertInterfaceName('a'.repeat(15))).toBe('a'.repeat(15));
    expect(() => assertInterfaceName('a'.repeat(16))).toThrow(/longer than 15 bytes/);
    expect(() => assertInterfaceName('é'.repeat(8))).toThrow(/longer than 15 bytes/);
  });

  it.each(['eth0;reboot', 'a b', 'x/y', '', '..', 'a:b', '-x'])('refuses interface name %j', (name) => {
    expect(() => assertInterfaceName(name)).toThrow(ValidationError);
  });

  it('names the field in the error', () => {
    expect(() => assertInterfaceName('bad;name', 'interfaces[0].name')).toThrow(/^interfaces\[0\]\.name: /);
  });

  it('validates namespace names', () => {
    expect(assertNetnsName('ovf-lab-h1')).toBe('ovf-lab-h1');
    expect(() => assertNetnsName('../etc')).toThrow(ValidationError);
  });

  it('validates MACs and refuses multicast ones', () => {
    expect(assertMac('02:AA:00:00:00:01')).toBe('02:aa:00:00:00:01');
    expect(() => assertMac('01:00:5e:00:00:01')).toThrow(/multicast/);
    expect(() => assertMac('02:00:00:00:00')).toThrow(ValidationError);
  });

  it('parses CIDRs of both families', () => {
    expect(parseCidr('10.1.2.3/24')).toEqual({ address: '10.1.2.3', prefixLength: 24, family: 4 });
    expect(parseCidr('fd00::1/64')).toEqual({ address: 'fd00::1', prefixLength: 64, family: 6 });
    expect(parseCidr('10.0.0.1', 'gw', false).prefixLength).toBe(32);
    expect(() => parseCidr('10.0.0.1/33')).toThrow(/prefix length/);
    expect(() => parseCidr('10.0.0.256/24')).toThrow(ValidationError);
    expect(() => parseCidr('10.0.0.1')).toThrow(/needs a prefix length/);
  });
});
