import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import { causeOf, isOurs, sameMap, sameNumbers, show } from './compare';
import type { WantedBridge, WantedHost, WantedPort } from './desired-rows';
import type { ActualBridge, ActualHostState, ActualPort, ColumnValue, OvsdbCommand, PlanConflict, PlannedOvsdbChange } from './types';

/** Roles of the ports this planner manages; attachment rows belong to libs/plumbing (see attachment-plan). */
const MANAGED_PORT_ROLES: ReadonlySet<string> = new Set(['tunnel', 'port', 'operator-tunnel']);

export interface OvsdbPlan {
  changes: PlannedOvsdbChange[];
  conflicts: PlanConflict[];
  /** Bridges that exist once the transaction is applied: where attachments may go. */
  usableBridges: Set<string>;
}

/** A port of ours that this planner may change or delete. */
export function isManagedPort(port: ActualPort): boolean {
  return isOurs(port.externalIds) && MANAGED_PORT_ROLES.has(port.externalIds[owned.ROLE] ?? '');
}

function isOurBridge(bridge: ActualBridge): boolean {
  return isOurs(bridge.externalIds) && bridge.externalIds[owned.ROLE] === 'bridge';
}

/** '' is OVS's default for both columns. */
const datapathOf = (type: string): string => (type === '' ? 'system' : type);
const interfaceTypeOf = (type: string): string => (type === '' ? 'system' : type);

/**
 * The bridge and port part of convergence, in the order one transaction needs it: ports of
 * ours no longer wanted, then bridges of ours no longer wanted, then wanted bridges, then
 * wanted ports (replaced when they cannot be changed in place). Rows that are not ours are
 * never written: a name they hold is a conflict.
 */
export function planOvsdb(wanted: WantedHost, previous: WantedHost | null, actual: ActualHostState, keepBridges: ReadonlySet<string>): OvsdbPlan {
  return new OvsdbPlanner(wanted, previous, actual, keepBridges).plan();
}

class OvsdbPlanner {
  private readonly bridges = new Map<string, ActualBridge>();
  private readonly ports = new Map<string, ActualPort>();
  /** Interface name → the port holding it. */
  private readonly interfaceHolders = new Map<string, ActualPort>();
  /** Ports and bridges this transaction deletes (their names are free after). */
  private readonly deletedPorts = new Set<string>();
  private readonly deletedBridges = new Set<string>();
  private readonly changes: PlannedOvsdbChange[] = [];
  private readonly conflicts: PlanConflict[] = [];
  private readonly usable = new Set<string>();

  constructor(
    private readonly wanted: WantedHost,
    private readonly previous: WantedHost | null,
    private readonly actual: ActualHostState,
    private readonly keepBridges: ReadonlySet<string>,
  ) {
    for (const bridge of actual.bridges) this.bridges.set(bridge.name, bridge);
    for (const port of actual.ports) {
      this.ports.set(port.name, port);
      for (const iface of port.interfaces) this.interfaceHolders.set(iface.name, port);
    }
  }

  plan(): OvsdbPlan {
    this.removePorts();
    this.removeBridges();
    for (const bridge of this.actual.bridges) if (!this.deletedBridges.has(bridge.name)) this.usable.add(bridge.name);
    for (const bridge of this.wanted.bridges) this.convergeBridge(bridge);
    for (const port of this.wanted.ports) this.convergePort(port);
    return { changes: this.changes, conflicts: this.conflicts, usableBridges: this.usable };
  }

  private removePorts(): void {
    const wanted = new Set(this.wanted.ports.map((port) => port.name));
    for (const port of sortedByName(this.actual.ports)) {
      if (!isManagedPort(port) || wanted.has(port.name)) continue;
      this.deletedPorts.add(port.name);
      const role = port.externalIds[owned.ROLE] as WantedPort['resource'];
      this.changes.push({ resource: role, name: port.name, cause: 'removed', reason: `no longer wanted (${describeOurPort(port)})`, commands: [{ command: 'del-port', port: port.name }] });
    }
  }

  private removeBridges(): void {
    const wanted = new Set(this.wanted.bridges.map((bridge) => bridge.name));
    for (const bridge of sortedByName(this.actual.bridges)) {
      if (!isOurBridge(bridge) || wanted.has(bridge.name) || this.keepBridges.has(bridge.name)) continue;
      const held = sortedByName(this.actual.ports).filter((port) => port.bridge === bridge.name && port.name !== bridge.name);
      const foreign = held.filter((port) => !isOurs(port.externalIds));
      if (foreign.length > 0) {
        this.conflict('bridge-in-use', 'bridge', bridge.name, `bridge ${bridge.name} is no longer wanted but holds ports that are not ours (${foreign.map((p) => p.name).join(', ')}): kept`);
        continue;
      }
      this.deletedBridges.add(bridge.name);
      this.deletedPorts.add(bridge.name);
      for (const port of held) this.deletedPorts.add(port.name);
      this.changes.push({ resource: 'bridge', name: bridge.name, cause: 'removed', reason: 'no longer wanted', commands: [{ command: 'del-br', bridge: bridge.name }] });
    }
  }

