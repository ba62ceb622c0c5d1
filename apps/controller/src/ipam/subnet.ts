/**
 * Subnet arithmetic for the IPAM, pure (no Redis): validating and canonicalising a subnet,
 * and which addresses of it may be handed out. Addresses inside a subnet are handled as
 * offsets from its network address (BigInt), which is also how the IPAM stores them.
 */
import type { AllocationPool, SubnetRecord } from '@ovs-fleet/contracts';
import { BadRequestError } from '../common/api-errors';
import { IpAddress, IpFamily, addressBits, formatAddress, parseAddress } from './ip-address';

/** Inclusive range of offsets from a subnet's network address. */
export interface OffsetRange {
  first: bigint;
  last: bigint;
}

export interface SubnetInput {
  cidr: string;
  /** undefined: the first usable address; null: no gateway. */
  gateway?: string | null;
  allocationPools?: AllocationPool[] | null;
}

/**
 * Automatic allocation in an IPv6 subnet looks at no more than the first 2^32 offsets of
 * each allocatable range (a /64 has 2^64): plenty for containers, and it keeps every
 * offset and count a JavaScript number and a Lua double can hold exactly. A requested
 * address beyond that cap is still honoured when it lies in the subnet (and its pools).
 */
export const IPV6_RANGE_CAP = 2n ** 32n;

interface Prefix {
  family: IpFamily;
  network: bigint;
  length: number;
  size: bigint;
}

interface SpecialRange {
  cidr: string;
  what: string;
}

const SPECIAL_RANGES: Record<IpFamily, SpecialRange[]> = {
  4: [
    { cidr: '0.0.0.0/8', what: 'unspecified ("this network")' },
    { cidr: '127.0.0.0/8', what: 'loopback' },
    { cidr: '169.254.0.0/16', what: 'link-local' },
    { cidr: '224.0.0.0/4', what: 'multicast' },
    { cidr: '240.0.0.0/4', what: 'reserved (and the limited broadcast address)' },
  ],
  6: [
    { cidr: '::/128', what: 'unspecified' },
    { cidr: '::1/128', what: 'loopback' },
    { cidr: '::ffff:0:0/96', what: 'IPv4-mapped' },
    { cidr: 'fe80::/10', what: 'link-local' },
    { cidr: 'ff00::/8', what: 'multicast' },
  ],
};

function parsePrefixText(text: unknown): { address: IpAddress; length: number } | null {
  if (typeof text !== 'string') return null;
  const parts = text.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) return null;
  const address = parseAddress(parts[0]);
  return address === null ? null : { address, length: Number(parts[1]) };
}

function hostMask(family: IpFamily, length: number): bigint {
  return (1n << BigInt(addressBits(family) - length)) - 1n;
}

function toPrefix(address: IpAddress, length: number): Prefix {
  const mask = hostMask(address.family, length);
  return { family: address.family, network: address.value & ~mask, length, size: mask + 1n };
}

/** Stored subnets' prefixes by CIDR: every request parses the same few again otherwise. */
const knownPrefixes = new Map<string, Readonly<Prefix>>();
const KNOWN_PREFIXES_MAX = 4096;

/** A stored subnet (or CIDR string); host bits are ignored here, canonicalSubnet refuses them. */
function prefixOf(subnet: SubnetRecord | string): Readonly<Prefix> {
  const cidr = typeof subnet === 'string' ? subnet : subnet.cidr;
  const known = knownPrefixes.get(cidr);
  if (known) return known;
  const parsed = parsePrefixText(cidr);
  if (parsed === null || parsed.length > addressBits(parsed.address.family)) throw new Error(`not a CIDR: ${String(cidr)}`);
  if (knownPrefixes.size >= KNOWN_PREFIXES_MAX) knownPrefixes.clear();
  const prefix = Object.freeze(toPrefix(parsed.address, parsed.length));
  knownPrefixes.set(cidr, prefix);
  return prefix;
}

function formatPrefix(prefix: Prefix): string {
  return `${formatAddress({ family: prefix.family, value: prefix.network })}/${prefix.length}`;
}

function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.network <= b.network + b.size - 1n && b.network <= a.network + a.size - 1n;
}

function addressAtOffset(prefix: Prefix, offset: bigint): string {
  return formatAddress({ family: prefix.family, value: prefix.network + offset });
}

