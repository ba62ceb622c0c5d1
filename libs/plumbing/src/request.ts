import { assertInterfaceName, assertIp, assertMac, Cidr, cidrContains, parseCidr, ValidationError } from '@ovs-fleet/iproute';
import { canonicalIp, ipv4Network, isBroadcastOf, unusableAddressReason, unusableInterfaceAddressReason } from './addresses';
import { IPV6_MIN_MTU } from './commands';
import { deterministicMac } from './naming';
import { AttachRequest, AttachSpec } from './types';

/** The request with every field checked and in canonical form; only the container's identity is missing. */
export type ValidatedRequest = Omit<AttachSpec, 'containerId' | 'mac'> & { mac: string | null };

const LINK_LOCAL_6: Cidr = { address: 'fe80::', prefixLength: 10, family: 6 };

/** Container-side names that can never be created: the kernel has them in every namespace. */
const RESERVED_IFNAMES: ReadonlyMap<string, string> = new Map([
  ['lo', 'already exists in every network namespace'],
  ['all', 'is reserved by the kernel (net/ipv4/conf/all)'],
  ['default', 'is reserved by the kernel (net/ipv4/conf/default)'],
]);

function canonicalCidr(cidr: Cidr): string {
  return `${canonicalIp(cidr.address)}/${cidr.prefixLength}`;
}

function assertInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function listOf(value: unknown, field: string, example: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(field, `must be a list, like ${example}`);
  return value;
}

/** An interface's zone is the interface itself: an address given with one (fe80::1%eth0) is refused, not misread. */
function assertNoZone(text: unknown, field: string): void {
  if (typeof text === 'string' && text.includes('%')) throw new ValidationError(field, `"${text}" has a zone index (%...): give the address alone`);
}

function parseInterfaceAddress(text: unknown, field: string): Cidr {
  assertNoZone(text, field);
  const cidr = parseCidr(text, field);
  const reason = unusableInterfaceAddressReason(cidr);
  if (reason !== null) throw new ValidationError(field, `${String(text)} ${reason}`);
  return cidr;
}

function assertIpv6Mtu(mtu: number | null, field: string, what: string): void {
  if (mtu !== null && mtu < IPV6_MIN_MTU) throw new ValidationError(field, `${what} needs an MTU of at least ${IPV6_MIN_MTU}, IPv6's minimum (mtu is ${mtu})`);
}

function assertOnLink(gateway: unknown, prefixes: Cidr[], field: string): string {
  assertNoZone(gateway, field);
  const { address, family } = assertIp(gateway, field);
  const unusable = unusableAddressReason(address);
  if (unusable !== null) throw new ValidationError(field, `${address} ${unusable}`);
  const host: Cidr = { address, family, prefixLength: family === 4 ? 32 : 128 };
  if (family === 6 && cidrContains(LINK_LOCAL_6, host)) return canonicalIp(address);
  const sameFamily = prefixes.filter((p) => p.family === family);
  const onLink = sameFamily.filter((p) => cidrContains(p, host));
  if (onLink.length === 0) {
    const where = sameFamily.length === 0 ? `there is no IPv${family} address on the interface` : `outside ${sameFamily.map(canonicalCidr).join(', ')}`;
    throw new ValidationError(field, `${address} is not reachable on the interface: ${where}`);
  }
  const broadcastOf = onLink.find((p) => isBroadcastOf(address, p));
  if (broadcastOf) throw new ValidationError(field, `${address} is the broadcast address of ${ipv4Network(broadcastOf)}`);
  if (prefixes.some((p) => canonicalIp(p.address) === canonicalIp(address))) {
    throw new ValidationError(field, `${address} is the interface's own address`);
  }
  return canonicalIp(address);
}

/**
 * Checks every name, number and address of an attach request before anything is touched;
 * throws a ValidationError naming the field.
 */
