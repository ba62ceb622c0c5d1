/**
 * Schema-valid column values for tests, derived from column metadata only (so a new column
 * or a new schema is covered without edits):
 * - `atomEdges` / `columnCases`: deterministic values that exercise a type's corners
 *   (integer and real bounds, both booleans, every enum member, the empty string and a
 *   string of multi-byte UTF-8 and JSON escapes, null and set optionals, empty / one-element
 *   / many-element sets and maps);
 * - `atomArbitrary` / `valueArbitrary`: fast-check generators of the same kind of values.
 * Reals stay within what ovsdb-server carries (see MAX_OVSDB_REAL).
 * uuid atoms are left to the caller (`UuidAtoms`), so references can point at real rows.
 */
import fc from 'fast-check';
import type { Atom, BaseTypeMeta, ColumnTypeMeta } from '@ovs-fleet/ovsdb';

/**
 * Two-, three- and four-byte UTF-8, JSON escapes (quote, backslash, control characters),
 * DEL, U+2028/U+2029 (valid in JSON, not in old JS string literals) and text that looks
 * like an OVSDB set. NUL is left out: OVS refuses it in strings.
 */
export const TRICKY_STRING = 'é€𝄞😀 "q" \\ / \n\t\r\b\f\u0001\u001f\u007f\u2028\u2029 ["set",[]]';

/**
 * ovsdb-server sends reals printed with 15 significant digits (`%.15g`) and refuses
 * subnormal and out-of-range numbers: the largest and smallest magnitudes it carries, and
 * what a real written comes back as.
 */
export const MAX_OVSDB_REAL = 1.79769313486231e308;
export const MIN_OVSDB_REAL = 2.22507385850721e-308;
export const asOvsdbSendsReal = (real: number): number => Number(real.toPrecision(15));
const isOvsdbReal = (real: number): boolean => {
  const sent = Math.abs(asOvsdbSendsReal(real));
  return sent === 0 || (sent >= MIN_OVSDB_REAL && sent <= MAX_OVSDB_REAL);
};

