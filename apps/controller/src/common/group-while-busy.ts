interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

export interface GroupWhileBusyOptions {
  /** At most this many items a call (default: no limit). */
  max?: number;
  /** The first call waits for the end of this turn of the event loop, gathering what else comes in it (default: starts at once). */
  gatherTurn?: boolean;
  /** Runs once nothing is in flight or waiting. */
  onIdle?: () => void;
}

/**
 * One call in flight at a time; the items asked for meanwhile go together in the next one
 * (in the order they came), each answered with its own result.
 */
export class GroupWhileBusy<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private busy = false;

  /** `runMany` answers its items in their order, one result each. */
  constructor(
    private readonly runMany: (items: I[]) => Promise<O[]>,
    private readonly options: GroupWhileBusyOptions = {},
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      if (this.options.gatherTurn) setImmediate(() => void this.drain());
      else void this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.options.max ?? Number.POSITIVE_INFINITY);
      try {
        const results = await this.runMany(group.map((waiting) => waiting.item));
        if (results.length !== group.length) throw new Error(`${results.length} results for ${group.length} items`);
        group.forEach((waiting, i) => waiting.resolve(results[i]));
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    this.busy = false;
    this.options.onIdle?.();
  }
}
