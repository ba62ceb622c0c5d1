import { ValidationError } from '@ovs-fleet/iproute';
import { autoPrefixLength, candidateRanges, DEFAULT_RANGES, planAddresses } from './ranges';

describe('lab address plan', () => {
  it('numbers the gateway .1 and hosts from .11 in the default ranges', () => {
    const plan = planAddresses(DEFAULT_RANGES, 3);
    expect(plan.gateway).toBe('198.51.100.1');
    expect(plan.hosts).toEqual([
      { mgmtIp: '198.51.100.11', underlayIp: '203.0.113.11' },
      { mgmtIp: '198.51.100.12', underlayIp: '203.0.113.12' },
      { mgmtIp: '198.51.100.13', underlayIp: '203.0.113.13' },
    ]);
    expect(plan.mgmt.prefixLength).toBe(24);
  });

  it('numbers inside a sub-range', () => {
    const plan = planAddresses({ mgmt: '198.51.100.64/26', underlay: '203.0.113.128/26' }, 2);
    expect(plan.gateway).toBe('198.51.100.65');
    expect(plan.hosts[1]).toEqual({ mgmtIp: '198.51.100.76', underlayIp: '203.0.113.140' });
  });

  it.each([
    [{ mgmt: '192.0.2.0/24', underlay: '203.0.113.0/24' }, /192\.0\.2\.0\/24/],
    [{ mgmt: '198.51.100.0/24', underlay: '192.0.2.0/25' }, /machine's own network/],
    [{ mgmt: '198.51.0.0/16', underlay: '203.0.113.0/24' }, /within 198\.51\.100\.0\/24/],
    [{ mgmt: '203.0.113.0/25', underlay: '198.51.100.0/25' }, /within/],
    [{ mgmt: '10.0.0.0/24', underlay: '203.0.113.0/24' }, /within/],
    [{ mgmt: '198.51.100.5/26', underlay: '203.0.113.0/24' }, /did you mean 198\.51\.100\.0\/26/],
    [{ mgmt: 'fd00::/64', underlay: '203.0.113.0/24' }, /IPv4/],
    [{ mgmt: '198.51.100.0', underlay: '203.0.113.0/24' }, /prefix length/],
  ])('refuses %j', (ranges, message) => {
    expect(() => planAddresses(ranges, 1)).toThrow(ValidationError);
    expect(() => planAddresses(ranges, 1)).toThrow(message);
  });

  it('refuses more hosts than the range can number', () => {
    expect(planAddresses({ mgmt: '198.51.100.0/28', underlay: '203.0.113.0/28' }, 4).hosts).toHaveLength(4);
    expect(() => planAddresses({ mgmt: '198.51.100.0/28', underlay: '203.0.113.0/24' }, 5)).toThrow(/at most 4 hosts/);
  });
});

describe('auto sub-ranges', () => {
  it('offers the /26 pairs in order, all valid', () => {
    const candidates = candidateRanges();
    expect(candidates).toEqual([
      { mgmt: '198.51.100.0/26', underlay: '203.0.113.0/26' },
      { mgmt: '198.51.100.64/26', underlay: '203.0.113.64/26' },
      { mgmt: '198.51.100.128/26', underlay: '203.0.113.128/26' },
      { mgmt: '198.51.100.192/26', underlay: '203.0.113.192/26' },
    ]);
    for (const ranges of candidates) expect(planAddresses(ranges, 52).hosts).toHaveLength(52);
    expect(candidateRanges(28)).toHaveLength(16);
    expect(candidateRanges(28)[15]).toEqual({ mgmt: '198.51.100.240/28', underlay: '203.0.113.240/28' });
    expect(() => candidateRanges(23)).toThrow(ValidationError);
  });
});

describe('auto sub-range size', () => {
  it.each([[1, 28], [4, 28], [5, 27], [20, 27], [21, 26], [52, 26], [53, 25], [99, 25]])('%i hosts get a /%i', (hosts, prefixLength) => {
    expect(autoPrefixLength(hosts)).toBe(prefixLength);
    const [first] = candidateRanges(prefixLength);
    expect(planAddresses(first, hosts).hosts).toHaveLength(hosts);
  });
});