  private convergeBridge(want: WantedBridge): void {
    const taken = this.nameTakenByPort(want.name, want.name);
    if (taken !== null) {
      this.conflict('name-taken', 'bridge', want.name, `cannot create bridge ${want.name}: ${taken}`);
      return;
    }
    this.usable.add(want.name);
    const have = this.bridges.get(want.name);
    const before = this.previous?.bridges.find((bridge) => bridge.name === want.name);
    if (have === undefined) {
      this.changes.push({
        resource: 'bridge',
        name: want.name,
        cause: causeOf(before, want, false),
        reason: `${want.label}, datapath ${want.datapathType}`,
        commands: [{ command: 'add-br', bridge: want.name, datapathType: want.datapathType, failMode: want.failMode ?? null, otherConfig: want.otherConfig ?? {}, externalIds: want.externalIds }],
      });
      return;
    }
    const values: Record<string, ColumnValue> = {};
    const reasons: string[] = [];
    if (datapathOf(have.datapathType) !== want.datapathType) {
      values.datapath_type = want.datapathType;
      reasons.push(`datapath_type is ${datapathOf(have.datapathType)}, wanted ${want.datapathType}`);
    }
    if (want.failMode !== undefined && have.failMode !== want.failMode) {
      values.fail_mode = want.failMode;
      reasons.push(`fail_mode is ${show(have.failMode)}, wanted ${show(want.failMode)}`);
    }
    if (want.otherConfig !== undefined && !sameMap(have.otherConfig, want.otherConfig)) {
      values.other_config = want.otherConfig;
      reasons.push(`other_config is ${show(have.otherConfig)}, wanted ${show(want.otherConfig)}`);
    }
    if (!isOurs(have.externalIds)) {
      if (reasons.length > 0) this.conflict('foreign-bridge-differs', 'bridge', want.name, `bridge ${want.name} is not ours and differs (${reasons.join('; ')}): used as it is`);
      return;
    }
    this.setExternalIds(values, reasons, have.externalIds, want.externalIds);
    if (reasons.length === 0) return;
    this.changes.push({ resource: 'bridge', name: want.name, cause: causeOf(before, want, true), reason: reasons.join('; '), commands: [{ command: 'set', table: 'Bridge', record: want.name, values }] });
  }

  private convergePort(want: WantedPort): void {
    if (!this.usable.has(want.bridge)) {
      this.conflict('missing-bridge', want.resource, want.name, `bridge ${want.bridge} of port ${want.name} neither exists nor is wanted`);
      return;
    }
    const found = this.ports.get(want.name);
    // A port whose bridge goes in this transaction goes with it: it is then added anew.
    const have = found !== undefined && !this.deletedPorts.has(found.name) ? found : undefined;
    if (have !== undefined && !isManagedPort(have)) {
      this.conflict('name-taken', want.resource, want.name, `port ${want.name} on bridge ${have.bridge ?? '(none)'} is not ours: left alone`);
      return;
    }
    const taken = this.nameTakenByBridge(want.name) ?? this.nameTakenByInterface(want.name, have);
    if (taken !== null) {
      this.conflict('name-taken', want.resource, want.name, `cannot create port ${want.name}: ${taken}`);
      return;
    }
    const before = this.previous?.ports.find((port) => port.name === want.name && port.resource === want.resource);
    const add = addPortOf(want);
    if (have === undefined) {
      this.changes.push({ resource: want.resource, name: want.name, cause: causeOf(before, want, false), reason: want.label, commands: [add] });
      return;
    }
    const replaceBecause = replaceReason(have, want);
    if (replaceBecause !== null) {
      this.changes.push({ resource: want.resource, name: want.name, cause: causeOf(before, want, true), reason: `replaced: ${replaceBecause}`, commands: [{ command: 'del-port', port: want.name }, add] });
      return;
    }
    const portValues: Record<string, ColumnValue> = {};
    const reasons: string[] = [];
    if (have.tag !== want.tag) {
      portValues.tag = want.tag;
      reasons.push(`tag is ${show(have.tag)}, wanted ${show(want.tag)}`);
    }
    if (!sameNumbers(have.trunks, want.trunks)) {
      portValues.trunks = want.trunks;
      reasons.push(`trunks are ${show(have.trunks)}, wanted ${show(want.trunks)}`);
    }
    if (have.vlanMode !== want.vlanMode) {
      portValues.vlan_mode = want.vlanMode;
      reasons.push(`vlan_mode is ${show(have.vlanMode)}, wanted ${show(want.vlanMode)}`);
    }
    if (have.protected !== want.protected) {
      portValues.protected = want.protected;
      reasons.push(`protected is ${have.protected}, wanted ${want.protected}`);
    }
    this.setExternalIds(portValues, reasons, have.externalIds, want.externalIds);
    const commands: OvsdbCommand[] = [];
    if (Object.keys(portValues).length > 0) commands.push({ command: 'set', table: 'Port', record: want.name, values: portValues });
    const options = have.interfaces[0].options;
    if (!sameMap(options, want.iface.options)) {
      commands.push({ command: 'set', table: 'Interface', record: want.iface.name, values: { options: want.iface.options } });
      reasons.push(`options are ${show(options)}, wanted ${show(want.iface.options)}`);
    }
    if (commands.length === 0) return;
    this.changes.push({ resource: want.resource, name: want.name, cause: causeOf(before, want, true), reason: reasons.join('; '), commands });
  }

