import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { OPERATION_TTL_S, OperationRecord, operationKey } from './operation-record';
import type { OperationView } from './operation-status';

export interface HostAppliedEvent {
  operationId: string;
  kind: string;
  hostId: string;
  /** ms since the epoch: when the operation was accepted, and when the host reported it applied. */
  createdAt: number;
  appliedAt: number;
  latencyMs: number;
}

export type HostAppliedListener = (event: HostAppliedEvent) => void;

/** (operation, host) pairs this process already handled, remembered up to this many. */
const REMEMBERED = 100_000;

/**
 * Tells listeners (metrics) once per operation and host, across every controller process,
 * that the host applied the operation. States are derived when read, so "turned applied" is
 * seen by whichever process reads it first: that process claims the pair in Redis (HSETNX),
 * and only the claimant tells its listeners. An operation nobody reads is not measured.
 */
export class HostAppliedMeter {
  private readonly logger = new Logger(HostAppliedMeter.name);
  private readonly listeners = new Set<HostAppliedListener>();
  private readonly handled = new Set<string>();

  constructor(private readonly redis: Redis) {}

  onHostApplied(listener: HostAppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never throws: a failed claim loses one measurement, not the caller's answer. */
  async observe(record: OperationRecord, view: OperationView): Promise<void> {
    if (this.listeners.size === 0) return;
    const fresh = view.hosts.filter((host) => host.state === 'applied' && host.receipts.appliedAt !== null && !this.handled.has(`${record.id}/${host.hostId}`));
    if (fresh.length === 0) return;
    for (const host of fresh) this.remember(`${record.id}/${host.hostId}`);
    const key = `${operationKey(record.id)}:metered`;
    try {
      const pipeline = this.redis.pipeline();
      for (const host of fresh) pipeline.hsetnx(key, host.hostId, '1');
      pipeline.expire(key, OPERATION_TTL_S);
      const results = (await pipeline.exec()) ?? [];
      fresh.forEach((host, i) => {
        if (results[i]?.[1] !== 1) return; // another process measured it
        const appliedAt = Date.parse(host.receipts.appliedAt as string);
        const event: HostAppliedEvent = { operationId: record.id, kind: record.kind, hostId: host.hostId, createdAt: record.createdAt, appliedAt, latencyMs: appliedAt - record.createdAt };
        for (const listener of this.listeners) listener(event);
      });
    } catch (error) {
      this.logger.warn(`operation ${record.id}: host latency not recorded: ${(error as Error).message}`);
    }
  }

  private remember(pair: string): void {
    this.handled.add(pair);
    if (this.handled.size > REMEMBERED) this.handled.delete(this.handled.values().next().value as string);
  }
}
