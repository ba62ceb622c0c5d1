import type { WritableAtom, WritableValue } from '../data/typed-value';
import { NamedUuid } from '../data/uuid';
import type { InsertHandle } from '../idl/transaction';
import type { TableMeta } from '../schema/types';

export type Values = Readonly<Record<string, WritableValue>>;

/** A row as the batch sees it: the replica's row plus the effects of earlier commands. */
export interface WorkingRow {
  readonly table: TableMeta;
  /** The real uuid, or the uuid-name of a row inserted by this batch. */
  readonly id: string;
  /** Set for rows inserted by this batch. */
  readonly handle: InsertHandle | undefined;
  /** Current values (read-only; change them through the Workspace). */
  readonly values: Values;
}

/** The id a uuid atom stands for: the uuid itself, or the uuid-name of an inserted row. */
export function idOf(atom: WritableAtom): string {
  return atom instanceof NamedUuid ? atom.namedUuid : String(atom);
}

/** What to put in a uuid column to refer to this row. */
export function refOf(row: WorkingRow): WritableAtom {
  return row.handle ? row.handle.ref : row.id;
}

export function membersOf(value: WritableValue | undefined): readonly WritableAtom[] {
  if (value === null || value === undefined || value instanceof Map) return [];
  return Array.isArray(value) ? (value as readonly WritableAtom[]) : [value as WritableAtom];
}

/** Partial changes of a set column since `origin`: sent as one mutate (or folded into a whole write). */
export interface SetDelta {
  readonly kind: 'set';
  readonly origin: WritableValue;
  readonly adds: Map<string, WritableAtom>;
  readonly removes: Map<string, WritableAtom>;
}
/** Partial changes of a map column since `origin`. */
export interface MapDelta {
  readonly kind: 'map';
  readonly origin: WritableValue;
  readonly puts: Map<WritableAtom, WritableAtom>;
  readonly removedKeys: Map<string, WritableAtom>;
  readonly removedPairs: Map<WritableAtom, WritableAtom>;
}
export type Delta = SetDelta | MapDelta;

/** `origin` with the delta applied: one pass over the origin value. */
export function applyDelta(delta: Delta, optional: boolean): WritableValue {
  if (delta.kind === 'map') {
    const out = new Map(delta.origin instanceof Map ? (delta.origin as ReadonlyMap<WritableAtom, WritableAtom>) : undefined);
    for (const key of delta.removedKeys.values()) out.delete(key);
    for (const [key, value] of delta.removedPairs) if (out.has(key) && idOf(out.get(key)!) === idOf(value)) out.delete(key);
    for (const [key, value] of delta.puts) out.set(key, value);
    return out;
  }
  const out: WritableAtom[] = [];
  for (const atom of membersOf(delta.origin)) {
    const id = idOf(atom);
    if (!delta.removes.has(id) && !delta.adds.has(id)) out.push(atom);
  }
  for (const atom of delta.adds.values()) out.push(atom);
  return optional ? (out[0] ?? null) : out;
}

/**
 * The state of one row in a batch. Partial changes (set members, map keys) are kept as
 * deltas and folded into `values` only when someone reads them, so many small changes to a
 * large column (ports added to a 20,000-port bridge) cost what they change, not the column.
 */
export class RowState implements WorkingRow {
  deleted = false;
  /** Columns written whole; partial changes to them are folded and written whole too. */
  readonly whole = new Set<string>();
  readonly deltas = new Map<string, Delta>();
  private own: Record<string, WritableValue> | undefined;
  private composed: Values | undefined;

  constructor(
    readonly table: TableMeta,
    readonly id: string,
    readonly handle: InsertHandle | undefined,
    private readonly base: Values,
  ) {}

  get values(): Values {
    if (this.own === undefined && this.deltas.size === 0) return this.base;
    if (this.composed === undefined) {
      const values: Record<string, WritableValue> = { ...this.base, ...this.own };
      for (const [column, delta] of this.deltas) values[column] = applyDelta(delta, this.table.columnsByName.get(column)!.type.kind === 'optional');
      this.composed = values;
    }
    return this.composed;
  }

  /** The current value of one column (folds only that column's delta). */
  value(column: string): WritableValue {
    const delta = this.deltas.get(column);
    if (delta !== undefined) return this.composed?.[column] ?? applyDelta(delta, this.table.columnsByName.get(column)!.type.kind === 'optional');
    return this.own !== undefined && column in this.own ? this.own[column] : this.base[column];
  }

  /** A whole-column write: replaces any pending delta of the column. */
  setWhole(column: string, value: WritableValue): void {
    this.deltas.delete(column);
    this.whole.add(column);
    (this.own ??= {})[column] = value;
    this.composed = undefined;
  }

  /** The column's pending delta, started from its current value if there is none yet. */
  delta(column: string, kind: 'set' | 'map'): Delta {
    let delta = this.deltas.get(column);
    if (delta === undefined) {
      const origin = this.value(column);
      delta = kind === 'map'
        ? { kind, origin, puts: new Map(), removedKeys: new Map(), removedPairs: new Map() }
        : { kind, origin, adds: new Map(), removes: new Map() };
      this.deltas.set(column, delta);
    }
    this.composed = undefined;
    return delta;
  }
}
