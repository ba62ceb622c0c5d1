import { isHostId, isNetworkName, tunnelPortName } from './names';

describe('names', () => {
  it.each(['h1', 'a', 'host-3', 'x'.repeat(63)])('accepts host id %s', (id) => expect(isHostId(id)).toBe(true));
  it.each(['', 'H1', '-h', 'h-', 'h_1', 'x'.repeat(64), 'h 1', 'h;1'])('refuses host id %j', (id) => expect(isHostId(id)).toBe(false));
  it.each(['blue', 'net_1', '0a'])('accepts network name %s', (n) => expect(isNetworkName(n)).toBe(true));
  it.each(['', 'Blue', '_x', 'a/b', 'x'.repeat(64)])('refuses network name %j', (n) => expect(isNetworkName(n)).toBe(false));

  it('tunnel port names fit an interface name, are stable and distinct per (network, remote)', () => {
    const a = tunnelPortName('blue', 'h2');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(15);
    expect(tunnelPortName('blue', 'h2')).toBe(a);
    expect(tunnelPortName('red', 'h2')).not.toBe(a);
    expect(tunnelPortName('blue', 'h3')).not.toBe(a);
    // the separator keeps ('ab','c') and ('a','bc') apart
    expect(tunnelPortName('ab', 'c')).not.toBe(tunnelPortName('a', 'bc'));
  });
});
