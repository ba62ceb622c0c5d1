import { parseSchema } from '@ovs-fleet/ovsdb';
import { PyTuple, PyUuid, pyCompare, pyJson, pyNumber, pyRepr, simpleRowString } from './python-format';

describe('Python printing as test-ovsdb.py sees it', () => {
  it('numbers: floats as repr(float), integral values as ints (the server sends 2 for 2.0)', () => {
    expect(pyNumber(2)).toBe('2');
    expect(pyNumber(-0.5)).toBe('-0.5');
    expect(pyNumber(123.5)).toBe('123.5');
    expect(pyNumber(1e-5)).toBe('1e-05');
    expect(pyNumber(0.0001)).toBe('0.0001');
    expect(pyNumber(1.5e-7)).toBe('1.5e-07');
  });

  it('repr of strings, uuids, tuples and lists', () => {
    expect(pyRepr('abc')).toBe("'abc'");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('a\\b')).toBe("'a\\\\b'");
    expect(pyRepr([new PyTuple(['key1', 'value1']), new PyTuple([3, 'x'])])).toBe("[('key1', 'value1'), (3, 'x')]");
    expect(pyRepr([new PyUuid('u')])).toBe("[UUID('u')]");
    expect(pyRepr([true, false, null])).toBe('[True, False, None]');
  });

  it('sorted() order: numbers, then strings by code point, tuples element-wise', () => {
    expect([3, 1, 2].sort(pyCompare)).toEqual([1, 2, 3]);
    expect(['b', 'B', 'a'].sort(pyCompare)).toEqual(['B', 'a', 'b']);
    const tuples = [new PyTuple(['b', '1']), new PyTuple(['a', '2'])].sort(pyCompare);
    expect(tuples.map((t) => t.items[0])).toEqual(['a', 'b']);
  });

  it('ovs.json.to_string: sorted keys, compact, ASCII only', () => {
    expect(pyJson({ result: [{ uuid: ['uuid', 'x'] }], error: null })).toBe('{"error":null,"result":[{"uuid":["uuid","x"]}]}');
    expect(pyJson('ツ')).toBe('"\\u30c4"');
  });

  it('get_simple_printable_row_string: sets sorted, maps as (k v) pairs, quotes and commas dropped, booleans lower-case', () => {
    const schema = parseSchema({
      name: 't',
      version: '1.0.0',
      tables: {
        simple: {
          columns: {
            i: { type: 'integer' },
            b: { type: 'boolean' },
            s: { type: 'string' },
            ba: { type: { key: 'boolean', min: 0, max: 1 } },
            sa: { type: { key: 'string', min: 0, max: 'unlimited' } },
            ua: { type: { key: 'uuid', min: 0, max: 'unlimited' } },
            smap: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
          },
          isRoot: true,
        },
      },
    });
    const table = schema.tables.get('simple')!;
    const row = {
      _uuid: 'u0',
      i: 1,
      b: true,
      s: '',
      ba: true,
      sa: ['def', 'abc'],
      ua: ['u2', 'u1'],
      smap: new Map([
        ['key2', 'v2'],
        ['key1', 'v1'],
      ]),
    };
    expect(simpleRowString(table, row, ['i', 'b', 's', 'ba', 'sa', 'ua', 'smap', 'missing', 'uuid'], () => undefined)).toBe(
      'i=1 b=true s= ba=[true] sa=[abc def] ua=[u1 u2] smap=[(key1 v1) (key2 v2)] uuid=u0',
    );
  });
});
