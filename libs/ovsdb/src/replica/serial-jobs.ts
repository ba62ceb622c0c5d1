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
 * their turn. So work is never reordered, and small jobs complete before `submit` returns.
 */
export class SerialJobs {
  private readonly queue: Queued[] = [];
  private running = false;
  private sliceStart = 0;
  private submittedSeq = 0;
  private completedSeq = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly onCompleted: (seq: number) => void,
  ) {}

  get submitted(): number {
    return this.submittedSeq;
  }

  get completed(): number {
    return this.completedSeq;
  }

  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Queues a job; the promise settles when it has run (it is marked handled: callers may ignore it). */
  submit(job: Job): { seq: number; done: Promise<void> } {
    const seq = ++this.submittedSeq;
    let entry!: Queued;
    const done = new Promise<void>((resolve, reject) => {
      entry = { job, seq, resolve, reject };
    });
    done.catch(() => undefined);
    this.queue.push(entry);
    if (!this.running) this.drain();
    return { seq, done };
  }

  shouldYield(): boolean {
    return performance.now() - this.sliceStart > this.sliceMs;
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
        this.completedSeq = entry.seq;
        entry.reject(error);
        this.onCompleted(entry.seq);
        continue;
      }
      if (!finished) {
        setImmediate(() => this.drain());
        return;
      }
      this.queue.shift();
      this.completedSeq = entry.seq;
      entry.resolve();
      this.onCompleted(entry.seq);
    }
    this.running = false;
  }
}
