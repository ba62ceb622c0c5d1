import { createHash } from 'node:crypto';

/** Host ids: 1-63 lowercase letters, digits and '-', not starting or ending with '-'. */
export const HOST_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Network names: 1-63 lowercase letters, digits, '-' and '_', starting with a letter or digit. */
export const NETWORK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isHostId(value: unknown): value is string {
  return typeof value === 'string' && HOST_ID_PATTERN.test(value);
}

export function isNetworkName(value: unknown): value is string {
  return typeof value === 'string' && NETWORK_NAME_PATTERN.test(value);
}

/**
 * The OVS port name of the tunnel that carries `network` to `remoteHost`: 14 bytes
 * (interface names are at most 15), stable, and distinct per (network, remote host).
 */
export function tunnelPortName(network: string, remoteHost: string): string {
  const digest = createHash('sha256').update(`${network}\0${remoteHost}`).digest('hex');
  return `ovt-${digest.slice(0, 10)}`;
}
