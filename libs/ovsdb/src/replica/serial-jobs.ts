import { performance } from 'node:perf_hooks';

/** A unit of work that yields whenever `SerialJobs.shouldYield()` says its time slice is used up. */
export type Job = Iterator<void, void, void>;

interface Queued {
  readonly job: Job;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs jobs strictly one after another in submission order. A job runs synchronously
 * inside `submit` when nothing is ahead of it; a long job gives the event loop a turn
 * (setImmediate) each time its slice exceeds `sliceMs`, and jobs submitted meanwhile wait
 * their turn (`running` covers a job part-way through). So work is never reordered, and
 * small jobs complete before `submit` returns. A job handed in with `submitLater` runs
 * when `settle()` is called or once the event loop has finished its current I/O,
 * whichever comes first, still in order.
 */
export class SerialJobs {
  private readonly queue: Queued[] = [];
  /** Jobs handed in with submitLater and not run yet, in order; nothing is queued or running while there are any. */
  private later: { readonly job: Job; readonly seq: number }[] = [];
  private laterScheduled = false;
  /** settle() as a callback, made once. */
  private readonly settleLater = (): void => {
    this.laterScheduled = false;
    this.settle();
  };
  private running = false;
  private sliceStart = 0;
  private submittedSeq = 0;
  private completedSeq = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly onCompleted: (seq: number) => void,
    private readonly onFailed: (error: unknown) => void,
  ) {}

  get submitted(): number {
    return this.submittedSeq;
  }

  get completed(): number {
    return this.completedSeq;
  }

  /** A job is queued or part-way through (a yielded job stays queued until it finishes); not counting submitLater's not started yet. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Queues a job; the promise settles when it has run (it is marked handled: callers may
   * ignore it, failures also go to `onFailed`). A job with nothing ahead of it runs at once,
   * and when it finishes without yielding (every small notification) no promise is made for
   * it: the hot path of a client applying one update per transaction. Its sequence number
   * is `submitted` right after the call.
   */
  submit(job: Job): Promise<void> {
    this.settle();
    const seq = ++this.submittedSeq;
    if (this.running || this.queue.length > 0) return this.enqueue(job, seq);
    return this.runNow(job, seq);
  }

  /**
   * Queues a job to run later: at the latest once the event loop has finished the I/O it
   * is handling (setImmediate), or as soon as someone calls settle() (every read of the
   * replica does), whichever comes first, in order with every other job. Its sequence
   * number is `submitted` right after the call. A failure goes to `onFailed` only.
   */
  submitLater(job: Job): void {
    const seq = ++this.submittedSeq;
    if (this.running || this.queue.length > 0) {
      void this.enqueue(job, seq);
      return;
    }
    this.later.push({ job, seq });
    if (!this.laterScheduled) {
      this.laterScheduled = true;
      setImmediate(this.settleLater);
    }
  }

  /** Runs the jobs handed in with submitLater now (unless a job is running: they then run after it, in order). */
  settle(): void {
    if (this.later.length === 0 || this.running) return;
    const later = this.later;
    this.later = [];
    for (const { job, seq } of later) {
      if (this.queue.length > 0) void this.enqueue(job, seq);
      else void this.runNow(job, seq);
    }
  }

  /** Runs a job with nothing ahead of it; when it yields, the rest waits its turn like any queued job. */
  private runNow(job: Job, seq: number): Promise<void> {
    this.running = true;
    this.sliceStart = performance.now();
    let finished: boolean;
    try {
      finished = job.next().done === true;
    } catch (error) {
      this.finish(seq);
      this.running = false;
      this.onFailed(error);
      const failed = Promise.reject(error);
      failed.catch(() => undefined);
      return failed;
    }
    if (finished) {
      this.finish(seq);
      this.running = false;
      return DONE;
    }
    // It yielded (still `running`).
    const done = this.enqueue(job, seq);
    setImmediate(() => this.drain());
    return done;
  }

  shouldYield(): boolean {
    return performance.now() - this.sliceStart > this.sliceMs;
  }

  private enqueue(job: Job, seq: number): Promise<void> {
    let entry!: Queued;
    const done = new Promise<void>((resolve, reject) => {
      entry = { job, seq, resolve, reject };
    });
    done.catch(() => undefined);
    this.queue.push(entry);
    return done;
  }

  private finish(seq: number): void {
    this.completedSeq = seq;
    this.onCompleted(seq);
  }

  private drain(): void {
    this.running = true;
    this.sliceStart = performance.now();
    while (this.queue.length > 0) {
      const entry = this.queue[0];
      let finished: boolean;
      try {
        finished = entry.job.next().done === true;
      } catch (error) {
        this.queue.shift();
        entry.reject(error);
        this.finish(entry.seq);
        this.onFailed(error);
        continue;
      }
      if (!finished) {
        setImmediate(() => this.drain());
        return;
      }
      this.queue.shift();
      entry.resolve();
      this.finish(entry.seq);
    }
    this.running = false;
  }
}

const DONE: Promise<void> = Promise.resolve();
