import type { HostRecord, NetworkRecord } from '@ovs-fleet/contracts';

/** Whether `network` spans `host`: every host, or a host carrying every label of the selector. */
export function spans(network: NetworkRecord, host: HostRecord): boolean {
  const selector = network.hosts;
  if ('all' in selector) return selector.all === true;
  return Object.entries(selector.labels).every(([key, value]) => host.labels[key] === value);
}

/** The hosts among `hosts` that `network` spans, in the order given. */
export function spannedHosts(network: NetworkRecord, hosts: readonly HostRecord[]): HostRecord[] {
  return hosts.filter((host) => spans(network, host));
}
