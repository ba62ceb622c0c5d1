import fc from 'fast-check';
import type { WireValue } from '../protocol/wire';
import { parseColumnType, parseSchema } from '../schema/parse';
import type { ColumnMeta } from '../schema/types';
import { validateValue } from '../schema/validate';
import { OvsdbValidationError } from '../schema/validation-error';
import { OpenVSwitchSchema } from '../schemas/generated/open-vswitch';
import { columnCodec, decodeValue, defaultValue, encodeValue } from './codec';
import { valuesEqual } from './equal';
import { EMPTY_MAP, EMPTY_SET } from './frozen';
import { namedUuid } from './uuid';
// Shared with the integration round trip (test/ovsdb/column-roundtrip.int-spec.ts).
import { valueArbitrary, type UuidAtoms } from '../../../../test/support/column-values';

const meta = parseSchema(OpenVSwitchSchema);
const allColumns = [...meta.tables.values()].flatMap((table) => table.columns);
const column = (table: string, name: string): ColumnMeta => meta.tables.get(table)!.columnsByName.get(name)!;

/** Plain uuids for uuid columns (no rows to refer to here). */
const uuids: UuidAtoms<string> = { arbitrary: () => fc.uuid(), identity: (atom) => atom };

/** The other legal spelling of a wire value: one-element sets as bare atoms and back. */
function respell(wire: WireValue): WireValue {
  if (Array.isArray(wire) && wire[0] === 'set' && wire[1].length === 1) return wire[1][0];
  return wire;
}

describe('column codecs, every column of the Open_vSwitch schema', () => {
  it(`covers ${allColumns.length} columns of every kind`, () => {
    const kinds = new Set(allColumns.map((c) => c.type.kind));
    expect([...kinds].sort()).toEqual(['atom', 'map', 'optional', 'set']);
  });

  it.each(allColumns.map((c) => [`${c.table}.${c.name}`, c] as const))('%s: decode(JSON(encode(v))) equals v', (_name, col) => {
    const codec = columnCodec(col);
    fc.assert(
      fc.property(valueArbitrary(col.type, uuids), (value) => {
        validateValue(col, value);
        const wire = JSON.parse(JSON.stringify(codec.encode(value))) as WireValue;
        expect(codec.equals(codec.decode(wire), value)).toBe(true);
        expect(valuesEqual(codec.decode(respell(JSON.parse(JSON.stringify(wire)) as WireValue)), value)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('gives every column its RFC default', () => {
    expect(defaultValue(column('Bridge', 'name').type)).toBe('');
    expect(defaultValue(column('Bridge', 'stp_enable').type)).toBe(false);
    expect(defaultValue(column('Bridge', 'fail_mode').type)).toBeNull();
    expect(defaultValue(column('Bridge', 'ports').type)).toBe(EMPTY_SET);
    expect(defaultValue(column('Bridge', 'other_config').type)).toBe(EMPTY_MAP);
    expect(defaultValue(column('Port', 'tag').type)).toBeNull();
  });
});

describe('RFC 7047 5.1 edge cases', () => {
  const ports = column('Bridge', 'ports');
  const uuidA = '11111111-2222-4333-8444-555555555555';
  const uuidB = '66666666-7777-4888-9999-000000000000';

  it('decodes a one-element set sent as a bare atom', () => {
    expect(decodeValue(ports, ['uuid', uuidA])).toEqual([uuidA]);
    expect(decodeValue(column('Bridge', 'flood_vlans'), 5)).toEqual([5]);
  });

  it('decodes the empty set, also for optional columns', () => {
    expect(decodeValue(ports, ['set', []])).toBe(EMPTY_SET);
    expect(decodeValue(column('Bridge', 'fail_mode'), ['set', []])).toBeNull();
    expect(decodeValue(column('Bridge', 'fail_mode'), ['set', ['secure']])).toBe('secure');
    expect(decodeValue(column('Bridge', 'fail_mode'), 'secure')).toBe('secure');
  });

  it('keeps server order in sets and decodes uuids to strings', () => {
    expect(decodeValue(ports, ['set', [['uuid', uuidB], ['uuid', uuidA]]])).toEqual([uuidB, uuidA]);
  });

  it('encodes sets as ["set", ...], empty optionals as the empty set, maps as ["map", pairs]', () => {
    expect(encodeValue(ports, [uuidA])).toEqual(['set', [['uuid', uuidA]]]);
    expect(encodeValue(ports, [])).toEqual(['set', []]);
    expect(encodeValue(column('Bridge', 'fail_mode'), null)).toEqual(['set', []]);
    expect(encodeValue(column('Bridge', 'other_config'), new Map([['a', 'b']]))).toEqual(['map', [['a', 'b']]]);
  });

  it('encodes reals with 15 significant digits, as OVS does, so the server holds what it sends back', () => {
    const real = { name: 'x', table: 'T', type: parseColumnType({ key: 'real', min: 0, max: 'unlimited' }), ephemeral: false, mutable: true };
    expect(encodeValue(real, [1 / 3, -0.1, 1.7976931348623051e308, 2.5])).toEqual(['set', [0.333333333333333, -0.1, 1.79769313486231e308, 2.5]]);
  });

  it('encodes named-uuids as ["named-uuid", id] and real uuids as ["uuid", ...]', () => {
    expect(encodeValue(ports, [namedUuid('new_port'), uuidA])).toEqual(['set', [['named-uuid', 'new_port'], ['uuid', uuidA]]]);
    expect(() => encodeValue(ports, ['new_port'])).toThrow(OvsdbValidationError);
    expect(() => namedUuid('not valid')).toThrow(TypeError);
  });

  it('refuses maps of maps (map values are atoms) and other shapes', () => {
    const otherConfig = column('Bridge', 'other_config');
    expect(() => decodeValue(otherConfig, ['map', [['a', ['map', [['b', 'c']]]]]] as never)).toThrow(OvsdbValidationError);
    expect(() => decodeValue(otherConfig, ['set', []])).toThrow(OvsdbValidationError);
    expect(() => decodeValue(otherConfig, ['map', [['a']]] as never)).toThrow(OvsdbValidationError);
    expect(() => decodeValue(ports, ['set', [['named-uuid', 'x']]])).toThrow(OvsdbValidationError);
    expect(() => decodeValue(column('Port', 'tag'), ['set', [1, 2]])).toThrow(OvsdbValidationError);
    expect(() => decodeValue(column('Port', 'tag'), 1.5)).toThrow('Port.tag: 1.5 is not a valid optional integer');
  });

  it('refuses a map with a key twice', () => {
    expect(() => decodeValue(column('Bridge', 'other_config'), ['map', [['a', '1'], ['a', '2']]])).toThrow('Bridge.other_config: ["map", [["a", "1"], ["a", "2"]]] has a key twice');
  });

  it('names table, column and value when a wire value does not fit', () => {
    expect(() => decodeValue(column('Bridge', 'name'), 42)).toThrow('Bridge.name: 42 is not a valid string');
  });
});
