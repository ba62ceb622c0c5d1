import { formatRemote, isPassive, parseRemote, RemoteSyntaxError } from './remote';

describe('parseRemote', () => {
  it.each([
    ['unix:/var/run/openvswitch/db.sock', { kind: 'unix', path: '/var/run/openvswitch/db.sock' }],
    ['punix:/tmp/x.sock', { kind: 'punix', path: '/tmp/x.sock' }],
    ['tcp:127.0.0.1:6641', { kind: 'tcp', host: '127.0.0.1', port: 6641 }],
    ['tcp:127.0.0.1', { kind: 'tcp', host: '127.0.0.1', port: 6640 }],
    ['tcp:ovsdb.example.org:1', { kind: 'tcp', host: 'ovsdb.example.org', port: 1 }],
    ['tcp:[::1]:6640', { kind: 'tcp', host: '::1', port: 6640 }],
    ['tcp:[fd00::5]', { kind: 'tcp', host: 'fd00::5', port: 6640 }],
    ['ssl:198.51.100.7:6640', { kind: 'ssl', host: '198.51.100.7', port: 6640 }],
    ['ptcp:6640', { kind: 'ptcp', port: 6640 }],
    ['ptcp:0:127.0.0.1', { kind: 'ptcp', port: 0, host: '127.0.0.1' }],
    ['ptcp:', { kind: 'ptcp', port: 6640 }],
    ['ptcp::127.0.0.1', { kind: 'ptcp', port: 6640, host: '127.0.0.1' }],
    ['pssl:6641:[::1]', { kind: 'pssl', port: 6641, host: '::1' }],
  ])('parses %s', (text, expected) => {
    expect(parseRemote(text)).toEqual(expected);
  });

  it.each([
    ['no method', '127.0.0.1:6640'],
    ['unknown method', 'udp:127.0.0.1:6640'],
    ['empty path', 'unix:'],
    ['empty host', 'tcp::6640'],
    ['port zero for an active remote', 'tcp:127.0.0.1:0'],
    ['port too large', 'tcp:127.0.0.1:65536'],
    ['non-numeric port', 'tcp:127.0.0.1:http'],
    ['unbracketed IPv6', 'tcp:::1:6640'],
    ['unclosed bracket', 'tcp:[::1:6640'],
    ['bracketed IPv4', 'tcp:[127.0.0.1]:6640'],
    ['shell metacharacters in host', 'tcp:a;reboot:6640'],
    ['junk after bracket', 'tcp:[::1]x'],
    ['bad passive host', 'ptcp:6640:not a host'],
  ])('refuses %s', (_, text) => {
    expect(() => parseRemote(text)).toThrow(RemoteSyntaxError);
  });

  it('round-trips through formatRemote', () => {
    for (const text of ['unix:/a/b', 'punix:/c', 'tcp:127.0.0.1:6640', 'ssl:[::1]:1', 'ptcp:0:127.0.0.1', 'pssl:6640', 'ptcp:5:[fd00::1]']) {
      expect(formatRemote(parseRemote(text))).toBe(text);
    }
  });

  it('tells passive from active', () => {
    expect(isPassive(parseRemote('ptcp:1'))).toBe(true);
    expect(isPassive(parseRemote('punix:/x'))).toBe(true);
    expect(isPassive(parseRemote('tcp:127.0.0.1:1'))).toBe(false);
    expect(isPassive(parseRemote('unix:/x'))).toBe(false);
  });
});
