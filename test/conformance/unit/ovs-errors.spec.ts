import { OvsdbSchemaError, OvsdbValidationError } from '@ovs-fleet/ovsdb';
import { columnType } from './column-type';
import { inOvsWords } from './ovs-errors';

describe("our refusals in OVS's words", () => {
  it('schema errors by kind', () => {
    expect(inOvsWords(new OvsdbSchemaError('type', 'unknown atomic type "void"'))).toBe('"void" is not an atomic-type');
    expect(inOvsWords(new OvsdbSchemaError('type', 'minInteger > maxInteger'))).toBe('minInteger exceeds maxInteger');
    expect(inOvsWords(new OvsdbSchemaError('type key', 'invalid base type undefined'))).toBe("Required 'key' member is missing.");
    expect(inOvsWords(new OvsdbSchemaError('type', 'min must be 0 or 1, not -1'))).toBe('bad min or max value');
    expect(inOvsWords(new OvsdbSchemaError('type', 'min must be 0 or 1, not 5'))).toBe('ovsdb type fails constraint checks');
  });

  it('value errors from the error and the column type, bounds as OVS states them', () => {
    const range = columnType({ key: { type: 'integer', minInteger: -10, maxInteger: 10 } });
    expect(inOvsWords(new OvsdbValidationError('T.c', 11, 'is greater than the maximum 10'), { type: range })).toBe('constraint violation: 11 is not in the valid range -10 to 10 (inclusive)');
    const min = columnType({ key: { type: 'real', minReal: 5 } });
    expect(inOvsWords(new OvsdbValidationError('T.c', 4, 'is less than the minimum 5'), { type: min })).toBe('constraint violation: 4 is less than minimum allowed value 5');
    const enumType = columnType({ key: { type: 'string', enum: ['set', ['def', 'abc']] } });
    expect(inOvsWords(new OvsdbValidationError('T.c', '', 'is not one of "def", "abc"'), { type: enumType })).toBe('constraint violation: "" is not one of the allowed values ([abc, def])');
    expect(inOvsWords(new OvsdbValidationError('T.c', 0.5, 'is not a valid integer'), { type: columnType('integer'), input: 0.5 })).toBe('syntax "0.5": syntax error: expected integer');
  });

  it('no wording for an error no rule knows', () => {
    expect(inOvsWords(new OvsdbValidationError('T.c', 1, 'is odd'), { type: columnType('integer') })).toBeUndefined();
    expect(inOvsWords(new Error('anything'))).toBeUndefined();
  });
});
