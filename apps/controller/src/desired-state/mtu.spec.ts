import { NETWORK_TYPES } from '@ovs-fleet/contracts';
import fc from 'fast-check';
import { effectiveMtu, encapsulationOverhead, underlayMtuLimit, validateGivenMtu } from './mtu';
import { hostRecord, networkRecord } from './testing/records';

describe('encapsulationOverhead', () => {
  it.each([
    ['vxlan', 4, 50],
    ['geneve', 4, 50],
    ['gre', 4, 42],
    ['vlan', 4, 0],
    ['vxlan', 6, 70],
    ['geneve', 6, 70],
    ['gre', 6, 62],
    ['vlan', 6, 0],
  ] as const)('%s over IPv%d costs %d bytes', (type, family, bytes) => {
    expect(encapsulationOverhead(type, family)).toBe(bytes);
  });
});

describe('effectiveMtu', () => {
  const v4 = (id: string, underlayMtu: number) => hostRecord(id, { tunnelIp: '203.0.113.1', underlayMtu });
  const v6 = (id: string, underlayMtu: number) => hostRecord(id, { tunnelIp: '2001:db8:ffff::1', underlayMtu });

  it('returns a given MTU as is, whatever the underlay', () => {
    expect(effectiveMtu(networkRecord('blue', { mtu: 1400, mtuDerived: false }), [v4('h1', 1280)])).toBe(1400);
  });

  it('derives the smallest MTU the spanned hosts carry, each with its own family overhead', () => {
    const blue = networkRecord('blue', { type: 'vxlan' });
    expect(effectiveMtu(blue, [v4('h1', 9000), v4('h2', 1500)])).toBe(1450);
    expect(effectiveMtu(blue, [v4('h1', 1500), v6('h2', 1500)])).toBe(1430);
    expect(effectiveMtu(networkRecord('g', { type: 'gre' }), [v4('h1', 9000), v4('h2', 9000)])).toBe(8958);
    expect(effectiveMtu(networkRecord('p', { type: 'vlan' }), [v4('h1', 1500), v6('h2', 9000)])).toBe(1500);
  });

  it('assumes a 1500-byte IPv4 underlay while no host is spanned', () => {
    expect(effectiveMtu(networkRecord('blue', { type: 'geneve' }), [])).toBe(1450);
    expect(effectiveMtu(networkRecord('g', { type: 'gre' }), [])).toBe(1458);
    expect(effectiveMtu(networkRecord('p', { type: 'vlan' }), [])).toBe(1500);
  });

  it('never exceeds what any spanned host carries, and equals one of them', () => {
    const hosts = fc.array(fc.record({ mtu: fc.integer({ min: 1280, max: 9216 }), six: fc.boolean() }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.constantFrom(...NETWORK_TYPES), hosts, (type, specs) => {
        const records = specs.map((s, i) => (s.six ? v6(`h${i}`, s.mtu) : v4(`h${i}`, s.mtu)));
        const mtu = effectiveMtu(networkRecord('n', { type }), records);
        const ceilings = specs.map((s) => s.mtu - encapsulationOverhead(type, s.six ? 6 : 4));
        expect(ceilings.every((c) => mtu <= c)).toBe(true);
        expect(ceilings).toContain(mtu);
      }),
    );
  });
});

describe('underlayMtuLimit', () => {
  it('names the host that limits the MTU (the first id on a tie)', () => {
    const hosts = [hostRecord('h3', { underlayMtu: 1400 }), hostRecord('h2', { underlayMtu: 1400 }), hostRecord('h1', { underlayMtu: 9000 })];
    expect(underlayMtuLimit('vxlan', hosts)).toEqual({ mtu: 1350, host: hosts[1] });
    expect(underlayMtuLimit('vxlan', [])).toBeNull();
  });
});

describe('validateGivenMtu', () => {
  const hosts = [hostRecord('h1', { underlayMtu: 9000 }), hostRecord('h2', { tunnelIp: '2001:db8:ffff::2', underlayMtu: 1500 })];

  it('accepts an MTU up to what the most limited host carries', () => {
    expect(validateGivenMtu('vxlan', 1430, hosts)).toBeNull();
    expect(validateGivenMtu('vxlan', 1280, hosts)).toBeNull();
    expect(validateGivenMtu('vlan', 1500, hosts)).toBeNull();
  });

  it('refuses one byte more, naming the host, its underlay MTU and the overhead', () => {
    expect(validateGivenMtu('vxlan', 1431, hosts)).toBe(
      '1431 is more than the underlay carries for vxlan: at most 1430 on host "h2" (underlay MTU 1500 less 70 bytes of vxlan over IPv6)',
    );
    expect(validateGivenMtu('vlan', 1501, hosts)).toMatch(/at most 1500 on host "h2"/);
  });

  it('has nothing to check against while no host is spanned', () => {
    expect(validateGivenMtu('gre', 9000, [])).toBeNull();
  });
});
