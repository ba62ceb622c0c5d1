import fc from 'fast-check';
import { formatAddress, parseAddress } from './ip-address';

const ipv6Value = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
// Values with runs of zero groups, so compression is exercised and not only the rare all-random case.
const sparseIpv6Value = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n));

function expanded(value: bigint): string {
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
}

describe('IP addresses', () => {
  it('prints IPv6 as RFC 5952 does (the WHATWG URL serialiser is the oracle)', () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Value, sparseIpv6Value), (value) => {
        const text = formatAddress({ family: 6, value });
        expect(`[${text}]`).toBe(new URL(`http://[${expanded(value)}]`).hostname);
      }),
    );
  });

  it('parses what it prints, and any spelling of the same address to the same value', () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Value, sparseIpv6Value), (value) => {
        expect(parseAddress(formatAddress({ family: 6, value }))).toEqual({ family: 6, value });
        expect(parseAddress(expanded(value).toUpperCase())).toEqual({ family: 6, value });
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), (value) => {
        const text = formatAddress({ family: 4, value });
        expect(text).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(parseAddress(text)).toEqual({ family: 4, value });
      }),
    );
  });

  it('reads the forms people write', () => {
    expect(parseAddress('198.18.0.5')).toEqual({ family: 4, value: 0xc6120005n });
    expect(parseAddress('::')).toEqual({ family: 6, value: 0n });
    expect(parseAddress('2001:db8::')).toEqual({ family: 6, value: 0x20010db8n << 96n });
    expect(parseAddress('::ffff:198.18.0.5')).toEqual({ family: 6, value: (0xffffn << 32n) | 0xc6120005n });
    expect(parseAddress('1:2:3:4:5:6:7::')).toEqual({ family: 6, value: parseAddress('1:2:3:4:5:6:7:0')?.value });
  });

  it.each([
    '',
    '198.18.0',
    '198.18.0.256',
    '198.18.00.5',
    '198.18.0.5/24',
    ' 198.18.0.5',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '12345::',
    'fe80::1%eth0',
    '198.18.0.5::',
    '::198.18.0',
    'g::1',
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(parseAddress(3323068421)).toBeNull();
    expect(parseAddress(null)).toBeNull();
  });
});
