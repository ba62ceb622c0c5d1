import type { AttachmentSelector, AttachRequest, AttachResult, RecoveryReport } from '@ovs-fleet/plumbing';
import { attachmentsFromReplica } from '../../planner';
import type { MemoryHost } from '../../planner/testing/memory-host';
import type { PlumbingSteps } from '../converger';

/**
 * The converger's plumbing steps on a MemoryHost, for unit specs: what libs/plumbing would do
 * to the rows and links, each step written to `log` (shared with the transactions, to check
 * the order). Attaches of the containers in `failing` fail, as an attach into a missing
 * namespace does.
 */
export class MemoryPlumbing implements PlumbingSteps {
  readonly failing = new Set<string>();

  constructor(
    private readonly host: MemoryHost,
    private readonly log: string[],
  ) {}

  async recover(): Promise<RecoveryReport> {
    this.log.push('recover');
    return { removedPorts: [], removedLinks: [] };
  }

  async detachMany(selectors: readonly AttachmentSelector[]): Promise<PromiseSettledResult<unknown>[]> {
    const outcomes: PromiseSettledResult<unknown>[] = [];
    for (const selector of selectors) {
      if (!('attachmentId' in selector)) throw new Error('the converger detaches by attachmentId');
      const record = attachmentsFromReplica(this.host.db.replica).find((a) => a.attachmentId === selector.attachmentId);
      if (record === undefined) {
        outcomes.push({ status: 'fulfilled', value: [] });
        continue;
      }
      this.log.push(`detach ${record.containerId}`);
      await this.host.detach(record.hostIfname);
      outcomes.push({ status: 'fulfilled', value: [record] });
    }
    return outcomes;
  }

  async attachMany(requests: readonly AttachRequest[]): Promise<PromiseSettledResult<AttachResult>[]> {
    const outcomes: PromiseSettledResult<AttachResult>[] = [];
    for (const request of requests) {
      this.log.push(`attach ${request.containerId}`);
      try {
        if (this.failing.has(request.containerId!)) throw new Error(`container: namespace of ${request.containerId} does not exist`);
        outcomes.push({ status: 'fulfilled', value: { attachment: await this.host.attach(request), changed: true } });
      } catch (reason) {
        outcomes.push({ status: 'rejected', reason });
      }
    }
    return outcomes;
  }
}
