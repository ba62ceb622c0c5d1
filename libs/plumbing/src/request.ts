import { assertInterfaceName, assertIp, assertMac, Cidr, cidrContains, parseCidr, ValidationError } from '@ovs-fleet/iproute';
import { deterministicMac } from './naming';
import { AttachRequest, AttachSpec } from './types';

/** The request with every field checked and in canonical form; only the container's identity is missing. */
export type ValidatedRequest = Omit<AttachSpec, 'containerId' | 'mac'> & { mac: string | null };

const LINK_LOCAL_6: Cidr = { address: 'fe80::', prefixLength: 10, family: 6 };

/** IPv6 text in the kernel's canonical form (fd00:0::01 -> fd00::1); IPv4 unchanged. */
export function canonicalIp(address: string): string {
  if (!address.includes(':')) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function canonicalCidr(cidr: Cidr): string {
  return `${canonicalIp(cidr.address)}/${cidr.prefixLength}`;
}

function assertInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function assertOnLink(gateway: string, prefixes: Cidr[], field: string): string {
  const { address, family } = assertIp(gateway, field);
  const host: Cidr = { address, family, prefixLength: family === 4 ? 32 : 128 };
  if (family === 6 && cidrContains(LINK_LOCAL_6, host)) return canonicalIp(address);
  const sameFamily = prefixes.filter((p) => p.family === family);
  if (!sameFamily.some((p) => cidrContains(p, host))) {
    const where = sameFamily.length === 0 ? `there is no IPv${family} address on the interface` : `outside ${sameFamily.map(canonicalCidr).join(', ')}`;
    throw new ValidationError(field, `${gateway} is not reachable on the interface: ${where}`);
  }
  if (prefixes.some((p) => p.family === family && p.address === address)) {
    throw new ValidationError(field, `${gateway} is the interface's own address`);
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
  const mac = request.mac === undefined ? null : assertMac(request.mac, 'mac');
  const mtu = request.mtu === undefined ? null : assertInt(request.mtu, 'mtu', 68, 65535);

  const prefixes: Cidr[] = [];
  const addresses: string[] = [];
  for (const [i, text] of (request.addresses ?? []).entries()) {
    const cidr = parseCidr(text, `addresses[${i}]`);
    const canonical = canonicalCidr(cidr);
    if (addresses.includes(canonical)) throw new ValidationError(`addresses[${i}]`, `${text} is listed twice`);
    if (cidr.family === 6 && mtu !== null && mtu < 1280) throw new ValidationError('mtu', `${mtu} is below IPv6's minimum of 1280`);
    prefixes.push(cidr);
    addresses.push(canonical);
  }

  const gateway = request.gateway === undefined ? null : assertOnLink(request.gateway, prefixes, 'gateway');
  if (gateway !== null && gateway.includes(':')) throw new ValidationError('gateway', `${request.gateway} is IPv6: use gateway6`);
  const gateway6 = request.gateway6 === undefined ? null : assertOnLink(request.gateway6, prefixes, 'gateway6');
  if (gateway6 !== null && !gateway6.includes(':')) throw new ValidationError('gateway6', `${request.gateway6} is IPv4: use gateway`);

  const routes = (request.routes ?? []).map((route, i) => {
    const to = parseCidr(route?.to, `routes[${i}].to`);
    if (to.prefixLength === 0) throw new ValidationError(`routes[${i}].to`, 'use gateway/gateway6 for the default route');
    const via = route.via === undefined ? null : assertOnLink(route.via, prefixes, `routes[${i}].via`);
    if (via !== null && via.includes(':') !== (to.family === 6)) throw new ValidationError(`routes[${i}].via`, `${route.via} is not of the same family as ${route.to}`);
    return { to: canonicalCidr(to), via };
  });

  const { tag, trunks } = validateVlan(request);

  if (request.announce !== undefined && typeof request.announce !== 'boolean') throw new ValidationError('announce', 'must be a boolean');
  return { bridge, ifname, mac, mtu, addresses, gateway, gateway6, routes, tag, trunks, announce: request.announce ?? true };
}

/** An access VLAN (`tag`, 1-4094) or trunk VLANs (0-4095, sorted), not both; neither is fine. */
export function validateVlan(vlan: { tag?: unknown; trunks?: unknown }): { tag: number | null; trunks: number[] } {
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
