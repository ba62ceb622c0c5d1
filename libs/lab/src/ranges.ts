import { cidrContains, cidrsOverlap, intToIpv4, ipv4ToInt, parseCidr, ValidationError } from '@ovs-fleet/iproute';

/** The only space a lab may number from (RFC 5737 documentation ranges). */
const MGMT_SPACE = '198.51.100.0/24';
const UNDERLAY_SPACE = '203.0.113.0/24';
/** This machine kind's own eth0 lives here: never used, whatever the caller asks. */
const FORBIDDEN_SPACE = '192.0.2.0/24';

/** Host i (1-based) gets the (FIRST_HOST_OFFSET + i)-th address of a range: .11, .12, ... */
const FIRST_HOST_OFFSET = 10;

export interface LabRanges {
  mgmt: string;
  underlay: string;
}

export const DEFAULT_RANGES: LabRanges = { mgmt: MGMT_SPACE, underlay: UNDERLAY_SPACE };

export interface NumberedRange {
  cidr: string;
  network: number;
  prefixLength: number;
  size: number;
}

function numberRange(text: string, field: string, space: string): NumberedRange {
  const cidr = parseCidr(text, field);
  if (cidr.family !== 4) throw new ValidationError(field, `"${text}" must be an IPv4 range`);
  if (cidrsOverlap(cidr, FORBIDDEN_SPACE)) throw new ValidationError(field, `"${text}" overlaps ${FORBIDDEN_SPACE}, the machine's own network`);
  if (!cidrContains(space, cidr)) throw new ValidationError(field, `"${text}" must lie within ${space}`);
  const size = 2 ** (32 - cidr.prefixLength);
  const address = ipv4ToInt(cidr.address);
  if (address % size !== 0) {
    throw new ValidationError(field, `"${text}" is not a network address (did you mean ${intToIpv4(address - (address % size))}/${cidr.prefixLength}?)`);
  }
  return { cidr: text, network: address, prefixLength: cidr.prefixLength, size };
}

/** Largest host count a range can number: .1 is the gateway, .11.. the hosts, the last the broadcast. */
function hostCapacity(range: NumberedRange): number {
  return Math.max(0, range.size - FIRST_HOST_OFFSET - 2);
}

export interface LabAddressPlan {
  mgmt: NumberedRange;
  underlay: NumberedRange;
  /** On the root-namespace management bridge; Redis (and later the controller) listens here. */
  gateway: string;
  hosts: { mgmtIp: string; underlayIp: string }[];
}

/** Validates the ranges and numbers `hosts` hosts in them. */
export function planAddresses(ranges: LabRanges, hosts: number): LabAddressPlan {
  const mgmt = numberRange(ranges.mgmt, 'mgmt range', MGMT_SPACE);
  const underlay = numberRange(ranges.underlay, 'underlay range', UNDERLAY_SPACE);
  for (const [range, field] of [[mgmt, 'mgmt range'], [underlay, 'underlay range']] as const) {
    if (hosts > hostCapacity(range)) {
      throw new ValidationError(field, `${range.cidr} holds at most ${hostCapacity(range)} hosts (hosts start at offset ${FIRST_HOST_OFFSET + 1}); ${hosts} asked`);
    }
  }
  const at = (range: NumberedRange, offset: number) => intToIpv4(range.network + offset);
  return {
    mgmt,
    underlay,
    gateway: at(mgmt, 1),
    hosts: Array.from({ length: hosts }, (_, i) => ({
      mgmtIp: at(mgmt, FIRST_HOST_OFFSET + 1 + i),
      underlayIp: at(underlay, FIRST_HOST_OFFSET + 1 + i),
    })),
  };
}

/** The `slot`-th pair of equal sub-ranges (/prefixLength) of the two spaces. */
function slotRanges(slot: number, prefixLength: number): LabRanges {
  const size = 2 ** (32 - prefixLength);
  const at = (space: string) => `${intToIpv4(ipv4ToInt(space.split('/')[0]) + slot * size)}/${prefixLength}`;
  return { mgmt: at(MGMT_SPACE), underlay: at(UNDERLAY_SPACE) };
}

const AUTO_PREFIX_LENGTH = 26;

/** The longest prefix (smallest sub-range, so the most labs side by side) that numbers `hosts`: /28 up to 4, /27 up to 20, /26 up to 52. */
export function autoPrefixLength(hosts: number): number {
  for (let prefixLength = 28; prefixLength > 24; prefixLength--) {
    if (2 ** (32 - prefixLength) - FIRST_HOST_OFFSET - 2 >= hosts) return prefixLength;
  }
  return 24;
}

/** Sub-range pairs to try, in order, when a lab is asked to find free ranges itself. */
export function candidateRanges(prefixLength = AUTO_PREFIX_LENGTH): LabRanges[] {
  if (!Number.isInteger(prefixLength) || prefixLength < 24 || prefixLength > 28) throw new ValidationError('auto range prefix', `/${prefixLength} must be /24 to /28`);
  return Array.from({ length: 2 ** (prefixLength - 24) }, (_, slot) => slotRanges(slot, prefixLength));
}
