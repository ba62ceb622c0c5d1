import { ConflictError } from '../common/api-errors';

/**
 * The builder was handed records that contradict each other (an attachment on a network
 * that does not span its host, a missing local VLAN, a duplicate id): a bug in the caller,
 * never the API user's input, so it is not an ApiError and surfaces as a 500.
 */
export class DesiredStateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DesiredStateInputError';
  }
}

/**
 * A host has no local VLAN id left for a network: 409 on the network's host selector,
 * the field that placed one network too many on the host. A caller that knows the host
 * may rethrow with its id.
 */
export class LocalVlansExhaustedError extends ConflictError {
  constructor(
    readonly network: string,
    readonly inUse: number,
    readonly reserved: number,
  ) {
    super(
      'hosts',
      `no free local VLAN for network "${network}": VLAN ids 1..4094 on the host are all taken ` +
        `(${inUse} by other networks, ${reserved} reserved by vlan networks)`,
    );
  }
}
