import { mapsEqual, setsEqual, valuesEqual } from './equal';

describe('typed value equality', () => {
  it('compares sets without regard to order, small and large', () => {
    expect(setsEqual([1, 2, 3], [3, 1, 2])).toBe(true);
    expect(setsEqual([1, 2, 3], [3, 1, 4])).toBe(false);
    const big = Array.from({ length: 100 }, (_, i) => `m${i}`);
    expect(setsEqual(big, [...big].reverse())).toBe(true);
    expect(setsEqual(big, [...big.slice(1), 'other'])).toBe(false);
    expect(setsEqual([1], [1, 2])).toBe(false);
  });

  it('compares maps by keys and values, including undefined-looking gaps', () => {
    expect(mapsEqual(new Map([['a', '1'], ['b', '2']]), new Map([['b', '2'], ['a', '1']]))).toBe(true);
    expect(mapsEqual(new Map([['a', '1']]), new Map([['a', '2']]))).toBe(false);
    expect(mapsEqual(new Map([['a', '1']]), new Map([['b', '1']]))).toBe(false);
  });

  it('compares any two values of one column type', () => {
    expect(valuesEqual(null, null)).toBe(true);
    expect(valuesEqual('x', 'x')).toBe(true);
    expect(valuesEqual(1, 2)).toBe(false);
    expect(valuesEqual(null, 'x')).toBe(false);
    expect(valuesEqual(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(valuesEqual(new Map([[1, 2]]), new Map([[1, 2]]))).toBe(true);
    expect(valuesEqual(new Map([[1, 2]]), [1, 2])).toBe(false);
  });
});
