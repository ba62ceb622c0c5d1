import { FleetError } from '@ovs-fleet/errors';

/**
 * The desired-state document cannot be planned: `field` names the offending part
 * (`tunnels[2].key`, `attachments[0].gateway`). Planning changes nothing, so the agent
 * reports it as a failed, non-retryable revision.
 */
export class DesiredStateError extends FleetError {
  readonly code = 'DESIRED_STATE_INVALID';

  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
