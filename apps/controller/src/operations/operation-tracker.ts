import type { Redis } from 'ioredis';
import type { HostAppliedMeter } from './host-applied-meter';
import type { HostEvents } from './host-events';
import { readHostInputs } from './host-inputs-reader';
import type { OperationRecord } from './operation-record';
import { deriveHostView, HostInputs, HostOperationView, NO_INPUTS, operationViewOf, OperationView } from './operation-status';

/** The safety net under the host events: pending hosts are re-read at least this often. */
export const POLL_INTERVAL_MS = 1000;

/**
 * Follows one operation in this process: re-reads only the hosts whose agents announced
 * news (or, at each poll, the hosts still pending), keeping what it read of decided hosts
 * (a host's first decisive report never changes), and derives again only the hosts it read
 * (and, past the deadline, those still pending): the same view deriveOperationView gives,
 * without re-deriving a thousand unchanged hosts at each announcement.
 */
export class OperationTracker {
  private readonly inputs = new Map<string, HostInputs>();
  private readonly views = new Map<string, HostOperationView>();
  private readonly hostIds: string[];
  private readonly dirty: Set<string>;
  private wake: (() => void) | null = null;
  private stopListening: (() => void) | null = null;
  private last: OperationView | null = null;
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly meter: HostAppliedMeter,
    readonly record: OperationRecord,
  ) {
    this.hostIds = Object.keys(record.hosts).sort();
    this.dirty = new Set(this.hostIds);
  }

  /**
   * Starts listening before the first read, so no announcement falls between the two.
   * Without `events` the tracker only polls (enough for a single read).
   */
  static async start(redis: Redis, events: HostEvents | null, meter: HostAppliedMeter, record: OperationRecord): Promise<OperationTracker> {
    const tracker = new OperationTracker(redis, meter, record);
    if (events) {
      tracker.stopListening = await events.listen(Object.keys(record.hosts), (hostId) => {
        tracker.dirty.add(hostId);
        tracker.wake?.();
      });
    }
    return tracker;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Reads what changed and derives the view. */
  async refresh(): Promise<OperationView> {
    const hosts = [...this.dirty];
    this.dirty.clear();
    const fresh = await readHostInputs(
      this.redis,
      hosts.map((hostId) => ({ hostId, targetRevision: this.record.hosts[hostId].targetRevision })),
    );
    const now = Date.now();
    const { record } = this;
    const timing = { createdAt: record.createdAt, deadline: record.deadline };
    const derive = (hostId: string) => this.views.set(hostId, deriveHostView(hostId, record.hosts[hostId], this.inputs.get(hostId) ?? NO_INPUTS, timing, now));
    for (const [hostId, inputs] of fresh) {
      this.inputs.set(hostId, inputs);
      derive(hostId);
    }
    if (now > record.deadline) for (const hostId of this.hostIds) if (this.views.get(hostId)?.state !== 'applied') derive(hostId);
    const view = operationViewOf(record, this.hostIds.map((hostId) => this.views.get(hostId) as HostOperationView));
    await this.meter.observe(this.record, view);
    this.last = view;
    return view;
  }

  /**
   * Resolves when a host announced news, at the next poll, at the operation's deadline (when
   * pending hosts time out), at `until`, or when closed: whichever comes first.
   */
  async settle(until: number): Promise<void> {
    if (this.closed || this.dirty.size > 0) return;
    const now = Date.now();
    const wakeAt = Math.min(now + POLL_INTERVAL_MS, until, this.record.deadline >= now ? this.record.deadline + 1 : Infinity);
    const announced = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, Math.max(0, wakeAt - now));
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
    if (!announced) for (const host of this.last?.hosts ?? []) if (host.state === 'pending') this.dirty.add(host.hostId);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening?.();
    this.wake?.();
  }
}
