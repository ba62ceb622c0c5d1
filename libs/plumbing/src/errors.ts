import { AttachSpec } from './types';

/** A different request for a (container, interface) that is already attached, or one being attached. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly fields: (keyof AttachSpec)[] = [],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** An attach failed at `step`; everything it had done was undone (see `rollbackErrors` if not). */
export class AttachError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
    readonly rollbackErrors: unknown[],
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const rollback = rollbackErrors.length === 0 ? 'rolled back' : `rollback incomplete: ${rollbackErrors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`;
    super(`attach failed at ${step}: ${why} (${rollback})`, { cause });
    this.name = 'AttachError';
  }
}
