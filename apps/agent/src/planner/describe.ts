import type { AttachRequest, NamespaceRef } from '@ovs-fleet/plumbing';
import type { ColumnValue, ConvergencePlan, OvsdbCommand, PlannedAttach, PlannedDetach, StringMap } from './types';

/**
 * The plan as a person reads it in a dry run: `#` lines say what and why, the others are the
 * steps, in the order the agent runs them: detaches, the OVSDB transaction (ovs-vsctl
 * commands, sent as one transaction through toCommandBatch), attaches (the `ip` steps
 * libs/plumbing runs), then the conflicts left alone.
 */
export function describePlan(plan: ConvergencePlan): string[] {
  const { added, changed, removed, repaired } = plan.summary;
  const lines = [
    plan.empty
      ? `# host ${plan.hostId}, revision ${plan.revision}: nothing to do`
      : `# host ${plan.hostId}, revision ${plan.revision}: ${added} added, ${changed} changed, ${removed} removed, ${repaired} repaired`,
  ];
  for (const detach of plan.namespace.detach) lines.push(...detachLines(detach));
  if (plan.ovsdb.length > 0) {
    lines.push('# one OVSDB transaction:');
    for (const change of plan.ovsdb) {
      lines.push(`# ${change.resource} ${change.name} ${change.cause}: ${change.reason}`);
      for (const command of change.commands) lines.push(vsctl(command));
    }
  }
  for (const attach of plan.namespace.attach) lines.push(...attachLines(attach));
  for (const conflict of plan.conflicts) lines.push(`# conflict (${conflict.kind}), ${conflict.resource} ${conflict.name}: ${conflict.message}`);
  return lines;
}

function vsctl(command: OvsdbCommand): string {
  switch (command.command) {
    case 'add-br': {
      const columns: Record<string, ColumnValue> = { datapath_type: command.datapathType };
      if (command.failMode !== null) columns.fail_mode = command.failMode;
      Object.assign(columns, keyed('other_config', command.otherConfig), keyed('external_ids', command.externalIds));
      return words('ovs-vsctl', '--may-exist', 'add-br', command.bridge, '--', 'set', 'Bridge', command.bridge, ...assignments(columns));
    }
    case 'del-br':
      return words('ovs-vsctl', '--if-exists', 'del-br', command.bridge);
    case 'add-port': {
      const port: Record<string, ColumnValue> = {};
      if (command.tag !== null) port.tag = command.tag;
      if (command.trunks.length > 0) port.trunks = command.trunks;
      if (command.vlanMode !== null) port.vlan_mode = command.vlanMode;
      if (command.protected) port.protected = true;
      Object.assign(port, keyed('external_ids', command.externalIds));
      const iface: Record<string, ColumnValue> = command.iface.type === 'system' ? {} : { type: command.iface.type };
      Object.assign(iface, keyed('options', command.iface.options));
      const setInterface = Object.keys(iface).length > 0 ? ['--', 'set', 'Interface', command.iface.name, ...assignments(iface)] : [];
      return words('ovs-vsctl', '--may-exist', 'add-port', command.bridge, command.port, ...assignments(port), ...setInterface);
    }
    case 'del-port':
      return words('ovs-vsctl', '--if-exists', 'del-port', command.port);
    case 'set':
      return words('ovs-vsctl', 'set', command.table, command.record, ...assignments(command.values));
  }
}

function detachLines(detach: PlannedDetach): string[] {
  return [
    `# detach attachment ${detach.attachmentId} ${detach.cause}: ${detach.reason}`,
    words('ovs-vsctl', '--if-exists', 'del-port', detach.hostIfname),
    words('ip', 'link', 'del', detach.hostIfname),
  ];
}

