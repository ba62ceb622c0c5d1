import type { ResolvedHostState } from '@ovs-fleet/contracts';
import { describePlan, type ConvergencePlan, type PlannedResource } from '../planner';
import type { AgentLogger } from '../observability/logger';
import type { AgentMetrics, ReconcileTrigger } from '../observability/metrics';
import type { ApplyReceipts, Converger } from './converger';
import { Mutex } from './mutex';

export interface ReconcileOutcome {
  revision: number;
  plan: ConvergencePlan;
  receipts: ApplyReceipts;
  /** Resources added, changed, removed or repaired. */
  changes: number;
  /** Of those, resources put back after someone else changed them. */
  repaired: number;
  /** The applied revision changed with this run (status hash to update). */
  advanced: boolean;
}

export interface RepairedResource {
  resource: PlannedResource;
  name: string;
  reason: string;
}

const NOTHING_DONE: ApplyReceipts = { committedAt: null, vswitchdAppliedAt: null, linkUpAt: null, interfaceErrors: [] };

/**
 * Converges the host, one run at a time (jobs, the start, the periodic timer and drift share
 * one mutex), and remembers two documents: the last one planned (`target`: what periodic and
 * drift reconciles go back to, so that a half-applied revision is finished rather than undone)
 * and the last one applied in full (tells drift from a change of the document).
 */
export class Reconciler {
  private readonly mutex = new Mutex();
  private target: ResolvedHostState | null = null;
  private applied: ResolvedHostState | null = null;
  private conflictsLogged = '';

  constructor(
    private readonly converger: Converger,
    private readonly metrics: AgentMetrics,
    private readonly logger: AgentLogger,
  ) {}

  /** True while a run is under way or waiting. */
  get busy(): boolean {
    return this.mutex.busy;
  }

  get appliedRevision(): number {
    return this.applied?.revision ?? 0;
  }

  get hasTarget(): boolean {
    return this.target !== null;
  }

  /** Resolves once no run is under way or waiting. */
  idle(): Promise<void> {
    return this.mutex.run(async () => undefined);
  }

  /** Converges to `desired` (a job's document, or the one found at start). */
  converge(desired: ResolvedHostState, trigger: ReconcileTrigger, logger: AgentLogger = this.logger): Promise<ReconcileOutcome> {
    return this.mutex.run(() => this.run(desired, trigger, logger));
  }

  /** Converges again to the last document planned; null when there is none yet. */
  reconcile(trigger: ReconcileTrigger): Promise<ReconcileOutcome | null> {
    return this.mutex.run(async () => (this.target === null ? null : this.run(this.target, trigger, this.logger)));
  }

  private async run(desired: ResolvedHostState, trigger: ReconcileTrigger, logger: AgentLogger): Promise<ReconcileOutcome> {
    const end = this.metrics.reconcileDuration.startTimer({ trigger });
    try {
      const { plan, recovered } = await this.converger.survey(desired, this.applied);
      this.target = desired;
      if (recovered.removedPorts.length > 0 || recovered.removedLinks.length > 0) {
        logger.info({ trigger, removedPorts: recovered.removedPorts, removedLinks: recovered.removedLinks }, 'removed plumbing leftovers');
      }
      this.logConflicts(plan, logger);
      if (!plan.empty) logger.debug({ trigger, steps: describePlan(plan) }, 'plan');
      const receipts = plan.empty ? NOTHING_DONE : await this.converger.apply(plan);
      if (receipts.interfaceErrors.length > 0) logger.warn({ trigger, interfaces: receipts.interfaceErrors }, 'ovs-vswitchd could not open interfaces it was given');

      const advanced = desired.revision !== this.applied?.revision;
      this.applied = desired;
      this.metrics.appliedRevision.set(desired.revision);
      const repaired = repairedResources(plan);
      for (const item of repaired) {
        this.metrics.driftRepairs.inc({ resource: item.resource });
        logger.info({ trigger, revision: desired.revision, ...item }, 'repaired drift');
      }
      const { added, changed, removed } = plan.summary;
      if (!plan.empty) logger.info({ trigger, revision: desired.revision, ...plan.summary }, 'converged');
      end({ outcome: 'applied' });
      return { revision: desired.revision, plan, receipts, changes: added + changed + removed + repaired.length, repaired: repaired.length, advanced };
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }

  /** Conflicts stay until someone resolves them: logged when they change, not on every run. */
  private logConflicts(plan: ConvergencePlan, logger: AgentLogger): void {
    const text = plan.conflicts.map((conflict) => conflict.message).join('\n');
    if (text === this.conflictsLogged) return;
    this.conflictsLogged = text;
    for (const conflict of plan.conflicts) logger.warn({ conflict }, 'left alone');
  }
}

/** One entry per resource the plan puts back (an attachment detached and attached again counts once). */
export function repairedResources(plan: ConvergencePlan): RepairedResource[] {
  const found = new Map<string, RepairedResource>();
  const add = (resource: PlannedResource, name: string, reason: string): void => {
    const key = `${resource} ${name}`;
    if (!found.has(key)) found.set(key, { resource, name, reason });
  };
  for (const attach of plan.namespace.attach) if (attach.cause === 'repaired') add('attachment', attach.attachmentId, attach.reason);
  for (const detach of plan.namespace.detach) if (detach.cause === 'repaired') add('attachment', detach.attachmentId, detach.reason);
  for (const change of plan.ovsdb) if (change.cause === 'repaired') add(change.resource, change.name, change.reason);
  return [...found.values()];
}
