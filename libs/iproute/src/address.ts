import { isIPv4 } from 'node:net';
import { Cidr, parseCidr } from './names';

/** IPv4 address as an unsigned 32-bit integer. */
export function ipv4ToInt(address: string): number {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]);
    text = text.slice(0, v4.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...fill, ...tailParts].reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part || '0', 16)), 0n);
}

function toBigInt(cidr: Pick<Cidr, 'address' | 'family'>): bigint {
  return cidr.family === 4 ? BigInt(ipv4ToInt(cidr.address)) : ipv6ToBigInt(cidr.address);
}

function networkRange(cidr: Cidr): [bigint, bigint] {
  const bits = cidr.family === 4 ? 32n : 128n;
  const hostBits = bits - BigInt(cidr.prefixLength);
  const start = (toBigInt(cidr) >> hostBits) << hostBits;
  return [start, start + (1n << hostBits) - 1n];
}

/** True when the two prefixes share at least one address (same family only). */
export function cidrsOverlap(a: Cidr | string, b: Cidr | string): boolean {
  const x = typeof a === 'string' ? parseCidr(a, 'cidr', false) : a;
  const y = typeof b === 'string' ? parseCidr(b, 'cidr', false) : b;
  if (x.family !== y.family) return false;
  const [xs, xe] = networkRange(x);
  const [ys, ye] = networkRange(y);
  return xs <= ye && ys <= xe;
}

/** True when `inner` lies entirely within `outer`. */
export function cidrContains(outer: Cidr | string, inner: Cidr | string): boolean {
  const o = typeof outer === 'string' ? parseCidr(outer, 'cidr', false) : outer;
  const i = typeof inner === 'string' ? parseCidr(inner, 'cidr', false) : inner;
  if (o.family !== i.family) return false;
  const [os, oe] = networkRange(o);
  const [is, ie] = networkRange(i);
  return os <= is && ie <= oe;
}
