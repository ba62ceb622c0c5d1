import { IpAddr } from '@ovs-fleet/iproute';
import { chooseRanges, findConflicts, MachineNetworks } from './conflicts';
import { RangeConflictError } from './errors';
import { candidateRanges } from './ranges';

const link = (ifname: string, ...addrs: [string, number][]): IpAddr =>
  ({ ifindex: 1, ifname, flags: [], mtu: 1500, operstate: 'UP', addr_info: addrs.map(([local, prefixlen]) => ({ family: local.includes(':') ? 'inet6' : 'inet', local, prefixlen })) }) as IpAddr;

/** This machine kind as seen: eth0 in 192.0.2.0/24 and fd00::/64, default routes for both families. */
const machine = (extra: Partial<MachineNetworks> = {}): MachineNetworks => ({
  addresses: [link('lo', ['127.0.0.1', 8], ['::1', 128]), link('eth0', ['192.0.2.2', 24], ['fd00::2', 64]), ...(extra.addresses ?? [])],
  routes: [
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '127.0.0.0/8', dev: 'lo', table: 'local', type: 'local' },
    { dst: 'default', gateway: 'fd00::1', dev: 'eth0' },
    { dst: 'ff00::/8', dev: 'eth0', table: 'local', type: 'multicast' },
    ...(extra.routes ?? []),
  ],
  labs: extra.labs ?? [],
});

const ranges = { mgmt: '198.51.100.0/26', underlay: '203.0.113.0/26' };

describe('range conflicts', () => {
  it('finds none on a machine that only has its own network and default routes', () => {
    expect(findConflicts(ranges, machine())).toEqual([]);
  });

  it('names an address that overlaps', () => {
    const found = findConflicts(ranges, machine({ addresses: [link('br9', ['198.51.100.40', 24])] }));
    expect(found).toEqual(['mgmt range 198.51.100.0/26 overlaps address 198.51.100.40/24 on br9']);
  });

  it('names a route that overlaps, with its table and type, including host routes', () => {
    const found = findConflicts(ranges, machine({ routes: [{ dst: '203.0.113.0/28', dev: 'tun0' }, { dst: '198.51.100.7', dev: 'x', table: 'local', type: 'local' }] }));
    expect(found).toEqual(['mgmt range 198.51.100.0/26 overlaps route local 198.51.100.7 dev x table local', 'underlay range 203.0.113.0/26 overlaps route 203.0.113.0/28 dev tun0']);
  });

  it('ignores neighbouring sub-ranges and the other family', () => {
    const found = findConflicts(ranges, machine({ addresses: [link('ovfb-m', ['198.51.100.65', 26])], routes: [{ dst: '198.51.100.64/26', dev: 'ovfb-m' }, { dst: '2001:db8::/32', dev: 'x' }] }));
    expect(found).toEqual([]);
  });

  it('names another lab whose underlay (invisible from the root namespace) overlaps', () => {
    const found = findConflicts(ranges, machine({ labs: [{ name: 'other', ranges: { mgmt: '198.51.100.128/26', underlay: '203.0.113.32/27' } }] }));
    expect(found).toEqual(['underlay range 203.0.113.0/26 overlaps lab "other" (mgmt 198.51.100.128/26, underlay 203.0.113.32/27)']);
  });

  it('makes a refusal that lists every conflict', () => {
    const error = new RangeConflictError(['a', 'b']);
    expect(error.message).toMatch(/refusing to build the lab.*\n {2}a\n {2}b\n/);
  });

  it('chooses the first free candidate pair, and refuses when none is free', () => {
    const busy = machine({ addresses: [link('ovfx-m', ['198.51.100.1', 26])], labs: [{ name: 'y', ranges: { mgmt: '198.51.100.128/26', underlay: '203.0.113.64/26' } }] });
    expect(chooseRanges(candidateRanges(), 3, busy)).toEqual({ mgmt: '198.51.100.192/26', underlay: '203.0.113.192/26' });
    expect(() => chooseRanges(candidateRanges(), 3, machine({ routes: [{ dst: '203.0.113.0/24', dev: 'z' }] }))).toThrow(/no free pair of sub-ranges among 4 candidates/);
    expect(() => chooseRanges([ranges], 3, busy)).toThrow(RangeConflictError);
  });
});
