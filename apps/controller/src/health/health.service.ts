import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { HEALTH_SOURCES, HealthSources, HostAge } from './health-sources';

/** How long any one probe may take before it counts as failed: a health check must answer quickly. */
export const PROBE_TIMEOUT_MS = 1000;

export interface HealthReport {
  status: 'ok' | 'degraded';
  redis: 'up' | 'down';
  /** null when the backlog could not be read. */
  queueBacklog: number | null;
  /** null when the hosts could not be read. */
  hosts: HostAge[] | null;
  uptimeSeconds: number;
}

class ProbeTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs a probe; a failure or a timeout is `failed`, never an exception. */
async function probe<T>(work: () => Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    const pending = work();
    pending.catch(() => undefined); // a late rejection after the timeout is not unhandled
    return { ok: true, value: await withTimeout(pending, ms) };
  } catch {
    return { ok: false };
  }
}

@Injectable()
export class HealthService {
  private readonly sources: HealthSources;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() @Inject(HEALTH_SOURCES) sources?: HealthSources,
  ) {
    this.sources = sources ?? {};
  }

  async check(timeoutMs = PROBE_TIMEOUT_MS): Promise<HealthReport> {
    const { queueBacklog, hosts } = this.sources;
    const [ping, backlog, seen] = await Promise.all([
      probe(() => this.redis.ping(), timeoutMs),
      queueBacklog ? probe(queueBacklog, timeoutMs) : Promise.resolve({ ok: true as const, value: 0 }),
      hosts ? probe(hosts, timeoutMs) : Promise.resolve({ ok: true as const, value: [] as HostAge[] }),
    ]);
    const redisUp = ping.ok && ping.value === 'PONG';
    return {
      status: redisUp && backlog.ok && seen.ok ? 'ok' : 'degraded',
      redis: redisUp ? 'up' : 'down',
      queueBacklog: backlog.ok ? backlog.value : null,
      hosts: seen.ok ? seen.value : null,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
