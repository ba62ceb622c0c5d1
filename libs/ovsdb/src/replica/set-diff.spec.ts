import fc from 'fast-check';
import { setsEqual } from '../data/equal';
import { EMPTY_SET } from '../data/frozen';
import { applyMapDiff, LARGE_SET, toggleMembers, toggleMembersInPlace } from './set-diff';

/** The reference: symmetric difference on plain Sets. */
function reference(current: Set<string>, diff: readonly string[]): Set<string> {
  const next = new Set(current);
  for (const member of diff) {
    if (next.has(member)) next.delete(member);
    else next.add(member);
  }
  return next;
}

describe('toggleMembers', () => {
  it.each([10, LARGE_SET + 100])('matches the symmetric difference over a run of diffs (start size %i), never changing its input', (size) => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: size * 2 }), { maxLength: 6 }), { minLength: 1, maxLength: 40 }),
        (diffs) => {
          let array: readonly string[] = Array.from({ length: size }, (_, i) => `m${i}`);
          let expected = new Set(array);
          for (const raw of diffs) {
            const diff = [...new Set(raw.map((n) => `m${n}`))];
            const before = [...array];
            const next = toggleMembers(array, diff) as readonly string[];
            expect(array).toEqual(before);
            expected = reference(expected, diff);
            expect(setsEqual(next, [...expected])).toBe(true);
            expect(new Set(next).size).toBe(next.length);
            array = next;
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('applies a one-member diff to a 20,000-member set by copying once, not by rescanning', () => {
    const ports = Array.from({ length: 20_000 }, (_, i) => `port-${i}`);
    let current: readonly string[] = toggleMembers(ports, ['port-new-0']) as readonly string[];
    for (let i = 1; i < 200; i++) current = toggleMembers(current, [`port-new-${i}`, `port-${i}`]) as readonly string[];
    expect(current).toHaveLength(20_001);
    expect(current).toContain('port-new-199');
    expect(current).not.toContain('port-5');
  });

  it('two large sets diffed in turn, and an old array diffed again, each give the symmetric difference of their own input', () => {
    const size = LARGE_SET + 10;
    let a: readonly string[] = Array.from({ length: size }, (_, i) => `a${i}`);
    let b: readonly string[] = Array.from({ length: size }, (_, i) => `b${i}`);
    let expectedA = new Set(a);
    let expectedB = new Set(b);
    const oldA = a;
    for (let i = 0; i < 20; i++) {
      const diffA = i % 3 === 0 ? [`a${i}`] : [`a-new-${i}`];
      const diffB = i % 4 === 0 ? [`b${i}`, `b-new-${i}`] : [`b-new-${i}`];
      a = toggleMembers(a, diffA) as readonly string[];
      expectedA = reference(expectedA, diffA);
      b = toggleMembers(b, diffB) as readonly string[];
      expectedB = reference(expectedB, diffB);
      expect(setsEqual(a, [...expectedA])).toBe(true);
      expect(setsEqual(b, [...expectedB])).toBe(true);
    }
    // An array that was diffed before (an old row's) has no positions of its own any more.
    const fromOld = toggleMembers(oldA, ['a-late', 'a1']) as readonly string[];
    expect(setsEqual(fromOld, [...reference(new Set(oldA), ['a-late', 'a1'])])).toBe(true);
    expect(oldA).toHaveLength(size);
    // ...and the current arrays still diff correctly after it.
    expect(setsEqual(toggleMembers(a, ['a-last']) as readonly string[], [...reference(expectedA, ['a-last'])])).toBe(true);
    expect(setsEqual(toggleMembers(b, ['b1']) as readonly string[], [...reference(expectedB, ['b1'])])).toBe(true);
  });

  it('a few members, repeated or not, toggle as the members of a Set would, in diff order after the kept ones', () => {
    expect(toggleMembers(['a', 'b'], ['c', 'c'])).toEqual(['a', 'b', 'c']);
    expect(toggleMembers(['a', 'b'], ['a', 'a'])).toEqual(['b']);
    expect(toggleMembers(['a', 'b', 'c'], ['d', 'b', 'e'])).toEqual(['a', 'c', 'd', 'e']);
    expect(toggleMembers([1, Number.NaN, 2], [Number.NaN, 3])).toEqual([1, 2, 3]);
  });

  it('returns the shared empty set when everything is removed', () => {
    const all = Array.from({ length: LARGE_SET }, (_, i) => `x${i}`);
    expect(toggleMembers(all, all)).toBe(EMPTY_SET);
    expect(toggleMembers(['a'], ['a'])).toBe(EMPTY_SET);
  });
});

describe('toggleMembersInPlace', () => {
  it('changes a large set itself, to what toggleMembers gives for the same set and diff (members and order)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: LARGE_SET * 2 }), { maxLength: 4 }), { minLength: 1, maxLength: 40 }),
        (diffs) => {
          const owned = Array.from({ length: LARGE_SET + 200 }, (_, i) => `m${i}`);
          let copied: readonly string[] = [...owned];
          for (const raw of diffs) {
            const diff = raw.map((n) => `m${n}`);
            const before = owned;
            expect(toggleMembersInPlace(owned, diff)).toBe(true);
            expect(owned).toBe(before);
            copied = toggleMembers(copied, [...new Set(diff)]) as readonly string[];
            expect(owned).toEqual(copied);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('leaves small sets and larger diffs to toggleMembers, unchanged', () => {
    const small = Array.from({ length: LARGE_SET - 1 }, (_, i) => `s${i}`);
    expect(toggleMembersInPlace(small, ['new'])).toBe(false);
    expect(small).toHaveLength(LARGE_SET - 1);
    const large = Array.from({ length: LARGE_SET }, (_, i) => `l${i}`);
    expect(toggleMembersInPlace(large, ['a', 'b', 'c', 'd', 'e'])).toBe(false);
    expect(large).toHaveLength(LARGE_SET);
  });
});

describe('applyMapDiff', () => {
  it('adds, removes and replaces per key', () => {
    const old = new Map([['keep', '1'], ['drop', '2'], ['change', '3']]);
    expect(applyMapDiff(old, new Map([['drop', '2'], ['change', '4'], ['new', '5']]))).toEqual(new Map([['keep', '1'], ['change', '4'], ['new', '5']]));
    expect(old.get('drop')).toBe('2');
  });
});
