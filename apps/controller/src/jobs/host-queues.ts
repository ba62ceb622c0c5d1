import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CONVERGE_JOB, ConvergeJob, KEY_PREFIX, hostQueueName } from '@ovs-fleet/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { redisConnection } from '../redis/redis.module';
import { CONVERGE_JOB_OPTIONS } from './converge-job-options';

/** Redis set of every host id that has a queue, so any controller process can count them all. */
export const HOST_QUEUES_KEY = `${KEY_PREFIX}:queues:hosts`;

/** Job states counted for metrics; the first four are work not yet done (the backlog). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
const BACKLOG_STATES: readonly JobState[] = ['waiting', 'active', 'delayed', 'prioritized'];

export interface ConvergeTarget {
  hostId: string;
  revision: number;
  /** The requests whose changes to the host the job carries. */
  requestIds: string[];
}

/**
 * One BullMQ queue per host (`hostQueueName`), created on first use and cached. Every
 * Queue shares this provider's single Redis connection: a thousand hosts cost one
 * connection, not a thousand (BullMQ does not close a connection it was given).
 */
@Injectable()
export class HostQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(HostQueues.name);
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(@Inject(CONTROLLER_CONFIG) config: Pick<ControllerConfig, 'redisUrl'>) {
    // Pipelined: a change to a thousand hosts queues its thousand jobs in a few writes, not one each.
    this.connection = redisConnection(config.redisUrl, 'ovs-fleet-controller-queues', { autoPipelining: true });
    // Queues forward the connection's errors; it is logged here once, not once per queue.
    this.connection.on('error', (error: Error) => this.logger.warn(`queue connection: ${error.message}`));
  }

  /**
   * Queues "converge host H to revision >= N" for each target, in parallel over the shared
   * connection. Returns when each job was queued (ms since the epoch), by host id.
   */
  async enqueue(targets: readonly ConvergeTarget[]): Promise<Record<string, number>> {
    if (targets.length === 0) return {};
    await this.connection.sadd(HOST_QUEUES_KEY, ...targets.map((target) => target.hostId));
    const queuedAt: Record<string, number> = {};
    await Promise.all(
      targets.map(async ({ hostId, revision, requestIds }) => {
        const queue = this.queueFor(hostId);
        const at = Date.now();
        const job: ConvergeJob = { hostId, revision, requestIds, queuedAt: at };
        // Set with every job, not once per queue: another process may have obliterated the
        // queue (dropHost) and its settings since this one cached it. It costs one HSET.
        await Promise.all([queue.setGlobalConcurrency(1), queue.add(CONVERGE_JOB, job, CONVERGE_JOB_OPTIONS)]);
        queuedAt[hostId] = at;
      }),
    );
    return queuedAt;
  }

  /** Jobs not yet done (waiting, active, delayed, prioritized) over every host queue. */
  async backlog(): Promise<number> {
    const counts = await this.jobCounts();
    return BACKLOG_STATES.reduce((sum, state) => sum + counts[state], 0);
  }

  /** Jobs by state, summed over every host queue (also those created by other processes). */
  async jobCounts(): Promise<Record<JobState, number>> {
    const hostIds = await this.connection.smembers(HOST_QUEUES_KEY);
    const perQueue = await Promise.all(hostIds.map((hostId) => this.queueFor(hostId).getJobCounts(...JOB_STATES)));
    const totals = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const counts of perQueue) for (const state of JOB_STATES) totals[state] += counts[state] ?? 0;
    return totals;
  }

  /** Removes a deleted host's queue and every job in it. */
  async dropHost(hostId: string): Promise<void> {
    const queue = this.queueFor(hostId);
    this.queues.delete(hostId);
    try {
      await queue.obliterate({ force: true });
      await this.connection.srem(HOST_QUEUES_KEY, hostId);
    } finally {
      await queue.close();
    }
  }

  /** The host's queue (a cached Queue object on the shared connection). */
  queueFor(hostId: string): Queue {
    let queue = this.queues.get(hostId);
    if (!queue) {
      queue = new Queue(hostQueueName(hostId), { connection: this.connection });
      queue.on('error', () => undefined); // already logged once on the shared connection
      this.queues.set(hostId, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map((queue) => queue.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
