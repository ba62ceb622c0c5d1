import type { AgentPlan, PlanJob } from '@ovs-fleet/contracts';
import type { Replica } from '@ovs-fleet/ovsdb';
import { UnrecoverableError, type Job } from 'bullmq';
import type { HostProbe } from '../planner';
import { actualStateFromReplica, describePlan, dryRunOperations, planConvergence } from '../planner';

export interface PlanJobOptions {
  hostId: string;
  replica: Replica;
  probe: (replica: Replica) => Promise<HostProbe>;
}

/**
 * Answers a controller's dry run: the plan that would bring this host to the document in the
 * job (the exact OVSDB operations and the steps), computed against the host as it is now.
 * Applies nothing and changes nothing (no leftover clean-up either).
 */
export function planJobProcessor(options: PlanJobOptions): (job: Job<PlanJob>) => Promise<AgentPlan> {
  return async (job) => {
    const { document } = job.data;
    if (document?.hostId !== options.hostId) throw new UnrecoverableError(`a plan for host ${String(document?.hostId)} sent to the agent of ${options.hostId}`);
    const plan = planConvergence(document, actualStateFromReplica(options.replica, await options.probe(options.replica)));
    return {
      hostId: options.hostId,
      revision: document.revision,
      steps: describePlan(plan),
      ovsdbOperations: plan.ovsdb.length > 0 ? await dryRunOperations(plan, options.replica) : [],
      conflicts: plan.conflicts.map((conflict) => conflict.message),
      empty: plan.empty,
    };
  };
}
