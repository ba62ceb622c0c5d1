import { OvsdbProtocolError } from '../errors';
import { DeferredJson, splitNotification } from './deferred-json';

const LEADING = new Map([
  ['update2', 1],
  ['update3', 2],
]);

// As ovsdb-server writes it.
const UPDATE3 =
  '{"id":null,"method":"update3","params":["ovs-fleet-idl","00000000-0000-0000-0000-000000000000",{"Bridge":{"5d5d2f7a-5eea-45ff-b4e2-298e1fde2844":{"modify":{"ports":["uuid","ff5f04ce-55fb-49a5-9528-5e2d38186cce"]}}},"Port":{"ff5f04ce-55fb-49a5-9528-5e2d38186cce":{"insert":{"name":"p\\"1"}}}}]}';

describe('splitNotification', () => {
  it('reads the leading strings of ovsdb-server layout and leaves the last param to parse, equal to a whole parse', () => {
    const split = splitNotification(UPDATE3, LEADING)!;
    const whole = JSON.parse(UPDATE3) as { method: string; params: unknown[] };
    expect(split.method).toBe('update3');
    expect(split.params.leading).toEqual(whole.params.slice(0, 2));
    expect(split.params.last.pendingLength).toBeGreaterThan(0);
    expect(split.params.last.value).toEqual(whole.params[2]);
    expect(split.params.last.pendingLength).toBe(0);
  });

  it('takes update2 with its one leading string', () => {
    const split = splitNotification('{"id":null,"method":"update2","params":["m",{"T":{}}]}', LEADING)!;
    expect(split.params.leading).toEqual(['m']);
    expect(split.params.last.value).toEqual({ T: {} });
  });

  it.each([
    ['another method', '{"id":null,"method":"locked","params":["m",{}]}'],
    ['a reply', '{"id":7,"result":[],"error":null}'],
    ['whitespace', '{"id": null,"method":"update2","params":["m",{}]}'],
    ['another member order', '{"method":"update2","params":["m",{}],"id":null}'],
    ['an escape in a leading string', '{"id":null,"method":"update2","params":["m\\u0041",{}]}'],
    ['a leading param that is no string', '{"id":null,"method":"update2","params":[["tag","db"],{}]}'],
    ['too few params', '{"id":null,"method":"update3","params":["m",{}]}'],
    ['no last param', '{"id":null,"method":"update2","params":["m",]}'],
    ['something after the params', '{"id":null,"method":"update2","params":["m",{}],"x":1}'],
  ])('leaves %s to be parsed whole', (_, text) => {
    expect(splitNotification(text, LEADING)).toBeUndefined();
  });

  it('a last param that is not valid JSON throws OvsdbProtocolError when read, not before', () => {
    const split = splitNotification('{"id":null,"method":"update2","params":["m",{"T":{},}]}', LEADING)!;
    expect(() => split.params.last.value).toThrow(OvsdbProtocolError);
    expect(() => split.params.last.value).toThrow(/^invalid JSON/);
  });
});

describe('DeferredJson', () => {
  it('parses once', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const deferred = DeferredJson.text<{ a: number[] }>('{"a":[1]}');
      const first = deferred.value;
      expect(deferred.value).toBe(first);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('holds a value already parsed', () => {
    const value = { a: 1 };
    const deferred = DeferredJson.of(value);
    expect(deferred.pendingLength).toBe(0);
    expect(deferred.value).toBe(value);
  });
});
