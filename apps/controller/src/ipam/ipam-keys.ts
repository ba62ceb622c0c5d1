/**
 * The IPAM's Redis keys, per network AND subnet (two networks may use one CIDR):
 *   ovsf:ipam:NETWORK:CIDR         hash: offset of the address from the network address,
 *                                  in lowercase hex without leading zeros -> owner
 *                                  ("5" -> "att-1" is 198.18.0.5 in 198.18.0.0/24)
 *   ovsf:ipam:NETWORK:CIDR:cursor  where the next automatic allocation starts looking (a
 *                                  slot: an index into the subnet's allocatable ranges laid
 *                                  end to end), so allocation does not rescan from the start
 * Offsets rather than address strings because the Lua scripts compute them with plain
 * arithmetic, for IPv6 too. Network names hold no ':' (NETWORK_NAME_PATTERN), so no key of
 * one network can be mistaken for another's.
 */
import { KEY_PREFIX } from '@ovs-fleet/contracts';

export const ipamKeys = {
  addresses: (network: string, cidr: string): string => `${KEY_PREFIX}:ipam:${network}:${cidr}`,
  cursor: (network: string, cidr: string): string => `${KEY_PREFIX}:ipam:${network}:${cidr}:cursor`,
  /** SCAN pattern for every IPAM key of one network. */
  networkPattern: (network: string): string => `${KEY_PREFIX}:ipam:${network}:*`,
} as const;

/** The hash field of an offset, as the Lua scripts write it. */
export function offsetField(offset: bigint): string {
  return offset.toString(16);
}

export function fieldOffset(field: string): bigint {
  return BigInt(`0x${field}`);
}
