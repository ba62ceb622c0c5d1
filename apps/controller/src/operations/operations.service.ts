import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { NotFoundError } from '../common/api-errors';
import { REDIS, REDIS_SUBSCRIBER } from '../redis/redis.module';
import { HostAppliedListener, HostAppliedMeter } from './host-applied-meter';
import { HostEvents } from './host-events';
import { MARK_QUEUED_SCRIPT, OPERATION_TTL_S, OperationRecord, operationKey, parseOperation } from './operation-record';
import { isFinal, OperationView } from './operation-status';
import { OperationTracker } from './operation-tracker';

/** The longest `wait` a caller may ask for. */
export const MAX_WAIT_S = 60;

/**
 * Operations as callers see them: looked up, waited for, watched. Waiting is woken by the
 * agents' events through Redis, so a change made through any controller process is seen.
 */
@Injectable()
export class OperationsService {
  private readonly events: HostEvents;
  private readonly meter: HostAppliedMeter;

  constructor(@Inject(REDIS) private readonly redis: Redis, @Inject(REDIS_SUBSCRIBER) subscriber: Redis) {
    this.events = new HostEvents(subscriber);
    this.meter = new HostAppliedMeter(redis);
  }

  /** The stored record; 404 naming `id` when there is no such operation (or it expired). */
  async record(id: string): Promise<OperationRecord> {
    const text = await this.redis.get(operationKey(id));
    if (text === null) throw new NotFoundError('id', `operation "${id}" does not exist (operations are kept ${OPERATION_TTL_S / 86400} days)`);
    return parseOperation(text);
  }

  async get(id: string): Promise<OperationView> {
    const tracker = await OperationTracker.start(this.redis, null, this.meter, await this.record(id));
    return tracker.refresh();
  }

  /** The view as soon as it is final (applied or failed), or when `seconds` (at most 60) have passed. */
  async wait(id: string, seconds: number): Promise<OperationView> {
    if (!(seconds > 0)) return this.get(id);
    const stopAt = Date.now() + Math.min(seconds, MAX_WAIT_S) * 1000;
    const tracker = await OperationTracker.start(this.redis, this.events, this.meter, await this.record(id));
    try {
      let view = await tracker.refresh();
      while (!isFinal(view.state) && Date.now() < stopAt) {
        await tracker.settle(stopAt);
        view = await tracker.refresh();
      }
      return view;
    } finally {
      tracker.close();
    }
  }

  /**
   * Yields the current view, then each view that differs from the last one, and ends after
   * the first final one (at the latest at the operation's deadline). Ending the iteration
   * early (`return()`, e.g. a subscriber leaving) releases it at once.
   */
  watch(id: string): AsyncIterableIterator<OperationView> {
    let tracker: OperationTracker | null = null;
    let last: OperationView | null = null;
    let finished = false;
    const done = (): IteratorResult<OperationView> => {
      finished = true;
      tracker?.close();
      return { done: true, value: undefined };
    };
    const next = async (): Promise<IteratorResult<OperationView>> => {
      if (finished) return { done: true, value: undefined };
      try {
        tracker ??= await OperationTracker.start(this.redis, this.events, this.meter, await this.record(id));
        if (last && isFinal(last.state)) return done();
        for (;;) {
          if (last) await tracker.settle(Infinity);
          if (tracker.isClosed) return done();
          const view = await tracker.refresh();
          if (!last || JSON.stringify(view) !== JSON.stringify(last)) {
            last = view;
            return { done: false, value: view };
          }
        }
      } catch (error) {
        done();
        throw error;
      }
    };
    return {
      next,
      return: async () => done(),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Records when each host's job was queued (after the enqueue that follows the state write). */
  /** Records when each operation's jobs were queued (by host), all in one call. */
  async markQueued(marks: ReadonlyArray<{ id: string; queuedAt: Record<string, number> }>): Promise<void> {
    if (marks.length === 0) return;
    await MARK_QUEUED_SCRIPT.run(this.redis, marks.map((m) => operationKey(m.id)), marks.map((m) => JSON.stringify(m.queuedAt)));
  }

  /**
   * Calls `listener` once per operation and host (over every controller process) when the
   * host is first seen applied, with the latency from acceptance to the host's applied
   * report. For the metrics: wire it to the operation latency histogram. Returns the unsubscribe.
   */
  onHostApplied(listener: HostAppliedListener): () => void {
    return this.meter.onHostApplied(listener);
  }
}
