interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads shared by the callers that want them at about the same time: one read in flight at
 * a time, and the keys asked for meanwhile are read together by the next one. That read
 * starts after they were asked for, so each caller sees state at least as fresh as a read
 * of its own would have shown. The values are shared between callers: treat them as read-only.
 */
export class BatchedReads<V> {
  private waiting = new Map<string, Waiter<V>[]>();
  private reading = false;

  /** `readMany` answers the keys it was given; a key it leaves out reads as undefined. */
  constructor(private readonly readMany: (keys: string[]) => Promise<Map<string, V>>) {}

  get(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.reading) void this.readWaiting();
    });
  }

  private async readWaiting(): Promise<void> {
    this.reading = true;
    try {
      while (this.waiting.size > 0) {
        const batch = this.waiting;
        this.waiting = new Map();
        try {
          const values = await this.readMany([...batch.keys()]);
          for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(values.get(key));
        } catch (error) {
          for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
        }
      }
    } finally {
      this.reading = false;
    }
  }
}
