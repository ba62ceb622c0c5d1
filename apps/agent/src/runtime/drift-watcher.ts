import type { ChangeSubscription, Replica } from '@ovs-fleet/ovsdb';
import type { AgentLogger } from '../observability/logger';
import { driftSignal, plumbingSignals } from './drift-signals';
import type { LinkLister } from './host-probe';

export interface DriftWatcherOptions {
  replica: Replica;
  listLinks: LinkLister;
  /** How often veths and container namespaces are looked at. */
  pollMs: number;
  /** Signals within this long of the first become one call of onDrift. */
  debounceMs: number;
  onDrift: (reasons: string[]) => void;
  logger: AgentLogger;
  /** Inode of a namespace file (default: stat); null when it is gone. */
  namespaceInode?: (path: string) => Promise<number | null>;
}

/**
 * Watches the host for changes the agent did not make: replica events on rows we own, and
 * (polled) veths or container namespaces of ours that vanished. Between `begin()` and
 * `settled()` the agent itself changes the host: what is seen then is remembered and looked at
 * once it is done, since someone else may have changed something at the same time.
 */
export class DriftWatcher {
  private subscription: ChangeSubscription | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private readonly reasons = new Set<string>();
  private seenWhileBusy: string | null = null;
  private busy = 0;
  private polling = false;
  private suspendedUntil = 0;

  constructor(private readonly options: DriftWatcherOptions) {}

  start(): void {
    if (this.subscription !== null) return;
    const subscription = this.options.replica.subscribe({ tables: ['Bridge', 'Port', 'Interface'] });
    this.subscription = subscription;
    void this.consume(subscription);
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs);
    this.pollTimer.unref();
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = null;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer);
    this.pollTimer = null;
    this.debounceTimer = null;
    this.reasons.clear();
  }

  /** The agent starts changing the host (a job, a reconcile): its changes are not drift. */
  begin(): void {
    this.busy++;
  }

  /**
   * The agent finished changing the host. With `recheck` (it succeeded), anything of ours that
   * changed meanwhile is looked at again (its own changes then plan to nothing); after a
   * failure it is not, or a failing reconcile would trigger itself forever.
   */
  settled(recheck: boolean): void {
    // The replica events of its last transaction are still being handed out: let them arrive first.
    setImmediate(() => {
      this.busy = Math.max(0, this.busy - 1);
      if (this.busy > 0) return;
      const reason = this.seenWhileBusy;
      this.seenWhileBusy = null;
      if (recheck && reason !== null && this.subscription !== null) this.signal(`${reason} (during a reconcile)`);
    });
  }

  /** No drift reconcile before this time (ms since the epoch): backs off after failures. */
  suspendUntil(time: number): void {
    this.suspendedUntil = time;
  }

  private async consume(subscription: ChangeSubscription): Promise<void> {
    for await (const event of subscription) {
      const reason = driftSignal(event, this.options.replica);
      if (reason === null) continue;
      if (this.busy > 0) this.seenWhileBusy ??= reason;
      else this.signal(reason);
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.busy > 0) return;
    this.polling = true;
    try {
      const signals = await plumbingSignals(this.options.replica, this.options.listLinks, this.options.namespaceInode);
      // A reconcile that started meanwhile may be the cause: let it settle instead.
      if (this.busy > 0) return;
      for (const reason of signals) this.signal(reason);
    } catch (error) {
      this.options.logger.debug({ err: error }, 'link poll failed');
    } finally {
      this.polling = false;
    }
  }

  private signal(reason: string): void {
    this.reasons.add(reason);
    if (this.debounceTimer !== null) return;
    const delay = Math.max(this.options.debounceMs, this.suspendedUntil - Date.now());
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      const reasons = [...this.reasons];
      this.reasons.clear();
      if (this.busy > 0) {
        this.seenWhileBusy ??= reasons[0];
        return;
      }
      this.options.onDrift(reasons);
    }, delay);
    this.debounceTimer.unref();
  }
}