const SAMPLE_UUIDS = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff', '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3'];

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Corner values of a non-uuid base type (uuid: fixed sample uuids), all within its constraints. */
export function atomEdges(base: BaseTypeMeta): Atom[] {
  if (base.enum !== undefined) return [...base.enum];
  switch (base.type) {
    case 'integer': {
      const lo = base.minInteger ?? Number.MIN_SAFE_INTEGER;
      const hi = base.maxInteger ?? Number.MAX_SAFE_INTEGER;
      return unique([lo, hi, Math.min(Math.max(0, lo), hi)]);
    }
    case 'real': {
      const lo = base.minReal ?? -MAX_OVSDB_REAL;
      const hi = base.maxReal ?? MAX_OVSDB_REAL;
      return unique([lo, hi, ...[-0.1, 1 / 3, MIN_OVSDB_REAL, -1e-307, 2.5e-300].filter((x) => x >= lo && x <= hi)]);
    }
    case 'boolean':
      return [false, true];
    case 'string': {
      const lo = base.minLength ?? 0;
      const hi = base.maxLength ?? Infinity;
      const fits = ['', TRICKY_STRING, 'plain'].filter((s) => codePoints(s) >= lo && codePoints(s) <= hi);
      const padded = [lo, Math.min(hi, lo + 8)].map((n) => '€'.repeat(n));
      return unique(fits.length >= 2 ? fits : [...fits, ...padded]);
    }
    case 'uuid':
      return [...SAMPLE_UUIDS];
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Characters for generated strings: the tricky ones above, or any Unicode scalar but NUL. */
const stringUnit: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY_STRING),
  fc.integer({ min: 1, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) => String.fromCodePoint(cp)),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

/** Generated atoms within the base type's constraints, biased towards its corners. */
export function atomArbitrary(base: BaseTypeMeta): fc.Arbitrary<Atom> {
  const edges = fc.constantFrom(...atomEdges(base));
  if (base.enum !== undefined) return edges;
  switch (base.type) {
    case 'integer':
      return fc.oneof(edges, fc.integer({ min: base.minInteger ?? Number.MIN_SAFE_INTEGER, max: base.maxInteger ?? Number.MAX_SAFE_INTEGER }));
    case 'real':
      return fc.oneof(edges, fc.double({ min: base.minReal ?? -MAX_OVSDB_REAL, max: base.maxReal ?? MAX_OVSDB_REAL, noNaN: true, noDefaultInfinity: true }).filter(isOvsdbReal));
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.oneof(edges, fc.string({ unit: stringUnit, minLength: base.minLength ?? 0, maxLength: Math.max(base.minLength ?? 0, Math.min(base.maxLength ?? 16, 16)) }));
    case 'uuid':
      return fc.uuid();
  }
}

/** How uuid atoms are chosen (e.g. rows of the refTable); `identity` tells equal atoms apart for sets and map keys. */
export interface UuidAtoms<A> {
  arbitrary(base: BaseTypeMeta): fc.Arbitrary<A>;
  identity(atom: A | Atom): unknown;
}

export type GeneratedValue<A> = A | Atom | null | readonly (A | Atom)[] | ReadonlyMap<A | Atom, A | Atom>;

/** Generated values of a column type: atoms, optionals (null or not), sets and maps of 0 to 6 members. */
export function valueArbitrary<A>(type: ColumnTypeMeta, uuids: UuidAtoms<A>): fc.Arbitrary<GeneratedValue<A>> {
  const atom = (base: BaseTypeMeta): fc.Arbitrary<A | Atom> => (base.type === 'uuid' ? uuids.arbitrary(base) : atomArbitrary(base));
  const key = atom(type.key);
  const maxLength = Math.max(type.min, Math.min(type.max, 6));
  // Reals differing only beyond the 15 digits ovsdb-server sends are the same member.
  const keyIdentity = (a: A | Atom): unknown => (type.key.type === 'real' ? asOvsdbSendsReal(a as number) : uuids.identity(a));
  switch (type.kind) {
    case 'atom':
      return key;
    case 'optional':
      return fc.option(key, { nil: null });
    case 'set':
      return fc.uniqueArray(key, { minLength: type.min, maxLength, selector: keyIdentity });
    case 'map':
      return fc
        .uniqueArray(fc.tuple(key, atom(type.value!)), { minLength: type.min, maxLength, selector: (pair) => keyIdentity(pair[0]) })
        .map((pairs) => new Map(pairs));
  }
}

/**
 * Deterministic values of a column type that together exercise it: every corner atom
 * (`keyAtoms`/`valueAtoms`, e.g. `atomEdges` or references to rows), null and a value for
 * optionals, the empty (when allowed), a one-element and a many-element set or map.
 */
export function columnCases<A>(type: ColumnTypeMeta, keyAtoms: readonly A[], valueAtoms: readonly A[] = []): (A | null | A[] | Map<A, A>)[] {
  if (keyAtoms.length === 0) throw new Error('columnCases needs at least one key atom');
  switch (type.kind) {
    case 'atom':
      return [...keyAtoms];
    case 'optional':
      return [null, ...keyAtoms];
    case 'set': {
      const cases: A[][] = [];
      if (type.min === 0) cases.push([]);
      cases.push([keyAtoms[0]]);
      // Many-element sets of at most `max` members, together holding every corner atom.
      if (keyAtoms.length >= 2) for (let i = 0; i < keyAtoms.length; i += type.max) cases.push(manyFrom(keyAtoms, i, type.max));
      return cases;
    }
    case 'map': {
      if (valueAtoms.length === 0) throw new Error('columnCases needs value atoms for a map');
      const cases: Map<A, A>[] = [];
      if (type.min === 0) cases.push(new Map());
      cases.push(new Map([[keyAtoms[0], valueAtoms[0]]]));
      if (keyAtoms.length < 2 || type.max < 2) return cases;
      // Many-key maps of at most `max` pairs, together holding every corner key and value.
      const pairs = Math.max(keyAtoms.length, valueAtoms.length);
      const step = Math.min(type.max, keyAtoms.length);
      for (let i = 0; i < pairs; i += step) {
        const keys = manyFrom(keyAtoms, i % keyAtoms.length, type.max);
        cases.push(new Map(keys.map((k, j) => [k, valueAtoms[(i + j) % valueAtoms.length]])));
      }
      return cases;
    }
  }
}

/** Up to `max` (at least 2) distinct atoms starting at `start`, wrapping around. */
function manyFrom<A>(atoms: readonly A[], start: number, max: number): A[] {
  const n = Math.min(atoms.length, Math.max(max, 2));
  return Array.from({ length: n }, (_, j) => atoms[(start + j) % atoms.length]);
}