export function validateAttachRequest(request: AttachRequest): ValidatedRequest {
  if (typeof request !== 'object' || request === null) throw new ValidationError('request', 'must be an object');
  const bridge = assertInterfaceName(request.bridge, 'bridge');
  const ifname = assertInterfaceName(request.ifname, 'ifname');
  const reserved = RESERVED_IFNAMES.get(ifname);
  if (reserved !== undefined) throw new ValidationError('ifname', `"${ifname}" ${reserved}`);
  const mac = request.mac === undefined ? null : assertMac(request.mac, 'mac');
  if (mac === '00:00:00:00:00:00') throw new ValidationError('mac', `"${request.mac}" is the all-zero address, which no interface can have`);
  const mtu = request.mtu === undefined ? null : assertInt(request.mtu, 'mtu', 68, 65535);

  const prefixes: Cidr[] = [];
  const addresses: string[] = [];
  for (const [i, text] of listOf(request.addresses, 'addresses', '["198.18.0.2/24"]').entries()) {
    const cidr = parseInterfaceAddress(text, `addresses[${i}]`);
    const canonical = canonicalCidr(cidr);
    if (addresses.includes(canonical)) throw new ValidationError(`addresses[${i}]`, `${String(text)} is listed twice`);
    if (cidr.family === 6) assertIpv6Mtu(mtu, 'mtu', `the IPv6 address ${String(text)}`);
    prefixes.push(cidr);
    addresses.push(canonical);
  }

  const gateway = request.gateway === undefined ? null : assertOnLink(request.gateway, prefixes, 'gateway');
  if (gateway !== null && gateway.includes(':')) throw new ValidationError('gateway', `${request.gateway} is IPv6: use gateway6`);
  if (request.gateway6 !== undefined) assertIpv6Mtu(mtu, 'gateway6', 'an IPv6 gateway');
  const gateway6 = request.gateway6 === undefined ? null : assertOnLink(request.gateway6, prefixes, 'gateway6');
  if (gateway6 !== null && !gateway6.includes(':')) throw new ValidationError('gateway6', `${request.gateway6} is IPv4: use gateway`);

  const routes = listOf(request.routes, 'routes', '[{"to": "198.19.0.0/16", "via": "198.18.0.1"}]').map((route, i) => {
    if (typeof route !== 'object' || route === null || Array.isArray(route)) throw new ValidationError(`routes[${i}]`, 'must be an object {to, via?}');
    const { to: toText, via: viaText } = route as { to?: unknown; via?: unknown };
    assertNoZone(toText, `routes[${i}].to`);
    const to = parseCidr(toText, `routes[${i}].to`);
    if (to.prefixLength === 0) throw new ValidationError(`routes[${i}].to`, 'use gateway/gateway6 for the default route');
    if (to.family === 6) assertIpv6Mtu(mtu, `routes[${i}].to`, 'an IPv6 route');
    const via = viaText === undefined ? null : assertOnLink(viaText, prefixes, `routes[${i}].via`);
    if (via !== null && via.includes(':') !== (to.family === 6)) throw new ValidationError(`routes[${i}].via`, `${String(viaText)} is not of the same family as ${String(toText)}`);
    return { to: canonicalCidr(to), via };
  });

  const { tag, trunks } = validateVlan(request);

  if (request.announce !== undefined && typeof request.announce !== 'boolean') throw new ValidationError('announce', 'must be a boolean');
  return { bridge, ifname, mac, mtu, addresses, gateway, gateway6, routes, tag, trunks, announce: request.announce ?? true };
}

/** An access VLAN (`tag`, 1-4094) or trunk VLANs (0-4095, sorted), not both; neither is fine. */
export function validateVlan(vlan: { tag?: unknown; trunks?: unknown }): { tag: number | null; trunks: number[] } {
  if (typeof vlan !== 'object' || vlan === null) throw new ValidationError('vlan', 'must be {tag} or {trunks}');
  if (vlan.tag !== undefined && vlan.trunks !== undefined) throw new ValidationError('tag', 'give either tag (access port) or trunks, not both');
  const tag = vlan.tag === undefined ? null : assertInt(vlan.tag, 'tag', 1, 4094);
  if (vlan.trunks !== undefined && (!Array.isArray(vlan.trunks) || vlan.trunks.length === 0)) throw new ValidationError('trunks', 'must list at least one VLAN');
  const trunks = ((vlan.trunks ?? []) as unknown[]).map((v, i) => assertInt(v, `trunks[${i}]`, 0, 4095));
  if (new Set(trunks).size !== trunks.length) throw new ValidationError('trunks', 'lists a VLAN twice');
  return { tag, trunks: trunks.sort((a, b) => a - b) };
}

export function buildSpec(validated: ValidatedRequest, containerId: string): AttachSpec {
  return {
    containerId,
    bridge: validated.bridge,
    ifname: validated.ifname,
    mac: validated.mac ?? deterministicMac(containerId, validated.ifname),
    mtu: validated.mtu,
    addresses: validated.addresses,
    gateway: validated.gateway,
    gateway6: validated.gateway6,
    routes: validated.routes,
    tag: validated.tag,
    trunks: validated.trunks,
    announce: validated.announce,
  };
}

const SPEC_FIELDS: (keyof AttachSpec)[] = ['containerId', 'bridge', 'ifname', 'mac', 'mtu', 'addresses', 'gateway', 'gateway6', 'routes', 'tag', 'trunks', 'announce'];

/** Names of the fields where two specs differ (empty: same attachment). Address order does not matter. */
export function diffSpecs(a: AttachSpec, b: AttachSpec): (keyof AttachSpec)[] {
  return SPEC_FIELDS.filter((field) => {
    const x = a[field];
    const y = b[field];
    if (field === 'addresses' || field === 'routes') return !sameSet(x as unknown[], y as unknown[]);
    return JSON.stringify(x) !== JSON.stringify(y);
  });
}

function sameSet(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((v) => JSON.stringify(v)));
  return b.every((v) => keys.has(JSON.stringify(v)));
}
