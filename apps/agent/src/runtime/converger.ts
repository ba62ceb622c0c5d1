import type { ResolvedHostState } from '@ovs-fleet/contracts';
import { commands, type CommandTarget, type InterfaceSetupError } from '@ovs-fleet/ovsdb';
import type { AttachmentSelector, AttachRequest, AttachResult, RecoveryReport } from '@ovs-fleet/plumbing';
import { actualStateFromReplica, planConvergence, toCommandBatch, type ConvergencePlan, type HostProbe, type ReplicaReader } from '../planner';
import { AttachFailedError, DetachFailedError, type PlumbingFailure } from './errors';

/** What the converger needs of libs/plumbing's Plumber. */
export interface PlumbingSteps {
  recover(): Promise<RecoveryReport>;
  detachMany(selectors: readonly AttachmentSelector[]): Promise<PromiseSettledResult<unknown>[]>;
  attachMany(requests: readonly AttachRequest[]): Promise<PromiseSettledResult<AttachResult>[]>;
}

export interface ConvergerOptions {
  /** The host's OVSDB replica and its transactions (an OvsdbIdl). */
  ovsdb: CommandTarget;
  plumbing: PlumbingSteps;
  /** The host outside OVSDB, looked at now (probeHost). */
  probe: (replica: ReplicaReader) => Promise<HostProbe>;
  vswitchdTimeoutMs: number;
  now?: () => number;
}

/** A plan made against the host as it is now, ready to apply. */
export interface Survey {
  plan: ConvergencePlan;
  /** Crash leftovers and veths whose port was deleted by hand, removed before planning. */
  recovered: RecoveryReport;
}

/** When each step took effect (ms since the epoch); null for a step the plan did not need. */
export interface ApplyReceipts {
  committedAt: number | null;
  vswitchdAppliedAt: number | null;
  linkUpAt: number | null;
  /** Interfaces the transaction added that ovs-vswitchd could not open. */
  interfaceErrors: readonly InterfaceSetupError[];
}

/**
 * Brings the host to a desired-state document, in two steps: `survey` (clear plumbing
 * leftovers, look at the host, plan: a bad document throws here, before anything of the
 * document is done) and `apply` (detaches, ONE OVSDB transaction that waits for
 * ovs-vswitchd, attaches). Not reentrant: the caller serialises.
 */
export class Converger {
  private readonly now: () => number;

  constructor(private readonly options: ConvergerOptions) {
    this.now = options.now ?? Date.now;
  }

  async survey(desired: ResolvedHostState, applied: ResolvedHostState | null): Promise<Survey> {
    const recovered = await this.options.plumbing.recover();
    const replica = this.options.ovsdb.replica;
    const probe = await this.options.probe(replica);
    const plan = planConvergence(desired, actualStateFromReplica(replica, probe), { applied });
    return { plan, recovered };
  }

  async apply(plan: ConvergencePlan): Promise<ApplyReceipts> {
    const receipts: ApplyReceipts = { committedAt: null, vswitchdAppliedAt: null, linkUpAt: null, interfaceErrors: [] };
    /** When the first plumbing step returned: its own OVSDB transaction had committed and ovs-vswitchd had applied it. */
    let plumbedAt: number | null = null;
    // Their ports leave before a bridge of theirs may go in the transaction (one transaction, one ip batch).
    if (plan.namespace.detach.length > 0) {
      const outcomes = await this.options.plumbing.detachMany(plan.namespace.detach.map((detach) => detach.selector));
      const failures = failed(outcomes, plan.namespace.detach);
      if (failures.length > 0) throw new DetachFailedError(failures);
      plumbedAt = this.now();
    }

    if (plan.ovsdb.length > 0) {
      const ovsdb = this.options.ovsdb;
      // The batch waits for ovs-vswitchd after the commit: the reply's arrival is the commit time.
      const timed: CommandTarget = {
        replica: ovsdb.replica,
        transact: async (ops, options) => {
          const results = await ovsdb.transact(ops, options);
          receipts.committedAt = this.now();
          return results;
        },
      };
      const result = await toCommandBatch(plan, commands(timed)).execute({
        waitForVswitchd: true,
        timeoutMs: this.options.vswitchdTimeoutMs,
        comment: `ovs-fleet: host ${plan.hostId} revision ${plan.revision}`,
      });
      if (result.status === 'success') receipts.vswitchdAppliedAt = this.now();
      receipts.interfaceErrors = result.interfaceErrors;
    }

    if (plan.namespace.attach.length > 0) {
      const outcomes = await this.options.plumbing.attachMany(plan.namespace.attach.map((attach) => attach.request));
      const failures = failed(outcomes, plan.namespace.attach);
      if (failures.length > 0) throw new AttachFailedError(failures);
      receipts.linkUpAt = this.now();
      plumbedAt ??= receipts.linkUpAt;
    }
    // A plan of attaches or detaches only has no transaction of its own, but libs/plumbing's
    // steps each are one, waited for until ovs-vswitchd applied it: those are the receipts then.
    if (receipts.committedAt === null && plumbedAt !== null) receipts.committedAt = receipts.vswitchdAppliedAt = plumbedAt;
    return receipts;
  }
}

function failed(outcomes: readonly PromiseSettledResult<unknown>[], steps: readonly { attachmentId: string }[]): PlumbingFailure[] {
  return outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ attachmentId: steps[i].attachmentId, reason: outcome.reason as unknown }] : []));
}
