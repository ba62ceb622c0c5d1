import { HEARTBEAT_INTERVAL_S } from '@ovs-fleet/contracts';
import type { AgentLogger } from '../observability/logger';
import type { HostReporter } from './host-reporter';

export interface HeartbeatOptions {
  reporter: Pick<HostReporter, 'status'>;
  agentStartedAt: number;
  /** The host's OVS as seen now: connection state and version (from the Open_vSwitch row). */
  ovs: () => { connected: boolean; version: string };
  logger: AgentLogger;
  intervalMs?: number;
  /** A heartbeat that failed with this error ends the agent (NOPERM: retrying cannot help). */
  isFatal?: (error: unknown) => boolean;
  onFatal?: (error: Error) => void;
}

/**
 * Writes the status hash every HEARTBEAT_INTERVAL_S (the controller marks a host down after
 * HOST_DOWN_AFTER_S without one): heartbeatAt, agentStartedAt, ovsVersion, ovsdbConnected.
 * Announced on the events channel when the OVSDB connection comes or goes.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private lastConnected: boolean | null = null;
  private failing = false;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    if (this.timer !== null) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs ?? HEARTBEAT_INTERVAL_S * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One heartbeat now; never throws (a failure is logged once until one succeeds). */
  async beat(): Promise<void> {
    const { connected, version } = this.options.ovs();
    try {
      await this.options.reporter.status(
        { heartbeatAt: Date.now(), agentStartedAt: this.options.agentStartedAt, ovsVersion: version, ovsdbConnected: connected },
        connected !== this.lastConnected,
      );
      this.lastConnected = connected;
      if (this.failing) this.options.logger.info('heartbeat written again');
      this.failing = false;
    } catch (error) {
      if (this.options.isFatal?.(error)) {
        this.stop();
        this.options.onFatal?.(error as Error);
        return;
      }
      if (!this.failing) this.options.logger.warn({ err: error }, 'heartbeat failed');
      this.failing = true;
    }
  }
}
