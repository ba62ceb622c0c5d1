import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ConvergeReport, HOST_DOWN_AFTER_S, redisKeys } from '@ovs-fleet/contracts';
import { REDIS } from '../redis/redis.module';
import { stateKeys } from '../state/state-keys';
import type { HostStatusView } from './host.dto';

/** What the hosts' agents report, as the API shows it: read from their status hashes and report streams. */
@Injectable()
export class HostStatusReader {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async statusOf(hostIds: string[], now = Date.now()): Promise<Map<string, HostStatusView>> {
    const pipeline = this.redis.pipeline();
    for (const id of hostIds) {
      pipeline.hgetall(redisKeys.hostStatus(id)).xrevrange(redisKeys.hostReports(id), '+', '-', 'COUNT', 1).get(stateKeys.hostRevision(id));
    }
    const results = (await pipeline.exec()) ?? [];
    const views = new Map<string, HostStatusView>();
    hostIds.forEach((id, i) => {
      const fields = (results[i * 3]?.[1] ?? {}) as Record<string, string>;
      const last = (results[i * 3 + 1]?.[1] ?? []) as [string, string[]][];
      const desiredRevision = Number(results[i * 3 + 2]?.[1] ?? 0);
      const heartbeatAt = fields.heartbeatAt ? Number(fields.heartbeatAt) : null;
      const appliedRevision = Number(fields.appliedRevision ?? 0);
      const report = last[0] ? parseReport(last[0][1]) : null;
      const age = heartbeatAt === null ? null : Math.max(0, Math.round((now - heartbeatAt) / 100) / 10);
      views.set(id, {
        connected: age !== null && age < HOST_DOWN_AFTER_S,
        lastHeartbeat: heartbeatAt === null ? null : new Date(heartbeatAt).toISOString(),
        heartbeatAgeSeconds: age,
        ovsVersion: fields.ovsVersion || null,
        appliedRevision,
        desiredRevision,
        error: report?.kind === 'failed' && report.revision > appliedRevision ? { revision: report.revision, ...report.error, final: report.final, at: new Date(report.at).toISOString() } : null,
      });
    });
    return views;
  }
}

function parseReport(fields: string[]): ConvergeReport | null {
  const index = fields.indexOf('report');
  if (index < 0) return null;
  try {
    return JSON.parse(fields[index + 1]) as ConvergeReport;
  } catch {
    return null;
  }
}
