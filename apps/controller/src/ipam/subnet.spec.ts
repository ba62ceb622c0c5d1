import fc from 'fast-check';
import type { SubnetRecord } from '@ovs-fleet/contracts';
import { BadRequestError } from '../common/api-errors';
import { formatAddress } from './ip-address';
import {
  IPV6_RANGE_CAP,
  SubnetInput,
  allocatableRanges,
  canonicalSubnet,
  capacity,
  containsAddress,
  prefixLength,
  requestedOffset,
  subnetsOverlap,
  withPrefix,
} from './subnet';

// Test subnets come from 198.18.0.0/15 (IPv4) and 2001:db8::/32 (IPv6, documentation).
const BASE = { 4: 0xc6120000n, 6: 0x20010db8n << 96n } as const;

interface Generated {
  family: 4 | 6;
  length: number;
  network: bigint;
  /** undefined: left to the default (offset 1). */
  gateway: bigint | null | undefined;
  pools: { first: bigint; last: bigint }[];
  input: SubnetInput;
}

const bitsOf = (family: 4 | 6): bigint => (family === 4 ? 32n : 128n);
const sizeOf = (g: Pick<Generated, 'family' | 'length'>): bigint => 1n << (bitsOf(g.family) - BigInt(g.length));
const lastUsableOf = (g: Pick<Generated, 'family' | 'length'>): bigint => (g.family === 4 ? sizeOf(g) - 2n : sizeOf(g) - 1n);

function spell(family: 4 | 6, value: bigint, shouting: boolean): string {
  const text = formatAddress({ family, value });
  if (family === 4 || !shouting) return text;
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0').toUpperCase()).join(':');
}

const prefixes = fc.oneof(
  fc.integer({ min: 15, max: 30 }).chain((length) =>
    fc.bigInt({ min: 0n, max: (1n << BigInt(length - 15)) - 1n }).map((i) => ({ family: 4 as const, length, network: BASE[4] + (i << BigInt(32 - length)) })),
  ),
  fc.integer({ min: 64, max: 126 }).chain((length) =>
    fc.bigInt({ min: 0n, max: (1n << BigInt(length - 32)) - 1n }).map((i) => ({ family: 6 as const, length, network: BASE[6] + (i << BigInt(128 - length)) })),
  ),
);

/** Valid subnets: any gateway choice, up to four disjoint pools that avoid the gateway, in any order and spelling. */
const subnets: fc.Arbitrary<Generated> = prefixes.chain((prefix) => {
  const lastUsable = lastUsableOf(prefix);
  const offset = fc.bigInt({ min: 1n, max: lastUsable });
  return fc
    .record({
      gateway: fc.oneof(fc.constant(undefined), fc.constant(null), offset),
      bounds: fc.uniqueArray(offset, { maxLength: 8 }),
      reversed: fc.boolean(),
      shouting: fc.boolean(),
    })
    .map(({ gateway, bounds, reversed, shouting }): Generated => {
      const effectiveGateway = gateway === undefined ? 1n : gateway;
      const sorted = [...bounds].sort((a, b) => (a < b ? -1 : 1));
      const pools: { first: bigint; last: bigint }[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) {
        const pool = { first: sorted[i], last: sorted[i + 1] };
        if (effectiveGateway === null || effectiveGateway < pool.first || effectiveGateway > pool.last) pools.push(pool);
      }
      const given = reversed ? [...pools].reverse() : pools;
      const at = (o: bigint) => spell(prefix.family, prefix.network + o, shouting);
      return {
        ...prefix,
        gateway,
        pools,
        input: {
          cidr: `${spell(prefix.family, prefix.network, shouting)}/${prefix.length}`,
          gateway: gateway === undefined || gateway === null ? gateway : at(gateway),
          allocationPools: given.map((pool) => ({ start: at(pool.first), end: at(pool.last) })),
        },
      };
    });
});

