export interface BackoffOptions {
  /** Ceiling of the first jittered delay (default 100 ms). */
  initialDelayMs?: number;
  /** Largest ceiling (default 8000 ms, as OVS's reconnect default max_backoff). */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1) (default Math.random); injectable for tests. */
  random?: () => number;
}

/**
 * Reconnect delays: exponential backoff with full jitter (each delay uniform in
 * [0, min(max, initial * 2^n))), which spreads a fleet of clients that lost the same
 * server instead of having them return in lockstep. After a connection that was up and
 * was dropped, the first retry is immediate: the usual cause is a server restart, and the
 * server is often back before any delay would end.
 */
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private failures = 0;
  private immediateNext = false;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.random = options.random ?? Math.random;
    if (!(this.initialDelayMs > 0) || !(this.maxDelayMs >= this.initialDelayMs)) {
      throw new RangeError(`backoff needs 0 < initialDelayMs <= maxDelayMs (got ${this.initialDelayMs}, ${this.maxDelayMs})`);
    }
  }

  /** Consecutive failed attempts since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** The current ceiling: min(max, initial * 2^failures). */
  get ceilingMs(): number {
    // 2^failures overflows to Infinity harmlessly; Math.min caps it.
    return Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.failures);
  }

  /** The delay before the next attempt; counts one more failure. */
  nextDelayMs(): number {
    if (this.immediateNext) {
      this.immediateNext = false;
      return 0;
    }
    const delay = Math.floor(this.random() * this.ceilingMs);
    this.failures++;
    return delay;
  }

  /** A connection succeeded: start again from the smallest delays. */
  succeeded(): void {
    this.failures = 0;
    this.immediateNext = false;
  }

  /** An established connection was dropped by the peer: retry at once, then back off. */
  droppedByPeer(): void {
    this.failures = 0;
    this.immediateNext = true;
  }
}
