import { AttachSpec, NamespaceTarget } from './types';

/** IPv6 needs links of at least this MTU: below it the kernel keeps no IPv6 state for the link. */
export const IPV6_MIN_MTU = 1280;

/**
 * Host side, one batch: the veth pair is created with its peer already named, addressed
 * (MAC, MTU) and inside the container's namespace, so no temporary name is ever visible there;
 * the host end gets the same MTU, no IPv6 link-local address (it is a switch port: no address
 * configuration, duplicate address detection or MLD work for the kernel), and comes up.
 * `addrgenmode` cannot be given to `link add` (the kernel refuses address-family settings for
 * a new link), hence a `link set` before `up`.
 */
export function hostCreateCommands(spec: AttachSpec, hostName: string, target: NamespaceTarget): string[][] {
  const mtu = spec.mtu === null ? [] : ['mtu', String(spec.mtu)];
  const into = target.kind === 'pid' ? String(target.pid) : target.name;
  const create = ['link', 'add', hostName, ...mtu, 'type', 'veth', 'peer', 'name', spec.ifname, 'address', spec.mac, ...mtu, 'netns', into];
  // Below IPv6's minimum MTU the kernel keeps no IPv6 state for the link: there is no link-local
  // address to turn off, and asking fails ("Address family not supported by protocol").
  if (spec.mtu !== null && spec.mtu < IPV6_MIN_MTU) return [create, ['link', 'set', hostName, 'up']];
  return [create, ['link', 'set', hostName, 'addrgenmode', 'none'], ['link', 'set', hostName, 'up']];
}

/** Container side, one `ip -batch`: addresses, links up, default gateways, extra routes. */
export function containerConfigCommands(spec: AttachSpec): string[][] {
  const dev = spec.ifname;
  const commands: string[][] = [];
  for (const address of spec.addresses) {
    commands.push(address.includes(':') ? ['address', 'add', address, 'dev', dev, 'nodad'] : ['address', 'add', address, 'dev', dev]);
  }
  commands.push(['link', 'set', 'lo', 'up'], ['link', 'set', dev, 'up']);
  if (spec.gateway !== null) commands.push(['route', 'add', '0.0.0.0/0', 'via', spec.gateway, 'dev', dev]);
  if (spec.gateway6 !== null) commands.push(['route', 'add', '::/0', 'via', spec.gateway6, 'dev', dev]);
  for (const route of spec.routes) {
    commands.push(route.via === null ? ['route', 'add', route.to, 'dev', dev] : ['route', 'add', route.to, 'via', route.via, 'dev', dev]);
  }
  return commands;
}

/**
 * Sysctls that make the kernel announce the addresses when the link comes up (gratuitous ARP,
 * unsolicited neighbour advertisement). Slash form, since interface names may hold dots.
 */
export function announceSysctls(spec: AttachSpec): string[] {
  if (!spec.announce) return [];
  const settings: string[] = [];
  if (spec.addresses.some((a) => !a.includes(':'))) settings.push(`net/ipv4/conf/${spec.ifname}/arp_notify=1`);
  if (spec.addresses.some((a) => a.includes(':'))) settings.push(`net/ipv6/conf/${spec.ifname}/ndisc_notify=1`);
  return settings;
}
