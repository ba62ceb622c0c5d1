import type { UuidString } from '../protocol/wire';

/**
 * A table's rows as readers see them (`Replica.table`): a live, read-only view of the
 * replica's map. Every read applies the notifications handed in to be applied later
 * first (`settle`), and every row it hands out, by `get` or while iterating, leaves
 * `drafts` (the uuids of rows nobody has been handed yet, which the replica may still
 * change in place), so a row a reader holds never changes.
 */
export class TableView<Row> implements ReadonlyMap<UuidString, Row> {
  constructor(
    private readonly rows: ReadonlyMap<UuidString, Row>,
    private readonly drafts: Set<UuidString>,
    private readonly settle: () => void,
  ) {}

  get size(): number {
    this.settle();
    return this.rows.size;
  }

  has(uuid: UuidString): boolean {
    this.settle();
    return this.rows.has(uuid);
  }

  get(uuid: UuidString): Row | undefined {
    this.settle();
    if (this.drafts.size !== 0) this.drafts.delete(uuid);
    return this.rows.get(uuid);
  }

  keys(): MapIterator<UuidString> {
    this.settle();
    return this.rows.keys();
  }

  // The casts: @types/node gives MapIterator a [Symbol.dispose] that Node 20's own map iterators lack too.
  values(): MapIterator<Row> {
    this.settle();
    return new HandingOut(this.rows.entries(), this.drafts, this.settle, false) as unknown as MapIterator<Row>;
  }

  entries(): MapIterator<[UuidString, Row]> {
    this.settle();
    return new HandingOut(this.rows.entries(), this.drafts, this.settle, true) as unknown as MapIterator<[UuidString, Row]>;
  }

  [Symbol.iterator](): MapIterator<[UuidString, Row]> {
    return this.entries();
  }

  forEach(callback: (row: Row, uuid: UuidString, map: ReadonlyMap<UuidString, Row>) => void, thisArg?: unknown): void {
    for (const [uuid, row] of this.entries()) callback.call(thisArg, row, uuid, this);
  }
}

/**
 * The map's entries (or values), each row taken out of `drafts` as it is yielded: checked
 * per row, since the map is live and an update applied while a reader is part-way through
 * (across an await) may make a draft of a row not reached yet; for the same reason each
 * step settles first, as a read.
 */
class HandingOut<Row> implements IterableIterator<[UuidString, Row] | Row> {
  constructor(
    private readonly entries: MapIterator<[UuidString, Row]>,
    private readonly drafts: Set<UuidString>,
    private readonly settle: () => void,
    private readonly withKeys: boolean,
  ) {}

  next(): IteratorResult<[UuidString, Row] | Row, undefined> {
    this.settle();
    const step = this.entries.next();
    if (step.done === true) return step;
    if (this.drafts.size !== 0) this.drafts.delete(step.value[0]);
    return this.withKeys ? step : { value: step.value[1], done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }
}
