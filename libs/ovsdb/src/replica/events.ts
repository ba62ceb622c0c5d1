import type { TableRef } from '../schema/table-ref';
import type { ReplicaRow } from './row-codec';

export type ChangeEvent<Row = ReplicaRow> =
  | { readonly type: 'insert'; readonly table: string; readonly uuid: string; readonly old: null; readonly new: Row }
  | { readonly type: 'modify'; readonly table: string; readonly uuid: string; readonly old: Row; readonly new: Row }
  | { readonly type: 'delete'; readonly table: string; readonly uuid: string; readonly old: Row; readonly new: null };

/**
 * Events were dropped: the subscriber fell more than `capacity` events behind, or the
 * replica was cleared. Read the replica's current state to catch up; events after the
 * gap are delivered normally again.
 */
export interface GapEvent {
  readonly type: 'gap';
  /** `overflow`: the consumer fell behind; `clear`: the replica was cleared. */
  readonly reason: 'overflow' | 'clear';
  /** How many change events were dropped. */
  readonly dropped: number;
}

export type ReplicaEvent<Row = ReplicaRow> = ChangeEvent<Row> | GapEvent;

export interface SubscribeOptions {
  /** Most events held for a slow consumer before they are replaced by one gap (default 10,000). */
  readonly capacity?: number;
  /** Only events of these tables (default: all); generated TableRefs type the events' rows. */
  readonly tables?: readonly (string | TableRef)[];
}

/**
 * A bounded queue of change events for one consumer. Memory stays below `capacity`
 * events: when a consumer falls behind, the queued events are dropped and it gets one
 * `gap` event instead, never a silent loss. Consume with `for await` or `next()`.
 */
export class ChangeSubscription<Row = ReplicaRow> implements AsyncIterableIterator<ReplicaEvent<Row>> {
  readonly capacity: number;
  private readonly tables: ReadonlySet<string> | undefined;
  private queue: ReplicaEvent[] = [];
  private head = 0;
  private dropped = 0;
  private gapReason: GapEvent['reason'] | undefined;
  private waiter: ((result: IteratorResult<ReplicaEvent>) => void) | undefined;
  private closed = false;

  constructor(
    options: SubscribeOptions,
    private readonly onClose: (subscription: object) => void,
    /** Called before every read of the queue: the replica applies what it was handed to apply later. */
    private readonly beforeRead: () => void = () => undefined,
  ) {
    this.capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.tables = options.tables === undefined ? undefined : new Set(options.tables.map((t) => (typeof t === 'string' ? t : t.name)));
  }

  wants(table: string): boolean {
    return this.tables === undefined || this.tables.has(table);
  }

  /** Events queued and not yet taken (a pending gap counts as one). */
  get pending(): number {
    this.beforeRead();
    return this.queue.length - this.head + (this.gapReason !== undefined ? 1 : 0);
  }

  push(event: ChangeEvent): void {
    if (this.closed) return;
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: event, done: false });
      return;
    }
    if (this.gapReason !== undefined) {
      // A gap is pending: the consumer will re-read the state, which includes this change.
      this.dropped++;
      return;
    }
    if (this.queue.length - this.head >= this.capacity) {
      this.dropped = this.queue.length - this.head + 1;
      this.gapReason = 'overflow';
      this.queue = [];
      this.head = 0;
      return;
    }
    this.queue.push(event);
  }

  /** The replica was cleared: everything queued so far is void. */
  cleared(): void {
    if (this.closed) return;
    const dropped = this.queue.length - this.head + this.dropped;
    this.queue = [];
    this.head = 0;
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: { type: 'gap', reason: 'clear', dropped }, done: false });
      return;
    }
    this.dropped = dropped;
    this.gapReason = 'clear';
  }

  /** Takes the next event without waiting; undefined when none is queued. */
  poll(): ReplicaEvent<Row> | undefined {
    this.beforeRead();
    if (this.gapReason !== undefined) {
      const event: GapEvent = { type: 'gap', reason: this.gapReason, dropped: this.dropped };
      this.dropped = 0;
      this.gapReason = undefined;
      return event;
    }
    if (this.head === this.queue.length) return undefined;
    const event = this.queue[this.head] as ReplicaEvent<Row>;
    this.queue[this.head++] = undefined as unknown as ReplicaEvent;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  next(): Promise<IteratorResult<ReplicaEvent<Row>>> {
    const event = this.poll();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter !== undefined) return Promise.reject(new Error('next() called again before the previous call resolved'));
    return new Promise<IteratorResult<ReplicaEvent>>((resolve) => {
      this.waiter = resolve;
    }) as Promise<IteratorResult<ReplicaEvent<Row>>>;
  }

  return(): Promise<IteratorResult<ReplicaEvent<Row>>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.dropped = 0;
    this.gapReason = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
    this.onClose(this);
  }
}
