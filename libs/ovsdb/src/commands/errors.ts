import { OvsdbError } from '../errors';

/**
 * A command of a batch that cannot be carried out against the current database, with
 * ovs-vsctl's wording (`no bridge named br0`). Nothing was sent.
 */
export class OvsdbCommandError extends OvsdbError {
  override readonly code: string = 'OVSDB_COMMAND';

  constructor(
    /** Position of the failing command in its batch (0-based). */
    readonly commandIndex: number,
    /** The command as ovs-vsctl would spell it (`--may-exist add-port br-int p1`). */
    readonly command: string,
    /** ovs-vsctl's message, without the command prefix. */
    readonly reason: string,
  ) {
    super(`command ${commandIndex} (${command}): ${reason}`);
  }
}

/**
 * The server refused the batch's transaction, or it stayed in conflict ('try again') after
 * every retry. `retryable` for conflicts: re-planning from the updated replica may succeed.
 */
export class OvsdbCommitError extends OvsdbError {
  override readonly code: string = 'OVSDB_COMMIT';
  override readonly retryable: boolean;

  constructor(
    readonly status: 'try again' | 'error' | 'not locked',
    readonly error: string | undefined,
    readonly details: string | undefined,
    readonly attempts: number,
  ) {
    const what = status === 'try again' ? `still in conflict after ${attempts} attempt${attempts === 1 ? '' : 's'}` : `failed (${status})`;
    super(`transaction ${what}${error ? `: ${error}` : ''}${details ? `: ${details}` : ''}`);
    this.retryable = status === 'try again';
  }
}

/** The transaction committed, but ovs-vswitchd did not report the configuration applied in time. */
export class OvsdbVswitchdTimeoutError extends OvsdbError {
  override readonly code: string = 'OVSDB_VSWITCHD_TIMEOUT';
  override readonly retryable = true;

  constructor(
    /** The `next_cfg` value the transaction set. */
    readonly pendingCfg: number,
    /** The last `cur_cfg` seen (null: no Open_vSwitch row in the replica). */
    readonly curCfg: number | null,
    readonly timeoutMs: number,
  ) {
    super(`ovs-vswitchd did not apply configuration ${pendingCfg} within ${timeoutMs} ms (cur_cfg is ${curCfg ?? 'unknown'}); the transaction itself committed`);
  }
}
