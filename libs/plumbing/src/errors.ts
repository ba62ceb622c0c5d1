import { FleetError } from '@ovs-fleet/errors';
import { AttachSpec } from './types';

/** Whether an error says of itself that a repeat may succeed (any FleetError or OvsdbError does). */
function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The request cannot be carried out against what is there: a different request for an
 * attached `(container, ifname)` (`fields` name what differs), an interface name the container
 * already has, or an attach of it under way (then `retryable`). Nothing was changed.
 */
export class ConflictError extends FleetError {
  readonly code = 'PLUMBING_CONFLICT';
  override readonly retryable: boolean;

  constructor(
    message: string,
    readonly fields: (keyof AttachSpec)[] = [],
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/**
 * An attach failed at `step`; everything it had done was undone (see `rollbackErrors` if not).
 * Retryable when its cause is (a dropped OVSDB connection, ovs-vswitchd too slow) and the
 * rollback was complete.
 */
export class AttachError extends FleetError {
  readonly code = 'PLUMBING_ATTACH_FAILED';
  override readonly retryable: boolean;

  constructor(
    readonly step: string,
    cause: unknown,
    readonly rollbackErrors: unknown[],
  ) {
    const rollback = rollbackErrors.length === 0 ? 'rolled back' : `rollback incomplete: ${rollbackErrors.map(messageOf).join('; ')}`;
    super(`attach failed at ${step}: ${messageOf(cause)} (${rollback})`, { cause });
    this.retryable = isRetryable(cause) && rollbackErrors.length === 0;
  }
}

/** A detach failed at `step` (`ovs-port`: the OVSDB transaction; `veth`: deleting the host end). */
export class DetachError extends FleetError {
  readonly code = 'PLUMBING_DETACH_FAILED';
  override readonly retryable: boolean;

  constructor(
    readonly step: 'ovs-port' | 'veth',
    cause: unknown,
  ) {
    super(`detach failed at ${step}: ${messageOf(cause)}`, { cause });
    this.retryable = isRetryable(cause);
  }
}

/**
 * A PortStore could not make the change for the item at `index` of a batch (a port name taken,
 * a row gone); nothing of the batch was changed, the other items may be tried again without it.
 */
export class PortRefusedError extends FleetError {
  readonly code = 'PLUMBING_PORT_REFUSED';

  constructor(
    readonly index: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/**
 * ovs-vswitchd did not take the interface of a new port: it could not open the device
 * (`ofport` -1, OVS's `reason`), or did not apply the change in time (`ofport` null; retryable).
 */
export class InterfaceNotLiveError extends FleetError {
  readonly code = 'PLUMBING_INTERFACE_NOT_LIVE';
  override readonly retryable: boolean;

  constructor(
    readonly interfaceName: string,
    readonly ofport: number | null,
    readonly reason: string | null,
  ) {
    super(ofport === null ? `ovs-vswitchd did not take ${interfaceName} in time${reason ? `: ${reason}` : ''}` : `ovs-vswitchd could not add ${interfaceName}: ${reason ?? `ofport ${ofport}`}`);
    this.retryable = ofport === null;
  }
}
