import { GraphQLError, parseValue } from 'graphql';
import { JSONObjectScalar } from './json-object.scalar';

describe('JSONObject', () => {
  it('serializes and parses objects as they are', () => {
    const labels = { rack: 'r1', zone: 'a' };
    expect(JSONObjectScalar.serialize(labels)).toBe(labels);
    expect(JSONObjectScalar.parseValue(labels)).toBe(labels);
  });

  it('parses an object literal, with variables inside, into a plain object', () => {
    const parsed = JSONObjectScalar.parseLiteral(parseValue('{ rack: "r1", nested: { list: [1, 2.5, true, null], zone: $zone } }'), { zone: 'a' });
    expect(parsed).toEqual({ rack: 'r1', nested: { list: [1, 2.5, true, null], zone: 'a' } });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it.each([['a list', [1]], ['a string', 'rack=r1'], ['a number', 5], ['null', null]])('refuses %s', (_what, value) => {
    expect(() => JSONObjectScalar.parseValue(value)).toThrow(GraphQLError);
    expect(() => JSONObjectScalar.serialize(value)).toThrow(/JSONObject cannot represent a non-object value/);
  });

  it.each(['[1]', '"rack=r1"', '5'])('refuses the literal %s', (literal) => {
    expect(() => JSONObjectScalar.parseLiteral(parseValue(literal), {})).toThrow(/JSONObject cannot represent a non-object value/);
  });
});
