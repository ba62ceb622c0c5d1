import { Injectable } from '@nestjs/common';
import { AgentPlan, PLAN_JOB, PlanJob, ResolvedHostState } from '@ovs-fleet/contracts';
import { HostQueues } from './host-queues';

/** What a host's agent answered to a dry run, or why there is no answer. */
export type AgentPlanAnswer = { answered: true; plan: AgentPlan } | { answered: false; reason: string };

/**
 * Asks a host's agent, through its queue, what it would do to bring the host to a document:
 * the exact OVSDB operations and `ip` steps, applying nothing. The question waits behind the
 * host's converge jobs (one job at a time per host); a host whose agent does not answer in
 * time is answered with the reason, and the question is withdrawn.
 */
@Injectable()
export class AgentPlans {
  constructor(private readonly queues: HostQueues) {}

  async ask(document: ResolvedHostState, requestId: string | null, timeoutMs = 5000): Promise<AgentPlanAnswer> {
    const queue = this.queues.queueFor(document.hostId);
    const data: PlanJob = { hostId: document.hostId, document, requestId };
    const job = await queue.add(PLAN_JOB, data, { attempts: 1, removeOnComplete: { age: 300 }, removeOnFail: { age: 300 } });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await queue.getJob(job.id as string);
      if (now?.finishedOn) {
        return now.failedReason ? { answered: false, reason: `the agent could not plan: ${now.failedReason}` } : { answered: true, plan: now.returnvalue as AgentPlan };
      }
      if (Date.now() > deadline) {
        await now?.remove().catch(() => undefined);
        return { answered: false, reason: `the agent of host ${document.hostId} did not answer within ${timeoutMs / 1000} s` };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