/** Why an offset can never be handed out whatever the pools say, or null. */
function reservedOffsetReason(prefix: Prefix, offset: bigint): string | null {
  if (offset === 0n) return prefix.family === 4 ? 'the network address' : 'the subnet-router anycast address';
  if (prefix.family === 4 && offset === prefix.size - 1n) return 'the broadcast address';
  return null;
}

function lastUsableOffset(prefix: Prefix): bigint {
  return prefix.family === 4 ? prefix.size - 2n : prefix.size - 1n;
}

export function subnetsOverlap(a: string, b: string): boolean {
  return overlaps(prefixOf(a), prefixOf(b));
}

export function prefixLength(subnet: SubnetRecord | string): number {
  return prefixOf(subnet).length;
}

/**
 * The address's offset from the subnet's network address, or null when it is not in the
 * subnet. `address` may carry a prefix length ("198.18.0.5/24"): it is not compared here.
 */
export function offsetOf(subnet: SubnetRecord | string, address: string): bigint | null {
  const prefix = prefixOf(subnet);
  const [text, length, ...rest] = typeof address === 'string' ? address.split('/') : [];
  if (rest.length > 0 || (length !== undefined && !/^\d{1,3}$/.test(length))) return null;
  const parsed = parseAddress(text);
  if (parsed === null || parsed.family !== prefix.family) return null;
  const offset = parsed.value - prefix.network;
  return offset >= 0n && offset < prefix.size ? offset : null;
}

export function containsAddress(subnet: SubnetRecord | string, address: string): boolean {
  return offsetOf(subnet, address) !== null;
}

/** The canonical address at `offset` from the subnet's network address (no prefix length). */
export function addressAt(subnet: SubnetRecord | string, offset: bigint): string {
  const prefix = prefixOf(subnet);
  if (offset < 0n || offset >= prefix.size) throw new Error(`offset ${offset} is outside ${formatPrefix(prefix)}`);
  return addressAtOffset(prefix, offset);
}

/** "198.18.0.5" in 198.18.0.0/24 -> "198.18.0.5/24" (the address canonicalised). */
export function withPrefix(subnet: SubnetRecord | string, address: string): string {
  const prefix = prefixOf(subnet);
  const parsed = parseAddress(address);
  if (parsed === null || parsed.family !== prefix.family) throw new Error(`not an IPv${prefix.family} address: ${address}`);
  return `${formatAddress(parsed)}/${prefix.length}`;
}

function poolOffsets(prefix: Prefix, pools: AllocationPool[]): OffsetRange[] {
  return pools.map((pool) => {
    const start = parseAddress(pool.start);
    const end = parseAddress(pool.end);
    if (start === null || end === null) throw new Error(`not an allocation pool: ${pool.start}-${pool.end}`);
    return { first: start.value - prefix.network, last: end.value - prefix.network };
  });
}

/**
 * What automatic allocation hands out, as offsets from the network address, sorted: the
 * allocation pools (or the whole subnet without them) less the network address (IPv4) or
 * subnet-router anycast address (IPv6, offset 0), the IPv4 broadcast address and the
 * gateway. IPv6 ranges are capped to their first IPV6_RANGE_CAP offsets.
 */
export function allocatableRanges(subnet: SubnetRecord): OffsetRange[] {
  const prefix = prefixOf(subnet);
  const lastUsable = lastUsableOffset(prefix);
  const pools = subnet.allocationPools.length > 0 ? poolOffsets(prefix, subnet.allocationPools) : [{ first: 1n, last: lastUsable }];
  const gateway = subnet.gateway === null ? null : offsetOf(subnet, subnet.gateway);
  const ranges: OffsetRange[] = [];
  for (const pool of pools) {
    const first = pool.first < 1n ? 1n : pool.first;
    const last = pool.last > lastUsable ? lastUsable : pool.last;
    if (first > last) continue;
    if (gateway !== null && gateway >= first && gateway <= last) {
      if (first < gateway) ranges.push({ first, last: gateway - 1n });
      if (gateway < last) ranges.push({ first: gateway + 1n, last });
    } else {
      ranges.push({ first, last });
    }
  }
  ranges.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  if (prefix.family === 4) return ranges;
  return ranges.map((range) => (range.last - range.first >= IPV6_RANGE_CAP ? { first: range.first, last: range.first + IPV6_RANGE_CAP - 1n } : range));
}