/** The steps libs/plumbing's attach runs (see its README, "How an attach runs"). */
function attachLines(attach: PlannedAttach): string[] {
  const request = attach.request;
  const host = attach.hostIfname;
  const dev = request.ifname;
  const mtu = request.mtu === undefined ? [] : ['mtu', String(request.mtu)];
  const peer = ['name', dev, ...(request.mac === undefined ? [] : ['address', request.mac]), ...mtu];
  const port: Record<string, ColumnValue> = request.tag === undefined ? {} : { tag: request.tag };
  if (request.trunks !== undefined) port.trunks = request.trunks;
  const lines = [
    `# attach attachment ${attach.attachmentId} ${attach.cause}: ${attach.reason}`,
    words('ip', 'link', 'add', host, ...mtu, 'type', 'veth', 'peer', ...peer, 'netns', netnsArgument(request.container)),
    words('ip', 'link', 'set', host, 'addrgenmode', 'none'),
    words('ip', 'link', 'set', host, 'up'),
    words('ovs-vsctl', 'add-port', request.bridge, host, ...assignments(port), ...(request.mtu === undefined ? [] : ['--', 'set', 'Interface', host, `mtu_request=${request.mtu}`])),
    `# (the attachment's record goes on the Interface's external_ids; ${host} is then awaited in ovs-vswitchd)`,
  ];
  const inside = insideNamespace(request.container);
  const addresses = request.addresses ?? [];
  if (request.announce !== false) {
    if (addresses.some((a) => !a.includes(':'))) lines.push(words(...inside, 'sysctl', '-w', `net/ipv4/conf/${dev}/arp_notify=1`));
    if (addresses.some((a) => a.includes(':'))) lines.push(words(...inside, 'sysctl', '-w', `net/ipv6/conf/${dev}/ndisc_notify=1`));
  }
  for (const address of addresses) lines.push(words(...inside, 'ip', 'address', 'add', address, 'dev', dev, ...(address.includes(':') ? ['nodad'] : [])));
  lines.push(words(...inside, 'ip', 'link', 'set', 'lo', 'up'), words(...inside, 'ip', 'link', 'set', dev, 'up'));
  lines.push(...routeLines(request, inside));
  lines.push(words('ovs-vsctl', 'set', 'Interface', host, 'external_ids:ovs-fleet-state=ready'));
  return lines;
}

function routeLines(request: AttachRequest, inside: string[]): string[] {
  const dev = request.ifname;
  const lines: string[] = [];
  if (request.gateway !== undefined) lines.push(words(...inside, 'ip', 'route', 'add', '0.0.0.0/0', 'via', request.gateway, 'dev', dev));
  if (request.gateway6 !== undefined) lines.push(words(...inside, 'ip', 'route', 'add', '::/0', 'via', request.gateway6, 'dev', dev));
  for (const route of request.routes ?? []) lines.push(words(...inside, 'ip', 'route', 'add', route.to, ...(route.via === undefined ? [] : ['via', route.via]), 'dev', dev));
  return lines;
}

/** What `ip link add ... netns X` takes: a PID or a namespace name (a container's PID is known only when attaching). */
function netnsArgument(ref: NamespaceRef): string {
  if ('pid' in ref) return String(ref.pid);
  if ('netns' in ref) return ref.netns;
  if ('path' in ref) return /^\/proc\/(\d+)\//.exec(ref.path)?.[1] ?? ref.path.replace(/^.*\//, '');
  return `<pid of container ${ref.dockerContainer}>`;
}

function insideNamespace(ref: NamespaceRef): string[] {
  if ('netns' in ref) return ['ip', 'netns', 'exec', ref.netns];
  if ('path' in ref && !ref.path.startsWith('/proc/')) return ['ip', 'netns', 'exec', ref.path.replace(/^.*\//, '')];
  if ('dockerContainer' in ref) return ['nsenter', `--net=/proc/<pid of container ${ref.dockerContainer}>/ns/net`];
  return ['nsenter', `--net=${'pid' in ref ? `/proc/${ref.pid}/ns/net` : ref.path}`];
}

/** `column:key=value` per map entry (other keys of the column stay as they are). */
function keyed(column: string, map: StringMap): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [`${column}:${key}`, value]));
}

function assignments(values: Readonly<Record<string, ColumnValue>>): string[] {
  return Object.entries(values).map(([column, value]) => `${column}=${ovsdbValue(value)}`);
}

/** A value in ovs-vsctl's syntax: [] for an empty optional or set, {k=v} for a map, strings quoted when not plain. */
function ovsdbValue(value: ColumnValue): string {
  if (value === null) return '[]';
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as StringMap).map(([k, v]) => `${atom(k)}=${atom(v)}`).join(', ')}}`;
  return typeof value === 'string' ? atom(value) : String(value);
}

function atom(text: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(text) ? text : JSON.stringify(text);
}

/** A shell command line: words with anything special in single quotes. Placeholders (`<...>`) stay as written. */
function words(...parts: string[]): string {
  return parts.map((part) => (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(part) || /^<[^>]*>$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}
