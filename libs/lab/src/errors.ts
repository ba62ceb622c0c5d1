import { FleetError } from '@ovs-fleet/errors';

/** A lab of that name already exists (in part or whole): nothing was changed. */
export class LabExistsError extends FleetError {
  readonly code: string = 'LAB_EXISTS';

  constructor(
    readonly labName: string,
    readonly found: string[],
  ) {
    super(`lab "${labName}" already exists (${found.slice(0, 3).join(', ')}${found.length > 3 ? ', ...' : ''}); remove it with: npm run lab -- down --name ${labName}`);
  }
}

export class LabNotFoundError extends FleetError {
  readonly code: string = 'LAB_NOT_FOUND';

  constructor(readonly labName: string) {
    super(`lab "${labName}" has no state file; bring it up first (\`npm run lab -- down --name ${labName}\` clears any leftovers)`);
  }
}

/** The lab's address ranges overlap something on the machine: nothing was changed. */
export class RangeConflictError extends FleetError {
  readonly code: string = 'LAB_RANGE_CONFLICT';

  constructor(readonly conflicts: string[]) {
    super(`refusing to build the lab: its ranges are already in use on this machine:\n  ${conflicts.join('\n  ')}\nchoose other sub-ranges (--mgmt/--underlay) or remove what uses them`);
  }
}

/** Another `up` held the allocation lock for longer than we were willing to wait. Retryable: that `up` ends. */
export class LabLockTimeoutError extends FleetError {
  readonly code: string = 'LAB_LOCK_TIMEOUT';
  override readonly retryable = true;

  constructor(
    readonly lockFile: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${lockFile} (held by another lab being brought up)`);
  }
}

/** The lab creates namespaces, links and daemons: it needs root. */
export class LabNeedsRootError extends FleetError {
  readonly code: string = 'LAB_NEEDS_ROOT';

  constructor() {
    super('the lab needs root (namespaces, links and daemons): run it as root');
  }
}