function offsetsIn(ranges: { first: bigint; last: bigint }[]): Set<bigint> {
  const offsets = new Set<bigint>();
  for (const range of ranges) for (let o = range.first; o <= range.last; o++) offsets.add(o);
  return offsets;
}

function fieldOf(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    return error.field;
  }
}

describe('canonicalSubnet', () => {
  it('canonicalises: network address, lowercase compressed IPv6, default gateway, pools sorted', () => {
    expect(canonicalSubnet({ cidr: '198.18.4.0/24' }, 'subnets[0]')).toEqual({ cidr: '198.18.4.0/24', gateway: '198.18.4.1', allocationPools: [] });
    expect(
      canonicalSubnet(
        {
          cidr: '2001:0DB8:0000:0001:0000:0000:0000:0000/64',
          gateway: null,
          allocationPools: [
            { start: '2001:DB8:0:1::100', end: '2001:db8:0:1:0:0:0:1ff' },
            { start: '2001:db8:0:1::10', end: '2001:db8:0:1::20' },
          ],
        },
        'subnets[1]',
      ),
    ).toEqual({
      cidr: '2001:db8:0:1::/64',
      gateway: null,
      allocationPools: [
        { start: '2001:db8:0:1::10', end: '2001:db8:0:1::20' },
        { start: '2001:db8:0:1::100', end: '2001:db8:0:1::1ff' },
      ],
    });
  });

  it('accepts every valid subnet, keeps what was given, and is idempotent', () => {
    fc.assert(
      fc.property(subnets, (g) => {
        const record = canonicalSubnet(g.input, 'subnet');
        expect(record.cidr).toBe(`${formatAddress({ family: g.family, value: g.network })}/${g.length}`);
        const gateway = g.gateway === undefined ? 1n : g.gateway;
        expect(record.gateway).toBe(gateway === null ? null : formatAddress({ family: g.family, value: g.network + gateway }));
        expect(record.allocationPools).toEqual(
          g.pools.map((pool) => ({ start: formatAddress({ family: g.family, value: g.network + pool.first }), end: formatAddress({ family: g.family, value: g.network + pool.last }) })),
        );
        expect(canonicalSubnet(record, 'subnet')).toEqual(record);
      }),
    );
  });

  const v4 = '198.18.0.0/24';
  const v6 = '2001:db8::/64';
  it.each<[string, SubnetInput, string, RegExp]>([
    ['a CIDR that is not a string', { cidr: 42 as unknown as string }, 'subnets[0].cidr', /is not a CIDR/],
    ['an address without prefix length', { cidr: '198.18.0.0' }, 'subnets[0].cidr', /is not a CIDR/],
    ['a prefix length beyond 32', { cidr: '198.18.0.0/33' }, 'subnets[0].cidr', /beyond \/32/],
    ['host bits set', { cidr: '198.18.0.5/24' }, 'subnets[0].cidr', /host bits set: did you mean 198\.18\.0\.0\/24\?/],
    ['IPv6 host bits set', { cidr: '2001:db8::5/64' }, 'subnets[0].cidr', /did you mean 2001:db8::\/64\?/],
    ['an IPv4 prefix shorter than /8', { cidr: '198.0.0.0/7' }, 'subnets[0].cidr', /shorter than \/8: a subnet is one broadcast domain/],
    ['IPv4 /31', { cidr: '198.18.0.0/31' }, 'subnets[0].cidr', /no address to hand out/],
    ['IPv4 /32', { cidr: '198.18.0.0/32' }, 'subnets[0].cidr', /no address to hand out/],
    ['an IPv6 prefix shorter than /64', { cidr: '2001:db8::/63' }, 'subnets[0].cidr', /shorter than \/64: an IPv6 subnet is one link/],
    ['IPv6 /127', { cidr: '2001:db8::/127' }, 'subnets[0].cidr', /no address to hand out/],
    ['IPv6 /128', { cidr: '2001:db8::/128' }, 'subnets[0].cidr', /no address to hand out/],
    ['the unspecified IPv4 block', { cidr: '0.0.0.0/8' }, 'subnets[0].cidr', /unspecified/],
    ['loopback', { cidr: '127.0.0.0/24' }, 'subnets[0].cidr', /loopback range 127\.0\.0\.0\/8/],
    ['a subnet containing link-local', { cidr: '169.0.0.0/8' }, 'subnets[0].cidr', /link-local range 169\.254\.0\.0\/16/],
    ['multicast', { cidr: '239.1.0.0/16' }, 'subnets[0].cidr', /multicast/],
    ['the reserved class E block', { cidr: '240.0.0.0/8' }, 'subnets[0].cidr', /reserved/],
    ['the IPv6 unspecified and loopback /64', { cidr: '::/64' }, 'subnets[0].cidr', /unspecified/],
    ['IPv6 link-local', { cidr: 'fe80::/64' }, 'subnets[0].cidr', /link-local range fe80::\/10/],
    ['IPv6 multicast', { cidr: 'ff02::/64' }, 'subnets[0].cidr', /multicast range ff00::\/8/],
    ['IPv4-mapped IPv6', { cidr: '::ffff:198.18.0.0/120' }, 'subnets[0].cidr', /IPv4-mapped range ::ffff:0:0\/96/],
    ['a gateway that is not an address', { cidr: v4, gateway: 'router' }, 'subnets[0].gateway', /is not an IP address/],
    ['a gateway with a prefix length', { cidr: v4, gateway: '198.18.0.1/24' }, 'subnets[0].gateway', /without a prefix length/],
    ['a gateway of the other family', { cidr: v4, gateway: '2001:db8::1' }, 'subnets[0].gateway', /IPv6 address; subnet 198\.18\.0\.0\/24 is IPv4/],
    ['a gateway outside the subnet', { cidr: v4, gateway: '198.18.1.1' }, 'subnets[0].gateway', /outside subnet/],
    ['the network address as gateway', { cidr: v4, gateway: '198.18.0.0' }, 'subnets[0].gateway', /the network address/],
    ['the broadcast address as gateway', { cidr: v4, gateway: '198.18.0.255' }, 'subnets[0].gateway', /the broadcast address/],
    ['the subnet-router anycast address as gateway', { cidr: v6, gateway: '2001:db8::' }, 'subnets[0].gateway', /subnet-router anycast/],
    ['pools that are not a list', { cidr: v4, allocationPools: {} as never }, 'subnets[0].allocationPools', /must be a list/],
    ['a pool that is not an object', { cidr: v4, allocationPools: [null as never] }, 'subnets[0].allocationPools[0]', /must be an object/],
    [
      'a pool start that is not an address',
      { cidr: v4, allocationPools: [{ start: '198.18.0.300', end: '198.18.0.20' }] },
      'subnets[0].allocationPools[0].start',
      /is not an IP address/,
    ],
    [
      'a pool end outside the subnet',
      { cidr: v4, allocationPools: [{ start: '198.18.0.10', end: '198.18.0.20' }, { start: '198.18.0.30', end: '198.18.1.20' }] },
      'subnets[0].allocationPools[1].end',
      /outside subnet/,
    ],
    ['a pool holding the broadcast address', { cidr: v4, allocationPools: [{ start: '198.18.0.200', end: '198.18.0.255' }] }, 'subnets[0].allocationPools[0].end', /broadcast/],
    ['a pool ending before it starts', { cidr: v4, allocationPools: [{ start: '198.18.0.20', end: '198.18.0.10' }] }, 'subnets[0].allocationPools[0].end', /before the pool's start/],
    [
      'overlapping pools (the later one is named)',
      { cidr: v4, allocationPools: [{ start: '198.18.0.50', end: '198.18.0.60' }, { start: '198.18.0.10', end: '198.18.0.20' }, { start: '198.18.0.20', end: '198.18.0.30' }] },
      'subnets[0].allocationPools[2]',
      /overlaps allocationPools\[1\] \(198\.18\.0\.10-198\.18\.0\.20\)/,
    ],
    ['a pool holding the default gateway', { cidr: v4, allocationPools: [{ start: '198.18.0.1', end: '198.18.0.20' }] }, 'subnets[0].allocationPools[0]', /contains the gateway 198\.18\.0\.1/],
    [
      'a pool holding the given gateway',
      { cidr: v6, gateway: '2001:db8::abc', allocationPools: [{ start: '2001:db8::a00', end: '2001:db8::aff' }] },
      'subnets[0].allocationPools[0]',
      /contains the gateway 2001:db8::abc/,
    ],
  ])('refuses %s, naming the field', (_, input, field, message) => {
    expect(fieldOf(() => canonicalSubnet(input, 'subnets[0]'))).toBe(field);
    expect(() => canonicalSubnet(input, 'subnets[0]')).toThrow(message);
  });
});

describe('allocatable ranges and capacity', () => {
  it('never include the network, broadcast or anycast address nor the gateway, stay inside the pools, and add up to the capacity', () => {
    fc.assert(
      fc.property(subnets, (g) => {
        const record = canonicalSubnet(g.input, 'subnet');
        const ranges = allocatableRanges(record);
        const gateway = g.gateway === undefined ? 1n : g.gateway;
        let total = 0n;
        ranges.forEach((range, i) => {
          expect(range.first).toBeGreaterThanOrEqual(1n);
          expect(range.last).toBeLessThanOrEqual(lastUsableOf(g));
          expect(range.first).toBeLessThanOrEqual(range.last);
          if (i > 0) expect(range.first).toBeGreaterThan(ranges[i - 1].last);
          if (gateway !== null) expect(gateway >= range.first && gateway <= range.last).toBe(false);
          if (g.pools.length > 0) expect(g.pools.some((pool) => pool.first <= range.first && range.last <= pool.last)).toBe(true);
          if (g.family === 6) expect(range.last - range.first + 1n).toBeLessThanOrEqual(IPV6_RANGE_CAP);
          total += range.last - range.first + 1n;
        });
        expect(capacity(record)).toBe(Number(total));
        expect(capacity(record)).toBeGreaterThan(0);
      }),
    );
  });

  it('are exactly the usable addresses of small subnets (brute force)', () => {
    const small = subnets.filter((g) => (g.family === 4 ? g.length >= 24 : g.length >= 118));
    fc.assert(
      fc.property(small, (g) => {
        const gateway = g.gateway === undefined ? 1n : g.gateway;
        const expected = new Set<bigint>();
        for (let o = 1n; o <= lastUsableOf(g); o++) {
          const inPool = g.pools.length === 0 || g.pools.some((pool) => pool.first <= o && o <= pool.last);
          if (o !== gateway && inPool) expected.add(o);
        }
        expect(offsetsIn(allocatableRanges(canonicalSubnet(g.input, 'subnet')))).toEqual(expected);
      }),
    );
  });

  it('counts what a person would', () => {
    const record = (input: SubnetInput): SubnetRecord => canonicalSubnet(input, 'subnet');
    expect(capacity(record({ cidr: '198.18.0.0/24' }))).toBe(253);
    expect(capacity(record({ cidr: '198.18.0.0/24', gateway: null }))).toBe(254);
    expect(capacity(record({ cidr: '198.18.0.0/30' }))).toBe(1);
    expect(capacity(record({ cidr: '198.18.0.0/29', allocationPools: [{ start: '198.18.0.2', end: '198.18.0.3' }, { start: '198.18.0.5', end: '198.18.0.6' }] }))).toBe(4);
    expect(capacity(record({ cidr: '2001:db8::/120' }))).toBe(254);
    expect(capacity(record({ cidr: '2001:db8::/64' }))).toBe(2 ** 32);
    expect(allocatableRanges(record({ cidr: '2001:db8::/64' }))).toEqual([{ first: 2n, last: 2n ** 32n + 1n }]);
  });
});

describe('subnet queries', () => {
  it('overlap is symmetric and means one contains the other', () => {
    fc.assert(
      fc.property(prefixes, prefixes, (a, b) => {
        const cidr = (p: typeof a) => `${formatAddress({ family: p.family, value: p.network })}/${p.length}`;
        const network = (p: typeof a) => formatAddress({ family: p.family, value: p.network });
        const expected = containsAddress(cidr(a), network(b)) || containsAddress(cidr(b), network(a));
        expect(subnetsOverlap(cidr(a), cidr(b))).toBe(expected);
        expect(subnetsOverlap(cidr(b), cidr(a))).toBe(expected);
      }),
    );
    expect(subnetsOverlap('198.18.0.0/24', '198.18.0.128/25')).toBe(true);
    expect(subnetsOverlap('198.18.0.0/25', '198.18.0.128/25')).toBe(false);
    expect(subnetsOverlap('198.18.0.0/24', '2001:db8::/64')).toBe(false);
  });

  it('contains, prefix length, with prefix', () => {
    expect(containsAddress('198.18.0.0/24', '198.18.0.255')).toBe(true);
    expect(containsAddress('198.18.0.0/24', '198.18.1.0')).toBe(false);
    expect(containsAddress('2001:db8::/64', '2001:db8::ffff:ffff:ffff:ffff')).toBe(true);
    expect(containsAddress('2001:db8::/64', '198.18.0.1')).toBe(false);
    expect(containsAddress('198.18.0.0/24', 'nonsense')).toBe(false);
    expect(containsAddress('198.18.0.0/24', '198.18.0.5/24')).toBe(true);
    expect(containsAddress('198.18.0.0/24', '198.18.1.5/24')).toBe(false);
    expect(containsAddress('198.18.0.0/24', '198.18.0.5/24/1')).toBe(false);
    expect(prefixLength({ cidr: '2001:db8::/96', gateway: null, allocationPools: [] })).toBe(96);
    expect(withPrefix('198.18.0.0/24', '198.18.0.5')).toBe('198.18.0.5/24');
    expect(withPrefix('2001:db8::/64', '2001:DB8:0::0005')).toBe('2001:db8::5/64');
  });
});

describe('requestedOffset', () => {
  const subnet = canonicalSubnet({ cidr: '198.18.0.0/24', allocationPools: [{ start: '198.18.0.10', end: '198.18.0.100' }] }, 'subnet');

  it('accepts an address in the pools, with or without the prefix length', () => {
    expect(requestedOffset(subnet, '198.18.0.50', 'addresses[0]')).toBe(50n);
    expect(requestedOffset(subnet, '198.18.0.50/24', 'addresses[0]')).toBe(50n);
    const v6 = canonicalSubnet({ cidr: '2001:db8::/64' }, 'subnet');
    expect(requestedOffset(v6, '2001:db8::1:0:5', 'addresses[1]')).toBe(2n ** 32n + 5n);
  });

  it.each<[string, RegExp]>([
    ['198.18.0', /is not an IP address/],
    ['198.18.0.50/24/1', /is not an IP address/],
    ['2001:db8::5', /IPv6 address; subnet 198\.18\.0\.0\/24 is IPv4/],
    ['198.18.1.50', /outside subnet 198\.18\.0\.0\/24/],
    ['198.18.0.50/25', /prefix length \/25; subnet 198\.18\.0\.0\/24 is \/24/],
    ['198.18.0.0', /the network address/],
    ['198.18.0.255', /the broadcast address/],
    ['198.18.0.1', /the gateway/],
    ['198.18.0.101', /outside the allocation pools .*198\.18\.0\.10-198\.18\.0\.100/],
  ])('refuses %s naming the field', (requested, message) => {
    expect(fieldOf(() => requestedOffset(subnet, requested, 'addresses[3]'))).toBe('addresses[3]');
    expect(() => requestedOffset(subnet, requested, 'addresses[3]')).toThrow(message);
  });
});
