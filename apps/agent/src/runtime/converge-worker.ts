import { hostQueueName, type ConvergeJob } from '@ovs-fleet/contracts';
import { Worker, type Job } from 'bullmq';
import type { AgentLogger } from '../observability/logger';
import { isNoPermission } from './errors';

export interface ConvergeWorkerOptions {
  /** With the agent's own ACL user: redis://agent-h1:PASSWORD@host:port. */
  redisUrl: string;
  hostId: string;
  processor: (job: Job<ConvergeJob>) => Promise<void>;
  /** BullMQ lock on the job in hand (renewed at half of it): a crashed agent's job is retried once it expires. */
  lockMs: number;
  stalledIntervalMs: number;
  logger: AgentLogger;
  /**
   * Redis refused the worker's commands for lack of permission. The worker is already closed:
   * left running, a Worker without access spins at thousands of NOPERM errors a second.
   */
  onNoPermission: (error: Error) => void;
}

/** The one worker of a host's queue: concurrency 1, so jobs of a host never overlap. */
export function startConvergeWorker(options: ConvergeWorkerOptions): Worker<ConvergeJob> {
  const worker = new Worker<ConvergeJob>(hostQueueName(options.hostId), options.processor, {
    connection: { url: options.redisUrl, maxRetriesPerRequest: null },
    concurrency: 1,
    lockDuration: options.lockMs,
    stalledInterval: options.stalledIntervalMs,
  });
  let refused = false;
  let lastError = '';
  worker.on('error', (error) => {
    if (isNoPermission(error)) {
      if (refused) return;
      refused = true;
      void worker.close(true).catch(() => undefined);
      options.onNoPermission(error);
      return;
    }
    // Connection errors repeat while Redis is away: one line per distinct message.
    if (error.message !== lastError) options.logger.warn({ err: error }, 'job queue error');
    lastError = error.message;
  });
  worker.on('ready', () => (lastError = ''));
  return worker;
}
