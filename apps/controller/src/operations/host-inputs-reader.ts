import { ConvergeReport, redisKeys } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';
import type { HostInputs } from './operation-status';

/** Reports read per host and round trip; more pages are read only while they still reach the target. */
export const REPORTS_PAGE = 32;

type StreamEntry = [id: string, fields: string[]];

export interface HostTarget {
  hostId: string;
  targetRevision: number;
}

export function parseReportEntry(fields: readonly string[]): ConvergeReport | null {
  const index = fields.indexOf('report');
  if (index < 0 || index + 1 >= fields.length) return null;
  try {
    const report = JSON.parse(fields[index + 1]) as ConvergeReport;
    const wellFormed =
      (report?.kind === 'applied' && typeof report.receipts === 'object' && report.receipts !== null) ||
      (report?.kind === 'failed' && typeof report.error === 'object' && report.error !== null);
    return wellFormed && Number.isInteger(report.revision) && typeof report.at === 'number' ? report : null;
  } catch {
    return null; // an agent's malformed entry must not break every reader of the operation
  }
}

interface Progress {
  target: HostTarget;
  /** Newest first while reading. */
  reports: ConvergeReport[];
  oldestId: string | null;
  done: boolean;
}

/**
 * Each host's applied revision (status hash) and its reports at or above the target revision,
 * oldest first. Reads newest to oldest a page at a time, pipelined over all hosts, and stops
 * for a host once a page ends or reaches below its target (revisions grow over the stream).
 */
export async function readHostInputs(redis: Redis, targets: readonly HostTarget[]): Promise<Map<string, HostInputs>> {
  const inputs = new Map<string, HostInputs>();
  if (targets.length === 0) return inputs;

  const first = redis.pipeline();
  for (const { hostId } of targets) {
    first.hget(redisKeys.hostStatus(hostId), 'appliedRevision');
    first.xrevrange(redisKeys.hostReports(hostId), '+', '-', 'COUNT', REPORTS_PAGE);
  }
  const results = await execOrThrow(first);
  const progress: Progress[] = targets.map((target, i) => {
    const raw = results[i * 2 + 1] as StreamEntry[];
    const applied = results[i * 2] as string | null;
    inputs.set(target.hostId, { appliedRevision: applied === null || applied === '' ? null : Number(applied), reports: [] });
    return absorb({ target, reports: [], oldestId: null, done: false }, raw);
  });

  let unfinished = progress.filter((p) => !p.done);
  while (unfinished.length > 0) {
    const next = redis.pipeline();
    for (const p of unfinished) next.xrevrange(redisKeys.hostReports(p.target.hostId), `(${p.oldestId}`, '-', 'COUNT', REPORTS_PAGE);
    const pages = await execOrThrow(next);
    unfinished.forEach((p, i) => absorb(p, pages[i] as StreamEntry[]));
    unfinished = unfinished.filter((p) => !p.done);
  }

  for (const p of progress) {
    const entry = inputs.get(p.target.hostId) as HostInputs;
    entry.reports = p.reports.filter((report) => report.revision >= p.target.targetRevision).reverse();
  }
  return inputs;
}

function absorb(progress: Progress, page: readonly StreamEntry[]): Progress {
  for (const [id, fields] of page) {
    progress.oldestId = id;
    const report = parseReportEntry(fields);
    if (report) progress.reports.push(report);
  }
  const oldest = progress.reports[progress.reports.length - 1];
  progress.done = page.length < REPORTS_PAGE || (oldest !== undefined && oldest.revision < progress.target.targetRevision);
  return progress;
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
