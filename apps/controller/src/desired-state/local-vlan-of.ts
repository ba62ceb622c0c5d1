import { DesiredStateInputError } from './errors';

/** The local VLAN of `network` on `hostId`; its absence means the caller did not run assignLocalVlans. */
export function localVlanOf(localVlans: Readonly<Record<string, number>>, network: string, hostId: string): number {
  if (!Object.hasOwn(localVlans, network)) throw new DesiredStateInputError(`network "${network}" has no local VLAN on host "${hostId}"`);
  return localVlans[network];
}
