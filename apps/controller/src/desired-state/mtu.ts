import type { HostRecord, NetworkRecord, NetworkType } from '@ovs-fleet/contracts';
import { addressFamily, type AddressFamily } from './address-family';

/**
 * Bytes each encapsulation adds around an inner Ethernet frame (the inner Ethernet header
 * counts, since MTUs exclude it): VXLAN and Geneve (no options) 14 + 20 IPv4 + 8 UDP + 8,
 * GRE as OVS's gretap with a key 14 + 20 IPv4 + 8; an IPv6 outer header is 20 bytes longer.
 * `vlan` networks are not encapsulated (a tag on the provider segment is carried, not counted).
 */
const OVERHEAD_OVER_IPV4: Record<NetworkType, number> = { vxlan: 50, geneve: 50, gre: 42, vlan: 0 };
const IPV6_EXTRA = 20;

/** MTU assumed for the underlay while a derived-MTU network spans no host yet. */
export const DEFAULT_UNDERLAY_MTU = 1500;

export function encapsulationOverhead(type: NetworkType, underlayFamily: AddressFamily): number {
  const overhead = OVERHEAD_OVER_IPV4[type];
  return overhead === 0 || underlayFamily === 4 ? overhead : overhead + IPV6_EXTRA;
}

/** The largest MTU `host`'s underlay carries for a network of `type`. */
export function hostMtuCeiling(type: NetworkType, host: HostRecord): number {
  return host.underlayMtu - encapsulationOverhead(type, addressFamily(host.tunnelIp, `host ${host.id} tunnelIp`));
}

/** The host whose underlay carries the smallest MTU for `type`, and that MTU; null without hosts. */
export function underlayMtuLimit(type: NetworkType, hosts: readonly HostRecord[]): { mtu: number; host: HostRecord } | null {
  let limit: { mtu: number; host: HostRecord } | null = null;
  for (const host of hosts) {
    const mtu = hostMtuCeiling(type, host);
    if (limit === null || mtu < limit.mtu || (mtu === limit.mtu && host.id < limit.host.id)) limit = { mtu, host };
  }
  return limit;
}

/**
 * The MTU of the network's interfaces: the given one, or (when derived) the smallest the
 * underlay of every spanned host carries, `DEFAULT_UNDERLAY_MTU` over IPv4 less the overhead
 * while none is spanned.
 */
export function effectiveMtu(network: NetworkRecord, spannedHosts: readonly HostRecord[]): number {
  if (!network.mtuDerived) return network.mtu;
  return underlayMtuLimit(network.type, spannedHosts)?.mtu ?? DEFAULT_UNDERLAY_MTU - encapsulationOverhead(network.type, 4);
}

/** Why a given MTU is too large for the underlay of the spanned hosts, or null when it fits. */
export function validateGivenMtu(type: NetworkType, mtu: number, spannedHosts: readonly HostRecord[]): string | null {
  const limit = underlayMtuLimit(type, spannedHosts);
  if (limit === null || mtu <= limit.mtu) return null;
  const { host } = limit;
  const family = addressFamily(host.tunnelIp, `host ${host.id} tunnelIp`);
  return (
    `${mtu} is more than the underlay carries for ${type}: at most ${limit.mtu} on host "${host.id}" ` +
    `(underlay MTU ${host.underlayMtu} less ${encapsulationOverhead(type, family)} bytes of ${type} over IPv${family})`
  );
}
