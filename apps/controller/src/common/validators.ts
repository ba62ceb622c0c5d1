/**
 * class-validator decorators for the API's own value kinds. Each says what is wrong in
 * words a caller can act on; the validation pipe puts the field's path in front.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ValidationOptions, registerDecorator } from 'class-validator';
import { HOST_ID_PATTERN, NETWORK_NAME_PATTERN } from '@ovs-fleet/contracts';

function rule(name: string, test: (value: unknown) => boolean, message: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message, ...options },
      validator: { validate: (value: unknown) => test(value) },
    });
}

/** Linux interface and OVS port/bridge names: 1..15 bytes of letters, digits, '_', '.', '-' (no '/', whitespace or shell metacharacters). */
export const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function isInterfaceName(value: unknown): value is string {
  return typeof value === 'string' && INTERFACE_NAME.test(value) && Buffer.byteLength(value) <= 15 && value !== '.' && value !== '..';
}

export const IsInterfaceName = (options?: ValidationOptions) =>
  rule('isInterfaceName', isInterfaceName, 'must be 1 to 15 letters, digits, "_", "." or "-" (an interface name; no "/", spaces or shell characters)', options);

export const IsHostId = (options?: ValidationOptions) =>
  rule('isHostId', (v) => typeof v === 'string' && HOST_ID_PATTERN.test(v), 'must be 1 to 63 lowercase letters, digits or "-", not starting or ending with "-"', options);

export const IsNetworkName = (options?: ValidationOptions) =>
  rule('isNetworkName', (v) => typeof v === 'string' && NETWORK_NAME_PATTERN.test(v), 'must be 1 to 63 lowercase letters, digits, "_" or "-", starting with a letter or digit', options);

export function isUnicastMac(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(value)) return false;
  return (parseInt(value.slice(0, 2), 16) & 1) === 0 && !/^(00:){5}00$/.test(value);
}

export const IsUnicastMac = (options?: ValidationOptions) =>
  rule('isUnicastMac', isUnicastMac, 'must be a unicast MAC address like 02:00:00:00:00:01 (not multicast, not all zeros)', options);

const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._-]{0,63}$/;

export function isLabelMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= 64 && entries.every(([k, v]) => LABEL_KEY.test(k) && typeof v === 'string' && LABEL_VALUE.test(v));
}

export const IsLabelMap = (options?: ValidationOptions) =>
  rule(
    'isLabelMap',
    isLabelMap,
    'must be an object of at most 64 labels: keys of lowercase letters, digits, ".", "_", "/", "-" (at most 63), string values of letters, digits, ".", "_", "-" (at most 63)',
    options,
  );

export function isIpAddress(value: unknown): boolean {
  return typeof value === 'string' && (isIPv4(value) || (isIPv6(value) && !value.includes('%')));
}

export const IsIpAddress = (options?: ValidationOptions) => rule('isIpAddress', isIpAddress, 'must be an IPv4 or IPv6 address', options);

export function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [address, length, ...rest] = value.split('/');
  if (rest.length || length === undefined || !/^\d{1,3}$/.test(length)) return false;
  if (isIPv4(address)) return Number(length) <= 32;
  return isIPv6(address) && !address.includes('%') && Number(length) <= 128;
}

export const IsCidr = (options?: ValidationOptions) => rule('isCidr', isCidr, 'must be a CIDR like 198.18.0.0/24 or 2001:db8::/64', options);

/** A tunnel endpoint: a unicast address a host can own (not unspecified, loopback, multicast or broadcast). */
export function isTunnelEndpoint(value: unknown): boolean {
  if (!isIpAddress(value)) return false;
  const text = (value as string).toLowerCase();
  if (isIPv4(text)) {
    const first = Number(text.split('.')[0]);
    return text !== '0.0.0.0' && text !== '255.255.255.255' && first !== 127 && first < 224;
  }
  return text !== '::' && text !== '::1' && !text.startsWith('ff') && !text.startsWith('::ffff:');
}

export const IsTunnelEndpoint = (options?: ValidationOptions) =>
  rule('isTunnelEndpoint', isTunnelEndpoint, 'must be a unicast IPv4 or IPv6 address (not unspecified, loopback, multicast, broadcast or IPv4-mapped)', options);
