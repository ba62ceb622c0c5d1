/**
 * The one error base of ovs-fleet's libraries. `code` is a stable machine-readable name
 * (reports, metrics, API error bodies); `retryable` says whether the same call may succeed if
 * repeated (after a reconnect or a pause): the agent retries a job on a retryable error and
 * fails it at once otherwise.
 */
export abstract class FleetError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What any thrown value says about itself, for reports: FleetErrors speak for themselves, anything else is an unexpected, non-retryable INTERNAL error. */
export function describeError(error: unknown): { code: string; message: string; retryable: boolean } {
  if (error instanceof FleetError) return { code: error.code, message: error.message, retryable: error.retryable };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), retryable: false };
}
