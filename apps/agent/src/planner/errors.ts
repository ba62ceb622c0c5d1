/**
 * The desired-state document cannot be planned: `field` names the offending part
 * (`tunnels[2].key`, `attachments[0].gateway`). Planning changes nothing, so the agent
 * reports it as a failed, non-retryable revision.
 */
export class DesiredStateError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'DesiredStateError';
  }
}