  /** Our keys only: other keys someone added stay. */
  private setExternalIds(values: Record<string, ColumnValue>, reasons: string[], have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(want)) {
      if (have[key] === value) continue;
      values[`external_ids:${key}`] = value;
      reasons.push(`external_ids:${key} is ${have[key] ?? 'unset'}, wanted ${value}`);
    }
  }

  /** A port (other than bridge `localOf`'s own local port) or interface holding `name` after the deletions. */
  private nameTakenByPort(name: string, localOf: string): string | null {
    const port = this.ports.get(name);
    if (port !== undefined && !this.deletedPorts.has(name) && port.bridge !== localOf) return `a port named ${name} exists on bridge ${port.bridge ?? '(none)'}`;
    const holder = this.interfaceHolders.get(name);
    if (holder !== undefined && !this.deletedPorts.has(holder.name) && holder.bridge !== localOf) return `an interface named ${name} exists on port ${holder.name}`;
    return null;
  }

  /** (Wanted bridges and ports never share a name: wantedHost checks it.) */
  private nameTakenByBridge(name: string): string | null {
    return this.bridges.has(name) && !this.deletedBridges.has(name) ? `a bridge named ${name} exists` : null;
  }

  private nameTakenByInterface(name: string, own: ActualPort | undefined): string | null {
    const holder = this.interfaceHolders.get(name);
    if (holder === undefined || holder === own || this.deletedPorts.has(holder.name)) return null;
    return `an interface named ${name} exists on port ${holder.name}`;
  }

  private conflict(kind: PlanConflict['kind'], resource: PlanConflict['resource'], name: string, message: string): void {
    this.conflicts.push({ kind, resource, name, message });
  }
}

function addPortOf(want: WantedPort): OvsdbCommand {
  return {
    command: 'add-port',
    bridge: want.bridge,
    port: want.name,
    tag: want.tag,
    trunks: want.trunks,
    vlanMode: want.vlanMode,
    protected: want.protected,
    externalIds: want.externalIds,
    iface: want.iface,
  };
}

/** Why a port of ours cannot be changed in place (another bridge, interfaces or role), or null. */
function replaceReason(have: ActualPort, want: WantedPort): string | null {
  if (have.bridge !== want.bridge) return `on bridge ${have.bridge ?? '(none)'}, wanted on ${want.bridge}`;
  if (have.interfaces.length !== 1 || have.interfaces[0].name !== want.iface.name) return `has interface(s) ${have.interfaces.map((i) => i.name).join(', ')}, wanted ${want.iface.name}`;
  const type = interfaceTypeOf(have.interfaces[0].type);
  if (type !== want.iface.type) return `type is ${type}, wanted ${want.iface.type}`;
  const role = have.externalIds[owned.ROLE];
  if (role !== want.resource) return `made as ${role}, wanted as ${want.resource}`;
  return null;
}

function describeOurPort(port: ActualPort): string {
  const ids = port.externalIds;
  if (ids[owned.ROLE] === 'tunnel') return `tunnel of network ${ids[owned.NETWORK] ?? '?'} to host ${ids[owned.REMOTE_HOST] ?? '?'}`;
  return `${ids[owned.ROLE]} on bridge ${port.bridge ?? '(none)'}`;
}

function sortedByName<T extends { name: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
