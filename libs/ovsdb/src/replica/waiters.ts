interface Waiter {
  readonly predicate: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Promises that resolve once a condition holds, re-checked each time `check()` is called. */
export class Waiters {
  private readonly pending = new Set<Waiter>();

  constructor(private readonly timeoutError: (timeoutMs: number) => Error) {}

  /** Resolves when `predicate` holds (checked now and on every `check()`); rejects after `timeoutMs` if given. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { predicate, resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.pending.delete(waiter);
          reject(this.timeoutError(timeoutMs));
        }, timeoutMs);
      }
      this.pending.add(waiter);
    });
  }

  check(): void {
    // Called after every notification applied: no iterator when nobody waits (nearly always).
    if (this.pending.size === 0) return;
    for (const waiter of this.pending) {
      let done: boolean;
      try {
        done = waiter.predicate();
      } catch (error) {
        this.settle(waiter);
        waiter.reject(error as Error);
        continue;
      }
      if (!done) continue;
      this.settle(waiter);
      waiter.resolve();
    }
  }

  private settle(waiter: Waiter): void {
    this.pending.delete(waiter);
    clearTimeout(waiter.timer);
  }
}
