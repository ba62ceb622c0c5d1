import { namedUuid } from '../data/uuid';
import type { DatabaseSchema } from '../protocol/wire';
import { parseColumnType, parseSchema } from './parse';
import { validateRow, validateValue } from './validate';
import { OvsdbValidationError } from './validation-error';

const schema: DatabaseSchema = {
  name: 'Test',
  version: '1.0.0',
  tables: {
    Interface: {
      columns: {
        name: { type: 'string', mutable: false },
        type: { type: { key: { type: 'string', enum: ['set', ['', 'internal', 'vxlan', 'geneve']] } } },
        mtu: { type: { key: { type: 'integer', minInteger: 68, maxInteger: 65535 }, min: 0, max: 1 } },
        weight: { type: { key: { type: 'real', minReal: 0, maxReal: 1 } } },
        label: { type: { key: { type: 'string', minLength: 2, maxLength: 4 } } },
        trunks: { type: { key: 'integer', min: 0, max: 3 } },
        options: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        up: { type: 'boolean' },
      },
    },
    Port: {
      columns: {
        interfaces: { type: { key: { type: 'uuid', refTable: 'Interface' }, min: 1, max: 'unlimited' } },
        peer: { type: { key: { type: 'uuid', refTable: 'Port', refType: 'weak' }, min: 0, max: 1 } },
      },
    },
  },
};
const meta = parseSchema(schema);
const iface = meta.tables.get('Interface')!;
const port = meta.tables.get('Port')!;
const col = (name: string) => iface.columnsByName.get(name)!;

function errorOf(fn: () => void): OvsdbValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OvsdbValidationError) return error;
    throw error;
  }
  throw new Error('expected an OvsdbValidationError');
}

describe('validateValue', () => {
  it('names table, column, value and the allowed enum members', () => {
    const error = errorOf(() => validateValue(col('type'), 'vxlan2'));
    expect(error.message).toBe('Interface.type: "vxlan2" is not one of "", "internal", "vxlan", "geneve"');
    expect(error.field).toBe('Interface.type');
    expect(error.value).toBe('vxlan2');
  });

  it('checks integer and real ranges', () => {
    expect(() => validateValue(col('mtu'), 67)).toThrow('Interface.mtu: 67 is less than the minimum 68');
    expect(() => validateValue(col('mtu'), 65536)).toThrow('greater than the maximum 65535');
    expect(() => validateValue(col('mtu'), 1500.5)).toThrow('is not an integer');
    expect(() => validateValue(col('mtu'), 2 ** 60)).toThrow('2^53');
    validateValue(col('mtu'), null);
    validateValue(col('mtu'), 1500);
    expect(() => validateValue(col('weight'), 1.5)).toThrow('Interface.weight: 1.5 is greater than the maximum 1');
    expect(() => validateValue(col('weight'), Number.NaN)).toThrow('finite');
  });

  it('refuses reals ovsdb-server cannot carry: subnormal, or out of range once printed with 15 digits', () => {
    const real = { name: 'x', table: 'T', type: parseColumnType('real'), ephemeral: false, mutable: true };
    expect(() => validateValue(col('weight'), 5e-324)).toThrow('Interface.weight: 5e-324 is too small for ovsdb-server');
    expect(() => validateValue(real, 2.2250738585072014e-308)).toThrow('too small');
    expect(() => validateValue(real, -Number.MAX_VALUE)).toThrow('T.x: -1.7976931348623157e+308 is too large for ovsdb-server');
    for (const ok of [0, -0, 1e-307, -2.22507385850721e-308, 1.79769313486231e308, 1 / 3, -0.1]) validateValue(real, ok);
  });

  it('refuses sets and map keys of reals that differ only beyond the 15 digits ovsdb-server sends', () => {
    const reals = { name: 'x', table: 'T', type: parseColumnType({ key: 'real', min: 0, max: 'unlimited' }), ephemeral: false, mutable: true };
    const byReal = { name: 'y', table: 'T', type: parseColumnType({ key: 'real', value: 'string', min: 0, max: 'unlimited' }), ephemeral: false, mutable: true };
    expect(() => validateValue(reals, [0.1, 0.1000000000000001])).toThrow('T.x: [0.1, 0.1000000000000001] contains 0.1000000000000001 twice (reals are sent with 15 significant digits)');
    expect(() => validateValue(byReal, new Map([[1 / 3, 'a'], [0.333333333333333, 'b']]))).toThrow('has key 0.333333333333333 twice');
    validateValue(reals, [0.1, 0.100000000000001]);
    validateValue(byReal, new Map([[1 / 3, 'a'], [0.33333333333333, 'b']]));
  });

  it('counts string length in characters, not UTF-16 units', () => {
    validateValue(col('label'), '😀😀');
    expect(() => validateValue(col('label'), '😀')).toThrow('shorter than 2');
    expect(() => validateValue(col('label'), 'abcde')).toThrow('longer than 4');
  });

  it('checks set sizes, duplicates and shapes', () => {
    expect(() => validateValue(col('trunks'), [1, 2, 3, 4])).toThrow('Interface.trunks: [1, 2, 3, 4] has 4 elements, at most 3 allowed');
    expect(() => validateValue(col('trunks'), [1, 1])).toThrow('contains 1 twice');
    expect(() => validateValue(col('trunks'), 1)).toThrow('is not a set of integer');
    const interfaces = port.columnsByName.get('interfaces')!;
    expect(() => validateValue(interfaces, [])).toThrow('Port.interfaces: [] has 0 elements, at least 1 required');
  });

  it('checks map keys and values', () => {
    validateValue(col('options'), new Map([['remote_ip', '203.0.113.2']]));
    expect(() => validateValue(col('options'), new Map([['k', 1]]) as never)).toThrow('Interface.options value: 1 is not a string');
    expect(() => validateValue(col('options'), { k: 'v' } as never)).toThrow('is not a map of string to string');
  });

  it('checks uuid syntax and named-uuid targets when the transaction is known', () => {
    const interfaces = port.columnsByName.get('interfaces')!;
    expect(() => validateValue(interfaces, ['not-a-uuid'])).toThrow('Port.interfaces: "not-a-uuid" is not a uuid');
    validateValue(interfaces, [namedUuid('i1')]);
    const namedUuids = new Map([['i1', 'Interface'], ['p1', 'Port']]);
    validateValue(interfaces, [namedUuid('i1')], { namedUuids });
    expect(() => validateValue(interfaces, [namedUuid('p1')], { namedUuids })).toThrow('names a row of Port, but the column refers to Interface');
    expect(() => validateValue(interfaces, [namedUuid('zz')], { namedUuids })).toThrow('Port.interfaces: named-uuid zz names no row inserted earlier');
  });
});

describe('validateRow', () => {
  it('accepts a good row and refuses unknown columns', () => {
    validateRow(iface, { name: 'vx0', type: 'vxlan', options: new Map([['key', '5']]) });
    expect(() => validateRow(iface, { name: 'vx0', colour: 'red' })).toThrow('Interface.colour: "red" is not allowed: Interface has no column "colour"');
    expect(() => validateRow(iface, { _uuid: 'x' })).toThrow('no column "_uuid"');
  });

  it('refuses immutable columns in an update', () => {
    validateRow(iface, { name: 'eth0' });
    expect(() => validateRow(iface, { name: 'eth0' }, { update: true })).toThrow('Interface.name: "eth0" cannot be set');
  });
});
