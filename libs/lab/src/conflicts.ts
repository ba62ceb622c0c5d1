import { Cidr, cidrsOverlap, IpAddr, IpRoute, parseCidr } from '@ovs-fleet/iproute';
import { RangeConflictError } from './errors';
import { LabRanges, planAddresses } from './ranges';

/** What the machine already holds that a new lab's ranges must not overlap. */
export interface MachineNetworks {
  addresses: IpAddr[];
  routes: (IpRoute & { table?: string; type?: string })[];
  /** Ranges of labs found under the lab root (their underlay lives only inside namespaces). */
  labs: { name: string; ranges: LabRanges }[];
}

const DEFAULT_ROUTES = new Set(['default', '0.0.0.0/0', '::/0']);

function describeRoute(route: MachineNetworks['routes'][number]): string {
  const parts = [route.type && route.type !== 'unicast' ? route.type : '', route.dst, route.dev ? `dev ${route.dev}` : '', route.table ? `table ${route.table}` : ''];
  return parts.filter(Boolean).join(' ');
}

/**
 * Lists, in words, everything on the machine that overlaps the lab's ranges. Default routes
 * are skipped: they overlap everything and carry no address of their own.
 */
export function findConflicts(ranges: LabRanges, machine: MachineNetworks): string[] {
  const found: string[] = [];
  const check = (label: keyof LabRanges, what: string, cidr: string | Cidr) => {
    if (cidrsOverlap(ranges[label], cidr)) found.push(`${label} range ${ranges[label]} overlaps ${what}`);
  };
  for (const label of ['mgmt', 'underlay'] as const) {
    for (const link of machine.addresses) {
      for (const info of link.addr_info ?? []) {
        check(label, `address ${info.local}/${info.prefixlen} on ${link.ifname}`, `${info.local}/${info.prefixlen}`);
      }
    }
    for (const route of machine.routes) {
      if (DEFAULT_ROUTES.has(route.dst)) continue;
      check(label, `route ${describeRoute(route)}`, parseCidr(route.dst, 'route', false));
    }
    for (const lab of machine.labs) {
      check(label, `lab "${lab.name}" (mgmt ${lab.ranges.mgmt}, underlay ${lab.ranges.underlay})`, lab.ranges[label]);
    }
  }
  return found;
}

/** The first candidate that can number the hosts and overlaps nothing on the machine. */
export function chooseRanges(candidates: readonly LabRanges[], hosts: number, machine: MachineNetworks): LabRanges {
  let conflicts: string[] = [];
  for (const ranges of candidates) {
    planAddresses(ranges, hosts);
    conflicts = findConflicts(ranges, machine);
    if (conflicts.length === 0) return ranges;
  }
  if (candidates.length === 1) throw new RangeConflictError(conflicts);
  throw new RangeConflictError([`no free pair of sub-ranges among ${candidates.length} candidates (${candidates[0].mgmt} ... ${candidates[candidates.length - 1].underlay}); last conflicts:`, ...conflicts]);
}
