import { createHash } from 'node:crypto';

/** Every host-side veth end (and OVS port) this library makes starts with this. */
export const HOST_IF_PREFIX = 'ovfc';

const HEX_CHARS = 15 - HOST_IF_PREFIX.length;

function digest(domain: string, containerId: string, ifname: string): Buffer {
  return createHash('sha256').update(domain).update('\0').update(containerId).update('\0').update(ifname).digest();
}

/**
 * Host-side veth name for (container, interface): the prefix plus 44 bits of a hash,
 * exactly 15 bytes. The same pair always gives the same name, so a repeated or
 * interrupted attach finds its own leftovers.
 */
export function hostIfname(containerId: string, ifname: string): string {
  return HOST_IF_PREFIX + digest('host-if', containerId, ifname).toString('hex').slice(0, HEX_CHARS);
}

export function isOurHostIfname(name: string): boolean {
  return name.length === 15 && name.startsWith(HOST_IF_PREFIX) && /^[0-9a-f]+$/.test(name.slice(HOST_IF_PREFIX.length));
}

/** Locally administered unicast MAC (02:xx:..) derived from (container, interface). */
export function deterministicMac(containerId: string, ifname: string): string {
  const bytes = digest('mac', containerId, ifname);
  const octets = ['02'];
  for (let i = 0; i < 5; i++) octets.push(bytes[i].toString(16).padStart(2, '0'));
  return octets.join(':');
}
