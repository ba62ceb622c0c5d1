import { LabStatus } from './status';
import { TeardownReport } from './teardown';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd()).join('\n');
}

const yesNo = (alive: boolean) => (alive ? 'up' : 'DOWN');

/** The human form of `lab status`: a line per host, then the shared services. */
export function formatStatus(status: LabStatus): string {
  const rows = [
    ['HOST', 'NAMESPACE', 'OVS', 'OVSDB', 'VSWITCHD', 'MGMT IP', 'UNDERLAY IP', 'OVSDB TCP', 'OVSDB UNIX'],
    ...status.hosts.map((h) => [h.id, h.netns, h.ovsVersion ?? '-', yesNo(h.ovsdbServer), yesNo(h.ovsVswitchd), h.mgmtIp, h.underlayIp, h.ovsdbTcp, h.ovsdbUnix]),
  ];
  const lines = [
    `lab ${status.name}: mgmt ${status.ranges.mgmt} (gateway ${status.gateway}), underlay ${status.ranges.underlay}`,
    table(rows),
  ];
  if (status.redis) lines.push(`redis   ${status.redis.url}  ${yesNo(status.redis.alive)}`);
  if (status.podman) lines.push(`podman  unix://${status.podman.socket}  ${yesNo(status.podman.alive)}`);
  return lines.join('\n');
}

export function formatTeardown(report: TeardownReport): string {
  const parts = [
    `${report.processes.length} process(es)`,
    `${report.netns.length} namespace(s)`,
    `${report.links.length} link(s)`,
    `${report.containers.length} podman container(s)`,
  ];
  return `lab ${report.name} removed: ${parts.join(', ')}`;
}
