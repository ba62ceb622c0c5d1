/**
 * Which transaction contenders a run needs: all of them, or with BENCH_ONLY (a comma list
 * of ratio names, as in the JSON line) only the two sides of those ratios, e.g.
 * `BENCH_ONLY=idl_seq_vs_raw_monitored npm run bench:ovsdb` to measure one ratio again.
 */

/** A ratio between two contenders (their keys): `ours` against `theirs`. */
export interface RatioSides {
  ours: string;
  theirs: string;
}

/**
 * The contenders to run (keys in the order given) and the ratios to print, for `only`
 * (undefined or empty: everything); an unknown ratio name is refused with the known ones.
 */
export function selectContenders(keys: readonly string[], ratios: Readonly<Record<string, RatioSides>>, only: string | undefined): { keys: string[]; ratios: string[] } {
  if (only === undefined || only.trim() === '') return { keys: [...keys], ratios: Object.keys(ratios) };
  const names = only.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !Object.hasOwn(ratios, name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown ratio ${unknown.join(', ')} (known: ${Object.keys(ratios).join(', ')})`);
  const needed = new Set(names.flatMap((name) => [ratios[name].ours, ratios[name].theirs]));
  return { keys: keys.filter((key) => needed.has(key)), ratios: Object.keys(ratios).filter((name) => names.includes(name)) };
}
