import { Logger } from '@nestjs/common';
import { redisKeys } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';

export type HostEventListener = (hostId: string) => void;

const CHANNEL = /^.+:host:(.+):events$/;

/**
 * The agents' "something new about host H" announcements, fanned out in this process. One
 * PSUBSCRIBE on every host's channel, made on first use, serves every listener; events are
 * hints only (a reader re-reads Redis), so one lost while Redis reconnects costs only latency.
 */
export class HostEvents {
  private readonly logger = new Logger(HostEvents.name);
  private readonly listeners = new Map<string, Set<HostEventListener>>();
  private subscribed: Promise<unknown> | null = null;
  private attached = false;

  constructor(private readonly subscriber: Redis) {}

  /** Calls `listener` with the host id whenever one of `hostIds` announces news. Resolves once subscribed; returns the unsubscribe. */
  async listen(hostIds: Iterable<string>, listener: HostEventListener): Promise<() => void> {
    const hosts = [...new Set(hostIds)];
    for (const hostId of hosts) {
      let set = this.listeners.get(hostId);
      if (!set) this.listeners.set(hostId, (set = new Set()));
      set.add(listener);
    }
    const stop = (): void => {
      for (const hostId of hosts) {
        const set = this.listeners.get(hostId);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(hostId);
      }
    };
    try {
      await this.subscribe();
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /** Listeners currently registered, over all hosts (for tests and diagnostics). */
  get size(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private subscribe(): Promise<unknown> {
    if (!this.attached) {
      this.attached = true;
      this.subscriber.on('pmessage', (pattern: string, channel: string, message: string) => {
        if (pattern === redisKeys.allHostEvents) this.dispatch(message || CHANNEL.exec(channel)?.[1] || '');
      });
    }
    if (!this.subscribed) {
      this.subscribed = this.subscriber.psubscribe(redisKeys.allHostEvents).catch((error: Error) => {
        this.subscribed = null;
        this.logger.warn(`host events not subscribed: ${error.message}`);
        throw error;
      });
    }
    return this.subscribed;
  }

  private dispatch(hostId: string): void {
    const set = this.listeners.get(hostId);
    if (!set) return;
    for (const listener of [...set]) listener(hostId);
  }
}
