import { isIPv4, isIPv6 } from 'node:net';
import { FleetError } from '@ovs-fleet/errors';

/** Input that failed validation; `field` names what was wrong, for API error messages. Nothing was changed. */
export class ValidationError extends FleetError {
  readonly code: string = 'INVALID_INPUT';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NETNS = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Linux interface names: 1 to 15 bytes, no '/', whitespace, ':' or shell metacharacters. */
export function assertInterfaceName(name: unknown, field = 'interface name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError(field, 'must be a non-empty string');
  if (Buffer.byteLength(name) > 15) throw new ValidationError(field, `"${name}" is longer than 15 bytes`);
  if (!IFNAME.test(name) || name === '.' || name === '..') {
    throw new ValidationError(field, `"${name}" may only contain letters, digits, '_', '.' and '-'`);
  }
  return name;
}

/** Network namespace names as kept in /var/run/netns: a plain file name, no path. */
export function assertNetnsName(name: unknown, field = 'namespace'): string {
  if (typeof name !== 'string' || !NETNS.test(name) || name === '.' || name === '..') {
    throw new ValidationError(field, `"${String(name)}" is not a valid namespace name (letters, digits, '_', '.', '-', at most 64)`);
  }
  return name;
}

export function assertMac(mac: unknown, field = 'mac'): string {
  if (typeof mac !== 'string' || !MAC.test(mac)) throw new ValidationError(field, `"${String(mac)}" is not a MAC address like 02:00:00:00:00:01`);
  const firstOctet = parseInt(mac.slice(0, 2), 16);
  if (firstOctet & 1) throw new ValidationError(field, `"${mac}" is a multicast address`);
  return mac.toLowerCase();
}

export type IpFamily = 4 | 6;

export interface Cidr {
  address: string;
  prefixLength: number;
  family: IpFamily;
}

/** Parses "ADDR/LEN" (IPv4 or IPv6); `requirePrefix` false accepts a bare address as /32 or /128. */
export function parseCidr(text: unknown, field = 'address', requirePrefix = true): Cidr {
  if (typeof text !== 'string') throw new ValidationError(field, 'must be a string like 10.0.0.2/24');
  const [address, len, ...rest] = text.split('/');
  const family: IpFamily | 0 = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (family === 0 || rest.length > 0) throw new ValidationError(field, `"${text}" is not an IP address with a prefix length`);
  const max = family === 4 ? 32 : 128;
  if (len === undefined) {
    if (requirePrefix) throw new ValidationError(field, `"${text}" needs a prefix length (e.g. /24)`);
    return { address, prefixLength: max, family };
  }
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) throw new ValidationError(field, `"${text}" has an invalid prefix length`);
  return { address, prefixLength: Number(len), family };
}

export function assertIp(text: unknown, field = 'address'): { address: string; family: IpFamily } {
  if (typeof text === 'string' && isIPv4(text)) return { address: text, family: 4 };
  if (typeof text === 'string' && isIPv6(text)) return { address: text, family: 6 };
  throw new ValidationError(field, `"${String(text)}" is not an IP address`);
}
