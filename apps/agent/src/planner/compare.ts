import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import type { ChangeCause, StringMap } from './types';

/** A row the fleet made: only these are ever changed or removed. */
export function isOurs(externalIds: StringMap): boolean {
  return externalIds[owned.OWNER] === owned.OWNER_VALUE;
}

export function sameMap(a: StringMap, b: StringMap): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  const x = [...a].sort((m, n) => m - n);
  const y = [...b].sort((m, n) => m - n);
  return x.length === y.length && x.every((value, i) => value === y[i]);
}

/** JSON with object keys sorted: equal specs give equal text whatever order their keys came in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Why a wanted resource needs work. Knowing what the last applied document asked for tells
 * drift (it asked for the same: someone changed our row) from a change of the document.
 */
export function causeOf(previous: unknown, wanted: unknown, present: boolean): ChangeCause {
  if (previous === undefined) return present ? 'changed' : 'added';
  return canonical(previous) === canonical(wanted) ? 'repaired' : 'changed';
}

export function show(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as StringMap).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
  return String(value);
}
