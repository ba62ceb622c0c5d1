import type { Atom } from '../schema/types';

/** The one empty set shared by every row whose set column is empty (rows are read-only). */
export const EMPTY_SET: readonly Atom[] = Object.freeze([]);

/** A Map that refuses changes after construction, so one instance can be shared by many rows. */
export class FrozenMap<K, V> extends Map<K, V> {
  #frozen = false;

  constructor(entries: Iterable<readonly [K, V]> = []) {
    super();
    for (const [k, v] of entries) super.set(k, v);
    this.#frozen = true;
  }

  override set(key: K, value: V): this {
    if (this.#frozen) throw new TypeError('this map is shared by database rows and cannot be changed; copy it first');
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    if (this.#frozen) throw new TypeError('this map is shared by database rows and cannot be changed; copy it first');
    return super.delete(key);
  }

  override clear(): void {
    if (this.#frozen) throw new TypeError('this map is shared by database rows and cannot be changed; copy it first');
    super.clear();
  }
}

export const EMPTY_MAP: ReadonlyMap<Atom, Atom> = new FrozenMap<Atom, Atom>();
