import type { Atom } from '../schema/types';
import type { TypedValue } from './typed-value';

/** Below this size a nested scan beats building a Set. */
const SMALL_SET = 16;

/** Sets compare as sets: same size and same members, in any order (members are unique). */
export function setsEqual(a: readonly Atom[], b: readonly Atom[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  if (a.length <= SMALL_SET) {
    for (let i = 0; i < b.length; i++) if (!a.includes(b[i])) return false;
    return true;
  }
  const members = new Set(a);
  for (let i = 0; i < b.length; i++) if (!members.has(b[i])) return false;
  return true;
}

export function mapsEqual(a: ReadonlyMap<Atom, Atom>, b: ReadonlyMap<Atom, Atom>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other !== value || (other === undefined && !b.has(key))) return false;
  }
  return true;
}

/** Deep equality of two decoded values of the same column type. */
export function valuesEqual(a: TypedValue, b: TypedValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && setsEqual(a, b);
  if (a instanceof Map) return b instanceof Map && mapsEqual(a, b);
  return false;
}
