import { assertInterfaceName, assertMac } from '@ovs-fleet/iproute';
import { deterministicMac, HOST_IF_PREFIX, hostIfname, isOurHostIfname } from './naming';

describe('host interface naming', () => {
  it('is deterministic, 15 bytes, prefixed and a valid interface name', () => {
    const a = hostIfname('3f2a9c0d1e', 'eth0');
    expect(a).toBe(hostIfname('3f2a9c0d1e', 'eth0'));
    expect(Buffer.byteLength(a)).toBe(15);
    expect(a.startsWith(HOST_IF_PREFIX)).toBe(true);
    expect(assertInterfaceName(a)).toBe(a);
    expect(isOurHostIfname(a)).toBe(true);
  });

  it('differs per container and per interface, also where a naive concatenation would collide', () => {
    const names = new Set([hostIfname('c1', 'eth0'), hostIfname('c1', 'eth1'), hostIfname('c2', 'eth0'), hostIfname('c1e', 'th0')]);
    expect(names.size).toBe(4);
  });

  it('has no collisions across 20,000 attachments', () => {
    const names = new Set<string>();
    for (let c = 0; c < 5000; c++) for (let i = 0; i < 4; i++) names.add(hostIfname(`container-${c}`, `eth${i}`));
    expect(names.size).toBe(20000);
  });

  it('recognises only its own names', () => {
    expect(isOurHostIfname('eth0')).toBe(false);
    expect(isOurHostIfname('ovfcXYZ')).toBe(false);
    expect(isOurHostIfname('ovfc0123456789z')).toBe(false);
    expect(isOurHostIfname('ovfc0123456789a')).toBe(true);
  });
});

describe('deterministic MAC', () => {
  it('is a stable, locally administered unicast address', () => {
    const mac = deterministicMac('abc', 'eth0');
    expect(mac).toBe(deterministicMac('abc', 'eth0'));
    expect(assertMac(mac)).toBe(mac);
    expect(parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
    expect(deterministicMac('abc', 'eth1')).not.toBe(mac);
  });
});
