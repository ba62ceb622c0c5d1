import type { ConvergeError } from '@ovs-fleet/contracts';
import { describeError, FleetError } from '@ovs-fleet/errors';

/** The host has no desired-state document: nothing to converge to until the controller writes one. */
export class NoDesiredStateError extends FleetError {
  readonly code = 'NO_DESIRED_STATE';

  constructor(hostId: string) {
    super(`no desired state for host ${hostId}`);
  }
}

/** The document is older than the job asks for (a lagging Redis replica): read again later. */
export class DesiredStateBehindError extends FleetError {
  readonly code = 'DESIRED_STATE_BEHIND';
  override readonly retryable = true;

  constructor(found: number, wanted: number) {
    super(`desired state is at revision ${found}, the job asks for ${wanted} or later`);
  }
}

/** The document cannot be read as a desired state of this host (not JSON, another schema, another host). */
export class UnreadableDesiredStateError extends FleetError {
  readonly code = 'DESIRED_STATE_UNREADABLE';

  constructor(problem: string) {
    super(`desired state: ${problem}`);
  }
}

export interface PlumbingFailure {
  attachmentId: string;
  reason: unknown;
}

function describeFailures(failures: readonly PlumbingFailure[]): string {
  return failures.map((f) => `attachment ${f.attachmentId}: ${f.reason instanceof Error ? f.reason.message : String(f.reason)}`).join('; ');
}

/** Some attachments could not be plumbed; the others were. A container not yet running may be there on a retry. */
export class AttachFailedError extends FleetError {
  readonly code = 'ATTACH_FAILED';
  override readonly retryable = true;

  constructor(readonly failures: readonly PlumbingFailure[]) {
    super(describeFailures(failures));
  }
}

/** Some attachments could not be detached; nothing after the detaches was done. */
export class DetachFailedError extends FleetError {
  readonly code = 'DETACH_FAILED';
  override readonly retryable = true;

  constructor(readonly failures: readonly PlumbingFailure[]) {
    super(describeFailures(failures));
  }
}

/** Redis refused a command for lack of permission (ACL): nothing this agent can retry its way out of. */
export function isNoPermission(error: unknown): boolean {
  return error instanceof Error && /\bNOPERM\b/.test(error.message);
}

/**
 * What a thrown value says for a report: describeError (FleetErrors speak for themselves,
 * anything else is a final INTERNAL error), except that Redis refusing a command for lack of
 * permission is named as such.
 */
export function classifyError(error: unknown): ConvergeError {
  if (isNoPermission(error)) return { code: 'NOPERM', message: (error as Error).message, retryable: false };
  return describeError(error);
}
