import { OvsdbValidationError } from '../schema/validation-error';
import { tunnelInterface } from './tunnel';

describe('tunnelInterface', () => {
  it('builds type and options for vxlan, geneve and gre', () => {
    expect(tunnelInterface({ name: 'vx-h2', type: 'vxlan', remoteIp: '203.0.113.2', key: 5001, dstPort: 4790 })).toEqual({
      name: 'vx-h2',
      type: 'vxlan',
      options: new Map([['remote_ip', '203.0.113.2'], ['key', '5001'], ['dst_port', '4790']]),
    });
    expect(tunnelInterface({ name: 'gn', type: 'geneve', remoteIp: 'flow', key: 'flow', localIp: '203.0.113.1', externalIds: { net: 'a' }, mtuRequest: 1450 })).toEqual({
      name: 'gn',
      type: 'geneve',
      options: new Map([['remote_ip', 'flow'], ['local_ip', '203.0.113.1'], ['key', 'flow']]),
      externalIds: { net: 'a' },
      mtuRequest: 1450,
    });
    expect(tunnelInterface({ name: 'gre1', type: 'gre', remoteIp: '2001:db8::2', key: 2 ** 32 - 1, options: { tos: 'inherit' } }).options).toEqual(
      new Map([['tos', 'inherit'], ['remote_ip', '2001:db8::2'], ['key', '4294967295']]),
    );
  });

  it('refuses bad addresses, keys out of range for the type, ports, and unknown types', () => {
    const bad: [Parameters<typeof tunnelInterface>[0], string][] = [
      [{ name: 't', type: 'vxlan', remoteIp: '203.0.113' }, 'Interface.options:remote_ip: "203.0.113" is not an IP address'],
      [{ name: 't', type: 'vxlan', remoteIp: '203.0.113.2', localIp: 'me' }, 'Interface.options:local_ip'],
      [{ name: 't', type: 'vxlan', remoteIp: '203.0.113.2', key: 2 ** 24 }, 'is not a vxlan key (0 to 16777215'],
      [{ name: 't', type: 'gre', remoteIp: '203.0.113.2', key: -1 }, 'is not a gre key'],
      [{ name: 't', type: 'geneve', remoteIp: '203.0.113.2', key: 1.5 }, 'is not a geneve key'],
      [{ name: 't', type: 'gre', remoteIp: '203.0.113.2', dstPort: 4789 }, 'does not apply to gre'],
      [{ name: 't', type: 'vxlan', remoteIp: '203.0.113.2', dstPort: 70000 }, 'is not a UDP port'],
      [{ name: 't', type: 'stt' as 'gre', remoteIp: '203.0.113.2' }, 'is not a tunnel type'],
    ];
    for (const [spec, message] of bad) {
      expect(() => tunnelInterface(spec)).toThrow(OvsdbValidationError);
      expect(() => tunnelInterface(spec)).toThrow(message);
    }
  });
});