/** How many addresses automatic allocation may hand out (IPv6: within the cap above). */
export function capacity(subnet: SubnetRecord): number {
  return Number(allocatableRanges(subnet).reduce((sum, range) => sum + range.last - range.first + 1n, 0n));
}

function inPools(prefix: Prefix, pools: AllocationPool[], offset: bigint): boolean {
  return pools.length === 0 || poolOffsets(prefix, pools).some((pool) => offset >= pool.first && offset <= pool.last);
}

/**
 * The offset of an address a caller asks for ("198.18.0.5" or "198.18.0.5/24"), or a
 * BadRequestError naming `field` when it is malformed, outside the subnet, reserved
 * (network, broadcast, subnet-router anycast, gateway) or outside the allocation pools
 * (addresses outside the pools are reserved for the operator: never handed out).
 */
export function requestedOffset(subnet: SubnetRecord, requested: string, field: string): bigint {
  const prefix = prefixOf(subnet);
  const cidr = formatPrefix(prefix);
  const [text, length, ...rest] = typeof requested === 'string' ? requested.split('/') : [];
  const address = parseAddress(text);
  if (address === null || rest.length > 0 || (length !== undefined && !/^\d{1,3}$/.test(length))) {
    throw new BadRequestError(field, `"${String(requested)}" is not an IP address (e.g. ${addressAtOffset(prefix, 2n)} or ${addressAtOffset(prefix, 2n)}/${prefix.length})`);
  }
  if (address.family !== prefix.family) throw new BadRequestError(field, `${requested} is an IPv${address.family} address; subnet ${cidr} is IPv${prefix.family}`);
  const offset = address.value - prefix.network;
  const canonical = formatAddress(address);
  if (offset < 0n || offset >= prefix.size) throw new BadRequestError(field, `${canonical} is outside subnet ${cidr}`);
  if (length !== undefined && Number(length) !== prefix.length) {
    throw new BadRequestError(field, `${requested} has prefix length /${length}; subnet ${cidr} is /${prefix.length}`);
  }
  const reserved = reservedOffsetReason(prefix, offset);
  if (reserved) throw new BadRequestError(field, `${canonical} is ${reserved} of subnet ${cidr}: it is never handed out`);
  if (subnet.gateway !== null && offsetOf(subnet, subnet.gateway) === offset) {
    throw new BadRequestError(field, `${canonical} is the gateway of subnet ${cidr}: it is never handed out`);
  }
  if (!inPools(prefix, subnet.allocationPools, offset)) {
    const pools = subnet.allocationPools.map((pool) => `${pool.start}-${pool.end}`).join(', ');
    throw new BadRequestError(field, `${canonical} is outside the allocation pools of subnet ${cidr} (${pools}): addresses outside them are reserved`);
  }
  return offset;
}

// --- canonicalSubnet: validation of an operator's subnet ---------------------------------

function checkCidr(text: unknown, field: string): Prefix {
  const parsed = parsePrefixText(text);
  if (parsed === null) throw new BadRequestError(field, `"${String(text)}" is not a CIDR (address/prefix length, e.g. 198.18.0.0/24 or 2001:db8::/64)`);
  const { address, length } = parsed;
  const bits = addressBits(address.family);
  if (length > bits) throw new BadRequestError(field, `prefix length /${length} is beyond /${bits}, the length of an IPv${address.family} address`);
  if (address.family === 4 && length < 8) {
    throw new BadRequestError(field, `/${length} is shorter than /8: a subnet is one broadcast domain, and this one would hold over 16 million addresses`);
  }
  if (address.family === 4 && length > 30) {
    throw new BadRequestError(field, `/${length} leaves no address to hand out besides the network and broadcast addresses: use /30 or shorter`);
  }
  if (address.family === 6 && length < 64) {
    throw new BadRequestError(field, `/${length} is shorter than /64: an IPv6 subnet is one link, and /64 is the largest one (SLAAC needs exactly /64); split it into /64s`);
  }
  if (address.family === 6 && length > 126) throw new BadRequestError(field, `/${length} leaves no address to hand out: use /126 or shorter`);
  const prefix = toPrefix(address, length);
  if (prefix.network !== address.value) {
    throw new BadRequestError(field, `${String(text)} has host bits set: did you mean ${formatPrefix(prefix)}?`);
  }
  for (const special of SPECIAL_RANGES[address.family]) {
    if (overlaps(prefix, prefixOf(special.cidr))) {
      throw new BadRequestError(field, `${formatPrefix(prefix)} overlaps the ${special.what} range ${special.cidr}: containers cannot use those addresses`);
    }
  }
  return prefix;
}

