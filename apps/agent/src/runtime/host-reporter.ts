import { REPORTS_KEPT, redisKeys, type ConvergeReport, type HostStatusFields } from '@ovs-fleet/contracts';
import type { ChainableCommander, Redis } from 'ioredis';

type StatusUpdate = Partial<Record<keyof HostStatusFields, string | number | boolean>>;

/**
 * The agent's side of the contract with the controller, on Redis keys its ACL user may
 * write: the status hash, the report stream (capped), the events channel. A report goes with
 * its status update and announcement in one MULTI, so whoever the announcement wakes reads both.
 */
export class HostReporter {
  constructor(
    private readonly redis: Redis,
    readonly hostId: string,
  ) {}

  /** A revision applied: heartbeatAt and appliedRevision, the report, the announcement. */
  applied(report: Extract<ConvergeReport, { kind: 'applied' }>): Promise<void> {
    return this.report(report, { heartbeatAt: Date.now(), appliedRevision: report.revision });
  }

  /** A failed attempt; `final` in the report says whether a retry follows. */
  failed(report: Extract<ConvergeReport, { kind: 'failed' }>): Promise<void> {
    return this.report(report, { heartbeatAt: Date.now() });
  }

  /** Status fields only (heartbeats, an applied revision reached outside a job); announced when `announce`. */
  async status(fields: StatusUpdate, announce = false): Promise<void> {
    const multi = this.redis.multi().hset(redisKeys.hostStatus(this.hostId), stringify(fields));
    if (announce) multi.publish(redisKeys.hostEvents(this.hostId), this.hostId);
    await execOrThrow(multi);
  }

  private async report(report: ConvergeReport, fields: StatusUpdate): Promise<void> {
    await execOrThrow(
      this.redis
        .multi()
        .hset(redisKeys.hostStatus(this.hostId), stringify(fields))
        .xadd(redisKeys.hostReports(this.hostId), 'MAXLEN', '~', REPORTS_KEPT, '*', 'report', JSON.stringify(report))
        .publish(redisKeys.hostEvents(this.hostId), this.hostId),
    );
  }
}

function stringify(fields: StatusUpdate): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
}

/** Runs a MULTI; a command Redis refused (NOPERM, wrong type) rejects with that command's own error, not EXECABORT. */
async function execOrThrow(multi: ChainableCommander): Promise<void> {
  let results: [Error | null, unknown][] | null;
  try {
    results = await multi.exec();
  } catch (error) {
    const previous = (error as { previousErrors?: Error[] }).previousErrors;
    throw previous?.[0] ?? error;
  }
  if (results === null) throw new Error('Redis discarded the transaction');
  for (const [error] of results) if (error) throw error;
}
