import { parseValue } from 'graphql';
import { TosScalar } from './ovs-resources.graphql-types';

describe('Tos', () => {
  it('lets numbers and strings through for CreateTunnelDto\'s IsTos to judge', () => {
    expect(TosScalar.parseValue(16)).toBe(16);
    expect(TosScalar.parseValue('inherit')).toBe('inherit');
    expect(TosScalar.parseValue(1.5)).toBe(1.5);
    expect(TosScalar.parseLiteral(parseValue('16'), {})).toBe(16);
    expect(TosScalar.parseLiteral(parseValue('"inherit"'), {})).toBe('inherit');
  });

  it.each([['a boolean', true], ['null', null], ['an object', { tos: 16 }]])('refuses %s', (_what, value) => {
    expect(() => TosScalar.parseValue(value)).toThrow('must be a number from 0 to 255 or "inherit"');
  });

  it('refuses a literal that is neither number nor string', () => {
    expect(() => TosScalar.parseLiteral(parseValue('true'), {})).toThrow('must be a number from 0 to 255 or "inherit", not true');
  });
});
