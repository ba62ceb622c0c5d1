import type { Atom, ColumnMeta } from '../schema/types';
import type { ReplicaRow } from './row-codec';

export interface IndexSpec {
  readonly table: string;
  readonly column: string;
  /** One row per value (e.g. Bridge.name). Default false: many rows per value. */
  readonly unique?: boolean;
}

const NO_UUIDS: ReadonlySet<string> = new Set();

/**
 * A secondary index of one table by one column: value → row uuid(s). Atom and optional
 * columns index their value (null is not indexed), set columns index every member, so an
 * index on Port.interfaces answers "which port holds this interface".
 */
export class ColumnIndex {
  private readonly unique = new Map<Atom, string>();
  private readonly multi = new Map<Atom, Set<string>>();
  readonly isUnique: boolean;

  constructor(readonly column: ColumnMeta, unique: boolean) {
    if (column.type.kind === 'map') throw new TypeError(`${column.table}.${column.name}: map columns cannot be indexed`);
    this.isUnique = unique;
  }

  add(row: ReplicaRow): void {
    const value = row[this.column.name];
    if (Array.isArray(value)) for (const member of value as readonly Atom[]) this.addKey(member, row._uuid);
    else if (value !== null) this.addKey(value as Atom, row._uuid);
  }

  remove(row: ReplicaRow): void {
    const value = row[this.column.name];
    if (Array.isArray(value)) for (const member of value as readonly Atom[]) this.removeKey(member, row._uuid);
    else if (value !== null) this.removeKey(value as Atom, row._uuid);
  }

  /** Re-indexes a row whose column may have changed; nothing to do when the value is the same. */
  update(old: ReplicaRow, next: ReplicaRow): void {
    if (old[this.column.name] === next[this.column.name]) return;
    this.remove(old);
    this.add(next);
  }

  /** The uuid of the row holding `key` (unique index), or of one of them (multi). */
  first(key: Atom): string | undefined {
    if (this.isUnique) return this.unique.get(key);
    const uuids = this.multi.get(key);
    if (uuids === undefined) return undefined;
    for (const uuid of uuids) return uuid;
    return undefined;
  }

  all(key: Atom): ReadonlySet<string> {
    if (!this.isUnique) return this.multi.get(key) ?? NO_UUIDS;
    const uuid = this.unique.get(key);
    return uuid === undefined ? NO_UUIDS : new Set([uuid]);
  }

  clear(): void {
    this.unique.clear();
    this.multi.clear();
  }

  get size(): number {
    return this.isUnique ? this.unique.size : this.multi.size;
  }

  private addKey(key: Atom, uuid: string): void {
    if (this.isUnique) {
      // Within one update a value may move between rows (a rename swap): last writer wins,
      // and removeKey below only drops the entry if it still belongs to the removed row.
      this.unique.set(key, uuid);
      return;
    }
    let uuids = this.multi.get(key);
    if (uuids === undefined) this.multi.set(key, (uuids = new Set()));
    uuids.add(uuid);
  }

  private removeKey(key: Atom, uuid: string): void {
    if (this.isUnique) {
      if (this.unique.get(key) === uuid) this.unique.delete(key);
      return;
    }
    const uuids = this.multi.get(key);
    if (uuids === undefined) return;
    uuids.delete(uuid);
    if (uuids.size === 0) this.multi.delete(key);
  }
}
