import { isIPv4, isIPv6 } from 'node:net';
import { Cidr } from '@ovs-fleet/iproute';

/**
 * IP address text in one form, the one `ip` prints (glibc's inet_ntop), so that what is
 * recorded compares equal to what the kernel reports; and the addresses an interface can
 * never use.
 */

function ipv4Value(text: string): number {
  return text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The eight 16-bit words of a valid IPv6 address without a zone (an IPv4 tail counts as two). */
function ipv6Words(text: string): number[] {
  let hex = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(hex);
  if (tail) {
    const value = ipv4Value(tail[1]);
    hex = `${hex.slice(0, tail.index)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const [head, rest] = hex.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const restWords = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - headWords.length - restWords.length).fill('0');
  return [...headWords, ...fill, ...restWords].map((word) => parseInt(word, 16));
}

/** The longest run of zero words (the first of equal ones), if at least two long: glibc's rule. */
function longestZeroRun(words: readonly number[]): { base: number; length: number } | null {
  let best: { base: number; length: number } | null = null;
  let base = -1;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && words[i] === 0) {
      if (base === -1) base = i;
      continue;
    }
    if (base !== -1 && (best === null || i - base > best.length)) best = { base, length: i - base };
    base = -1;
  }
  return best !== null && best.length >= 2 ? best : null;
}

function ipv6Text(words: readonly number[]): string {
  const run = longestZeroRun(words);
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (run && i >= run.base && i < run.base + run.length) {
      if (i === run.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted form.
    if (i === 6 && run?.base === 0 && (run.length === 6 || (run.length === 5 && words[5] === 0xffff))) {
      return out + ipv4Text(words[6] * 65536 + words[7]);
    }
    out += words[i].toString(16);
  }
  if (run && run.base + run.length === 8) out += ':';
  return out;
}

/** The address as `ip` writes it (fd00:0::01 -> fd00::1, ::ffff:c612:9 -> ::ffff:198.18.0.9); IPv4 unchanged. */
export function canonicalIp(address: string): string {
  if (isIPv4(address) || !isIPv6(address) || address.includes('%')) return address;
  return ipv6Text(ipv6Words(address));
}

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for, as a number. */
function mappedIpv4(words: readonly number[]): number | null {
  return words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff ? words[6] * 65536 + words[7] : null;
}

function ipv4Problem(value: number): string | null {
  if (value === 0) return 'is the unspecified address';
  if (value === 0xffffffff) return 'is the broadcast address';
  const first = Math.floor(value / 2 ** 24);
  if (first === 0) return 'is in 0.0.0.0/8 ("this network"), which no interface can use';
  if (first === 127) return 'is a loopback address (127.0.0.0/8)';
  if (first >= 224 && first <= 239) return 'is a multicast address (224.0.0.0/4)';
  return null;
}

/** Why `address` can be no interface's address nor a next hop (unspecified, loopback, multicast, broadcast), or null. */
export function unusableAddressReason(address: string): string | null {
  if (isIPv4(address)) return ipv4Problem(ipv4Value(address));
  const words = ipv6Words(address);
  if (words.every((w) => w === 0)) return 'is the unspecified address';
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'is the loopback address';
  if (words[0] === 0xff02) return 'is a link-local multicast address (ff02::/16)';
  if (words[0] >= 0xff00) return 'is a multicast address (ff00::/8)';
  const mapped = mappedIpv4(words);
  return mapped === null ? null : ipv4Problem(mapped);
}

/** True when `address` is the broadcast address of the IPv4 prefix `cidr` (a /31 or /32 has none). */
export function isBroadcastOf(address: string, cidr: Cidr): boolean {
  if (cidr.family !== 4 || !isIPv4(address) || cidr.prefixLength > 30) return false;
  const hostBits = 2 ** (32 - cidr.prefixLength);
  return ipv4Value(address) % hostBits === hostBits - 1 && Math.floor(ipv4Value(address) / hostBits) === Math.floor(ipv4Value(cidr.address) / hostBits);
}

/** The network address of an IPv4 prefix, for messages (198.18.0.255/24 -> 198.18.0.0/24). */
export function ipv4Network(cidr: Cidr): string {
  const hostBits = 2 ** (32 - cidr.prefixLength);
  return `${ipv4Text(Math.floor(ipv4Value(cidr.address) / hostBits) * hostBits)}/${cidr.prefixLength}`;
}

/** Why `cidr` cannot be an interface's address (see unusableAddressReason; also a /0 or its prefix's broadcast), or null. */
export function unusableInterfaceAddressReason(cidr: Cidr): string | null {
  const reason = unusableAddressReason(cidr.address);
  if (reason !== null) return reason;
  if (cidr.prefixLength === 0) return 'has a /0 prefix, which would put every address on the link: give the subnet\'s prefix length';
  if (isBroadcastOf(cidr.address, cidr)) return `is the broadcast address of ${ipv4Network(cidr)}`;
  return null;
}
