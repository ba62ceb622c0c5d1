interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * One call in flight at a time; the items asked for meanwhile go together in the next one
 * (in the order they came, at most `max` a call), each answered with its own result. A
 * lone caller waits for nothing: its call starts at once. `onIdle` runs once nothing is in
 * flight or waiting.
 */
export class GroupWhileBusy<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private busy = false;

  /** `runMany` answers its items in their order, one result each. */
  constructor(
    private readonly runMany: (items: I[]) => Promise<O[]>,
    private readonly max = Number.POSITIVE_INFINITY,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.max);
      try {
        const results = await this.runMany(group.map((waiting) => waiting.item));
        if (results.length !== group.length) throw new Error(`${results.length} results for ${group.length} items`);
        group.forEach((waiting, i) => waiting.resolve(results[i]));
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    this.busy = false;
    this.onIdle();
  }
}