/** An address that must lie in the subnet and be neither its network, broadcast nor anycast address. */
function checkAddressIn(prefix: Prefix, text: unknown, field: string): bigint {
  const address = parseAddress(text);
  if (address === null) {
    const hint = typeof text === 'string' && text.includes('/') ? ' (give the address without a prefix length)' : '';
    throw new BadRequestError(field, `"${String(text)}" is not an IP address${hint}`);
  }
  const cidr = formatPrefix(prefix);
  if (address.family !== prefix.family) throw new BadRequestError(field, `${String(text)} is an IPv${address.family} address; subnet ${cidr} is IPv${prefix.family}`);
  const offset = address.value - prefix.network;
  if (offset < 0n || offset >= prefix.size) throw new BadRequestError(field, `${formatAddress(address)} is outside subnet ${cidr}`);
  const reserved = reservedOffsetReason(prefix, offset);
  if (reserved) throw new BadRequestError(field, `${formatAddress(address)} is ${reserved} of subnet ${cidr}`);
  return offset;
}

function checkPools(prefix: Prefix, pools: unknown, gateway: bigint | null, field: string): OffsetRange[] {
  if (pools === undefined || pools === null) return [];
  if (!Array.isArray(pools)) throw new BadRequestError(field, 'must be a list of {start, end}');
  const ranges = pools.map((pool: unknown, i): OffsetRange => {
    const at = `${field}[${i}]`;
    if (typeof pool !== 'object' || pool === null) throw new BadRequestError(at, 'must be an object {start, end}');
    const { start, end } = pool as Record<string, unknown>;
    const first = checkAddressIn(prefix, start, `${at}.start`);
    const last = checkAddressIn(prefix, end, `${at}.end`);
    if (last < first) throw new BadRequestError(`${at}.end`, `${addressAtOffset(prefix, last)} is before the pool's start ${addressAtOffset(prefix, first)}`);
    if (gateway !== null && gateway >= first && gateway <= last) {
      throw new BadRequestError(at, `contains the gateway ${addressAtOffset(prefix, gateway)}, which is never handed out: keep it out of the pools (or set another gateway)`);
    }
    return { first, last };
  });
  const order = ranges.map((_, i) => i).sort((a, b) => (ranges[a].first < ranges[b].first ? -1 : ranges[a].first > ranges[b].first ? 1 : a - b));
  for (let k = 1; k < order.length; k++) {
    const [i, j] = [order[k - 1], order[k]];
    if (ranges[j].first <= ranges[i].last) {
      const [earlier, later] = i < j ? [i, j] : [j, i];
      const other = ranges[earlier];
      throw new BadRequestError(`${field}[${later}]`, `overlaps allocationPools[${earlier}] (${addressAtOffset(prefix, other.first)}-${addressAtOffset(prefix, other.last)})`);
    }
  }
  return order.map((i) => ranges[i]);
}

/**
 * Validates an operator's subnet and returns it in canonical form: the CIDR as network
 * address/prefix length (lowercase, compressed IPv6), the gateway (undefined: the first
 * usable address; null: none), the pools sorted by start with canonical addresses.
 * A CIDR with host bits set (198.18.0.5/24) is refused, not silently rounded down: the
 * message suggests the network it probably means. Every error is a BadRequestError naming
 * the exact field (`${field}.cidr`, `${field}.gateway`, `${field}.allocationPools[1].end`).
 */
export function canonicalSubnet(input: SubnetInput, field: string): SubnetRecord {
  if (typeof input !== 'object' || input === null) throw new BadRequestError(field, 'must be an object {cidr, gateway?, allocationPools?}');
  const prefix = checkCidr(input.cidr, `${field}.cidr`);
  const gateway = input.gateway === undefined ? 1n : input.gateway === null ? null : checkAddressIn(prefix, input.gateway, `${field}.gateway`);
  const pools = checkPools(prefix, input.allocationPools, gateway, `${field}.allocationPools`);
  return {
    cidr: formatPrefix(prefix),
    gateway: gateway === null ? null : addressAtOffset(prefix, gateway),
    allocationPools: pools.map((pool) => ({ start: addressAtOffset(prefix, pool.first), end: addressAtOffset(prefix, pool.last) })),
  };
}
