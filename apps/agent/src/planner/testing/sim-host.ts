import { ownedExternalIds as owned } from '@ovs-fleet/contracts';
import { externalIds as plumbingIds, type AttachRequest } from '@ovs-fleet/plumbing';
import { actualStateFromReplica, type ReplicaReader } from '../actual-state';
import { ContainerWorld } from './container-world';
import type { ActualHostState, ColumnValue, ConvergencePlan, OvsdbCommand, PlannedInterface } from '../types';

type Value = string | number | boolean | null | readonly unknown[] | ReadonlyMap<string, string>;
type Row = Record<string, Value>;
type TableName = 'Bridge' | 'Port' | 'Interface';

/**
 * A host for unit specs: Bridge/Port/Interface rows shaped as libs/ovsdb's replica holds
 * them, and the world around them (host links, container namespaces). `apply` carries a
 * plan out as ovs-vsctl and libs/plumbing would, throws where they would fail, and throws
 * whenever the plan writes or deletes a row that is not ours. `snapshot` goes through the
 * real extractor.
 */
export class SimHost extends ContainerWorld {
  private readonly tables = new Map<TableName, Map<string, Row>>([
    ['Bridge', new Map()],
    ['Port', new Map()],
    ['Interface', new Map()],
  ]);
  private nextUuid = 1;

  readonly reader: ReplicaReader = { table: (name) => this.table(name as TableName) };

  snapshot(): ActualHostState {
    return actualStateFromReplica(this.reader, this.probe);
  }

  // ---- rows, as an operator's ovs-vsctl would change them -------------------------------

  addBridgeByHand(name: string, datapathType = 'netdev', externalIds: Record<string, string> = {}): void {
    this.insertBridge(name, datapathType, null, {}, externalIds);
  }

  addPortByHand(bridge: string, name: string, columns: Row = {}, iface: Partial<PlannedInterface> = {}): void {
    this.insertPort(bridge, name, { ...columns }, { name: iface.name ?? name, type: iface.type ?? 'system', options: iface.options ?? {} });
  }

  delPortByHand(name: string): void {
    this.deletePort(this.uuidOf('Port', name));
  }

  /** `ovs-vsctl set TABLE NAME column=value` (maps as records; 'external_ids:key' for one key). */
  setByHand(table: TableName, name: string, values: Readonly<Record<string, ColumnValue>>): void {
    this.write(table, name, values);
  }

  /** As plumbing's recover() at the agent's start: host ends of ours no port records any more are deleted. */
  recover(): void {
    const recorded = new Set([...this.table('Port').values()].map((port) => port.name as string));
    for (const link of [...this.links]) if (!recorded.has(link)) this.links.delete(link);
  }

  /** Names of every Bridge, Port and Interface row. */
  names(table: TableName): string[] {
    return [...this.table(table).values()].map((row) => row.name as string);
  }

  // ---- carrying out a plan ---------------------------------------------------------------

  apply(plan: ConvergencePlan): void {
    for (const detach of plan.namespace.detach) this.detach(detach.selector.attachmentId);
    for (const change of plan.ovsdb) for (const command of change.commands) this.run(command);
    for (const attach of plan.namespace.attach) this.attach(attach.request);
  }

  private run(command: OvsdbCommand): void {
    switch (command.command) {
      case 'add-br':
        if (this.find('Bridge', command.bridge) !== undefined) return;
        this.insertBridge(command.bridge, command.datapathType, command.failMode, command.otherConfig, command.externalIds);
        return;
      case 'del-br': {
        const uuid = this.find('Bridge', command.bridge);
        if (uuid === undefined) return;
        const bridge = this.table('Bridge').get(uuid)!;
        this.assertOurs(bridge, `del-br ${command.bridge}`);
        for (const port of bridge.ports as string[]) {
          if ((this.table('Port').get(port)!.name as string) !== command.bridge) this.assertOurs(this.table('Port').get(port)!, `del-br ${command.bridge} (its ports)`);
          this.deletePort(port);
        }
        this.table('Bridge').delete(uuid);
        return;
      }
      case 'add-port': {
        const existing = this.find('Port', command.port);
        if (existing !== undefined) {
          const holder = this.bridgeOf(existing);
          if (holder !== command.bridge) throw new Error(`"--may-exist add-port ${command.bridge} ${command.port}" but ${command.port} is actually attached to bridge ${holder}`);
          return;
        }
        const columns: Row = { tag: command.tag, trunks: [...command.trunks], vlan_mode: command.vlanMode, protected: command.protected, external_ids: new Map(Object.entries(command.externalIds)) };
        this.insertPort(command.bridge, command.port, columns, command.iface);
        return;
      }
      case 'del-port': {
        const uuid = this.find('Port', command.port);
        if (uuid === undefined) return;
        if (this.find('Bridge', command.port) !== undefined) throw new Error(`cannot delete port ${command.port} because it is the local port for bridge ${command.port}`);
        this.assertOurs(this.table('Port').get(uuid)!, `del-port ${command.port}`);
        this.deletePort(uuid);
        return;
      }
      case 'set': {
        const row = this.table(command.table).get(this.uuidOf(command.table, command.record))!;
        const ownerRow = command.table === 'Interface' ? this.portOfInterface(command.record) : row;
        this.assertOurs(ownerRow, `set ${command.table} ${command.record}`);
        this.write(command.table, command.record, command.values);
        return;
      }
    }
  }

  private attach(request: AttachRequest): void {
    const rows = this.plumb(request);
    const { spec, hostIfname: name } = rows.attachment;
    this.insertPort(spec.bridge, name, { tag: spec.tag, trunks: spec.trunks, external_ids: new Map(Object.entries(rows.portExternalIds)) }, { name, type: 'system', options: {} });
    Object.assign(this.table('Interface').get(this.uuidOf('Interface', name))!, { mtu_request: spec.mtu, external_ids: new Map(Object.entries(rows.interfaceExternalIds)) });
  }

  private detach(recordId: string): void {
    for (const [uuid, port] of this.table('Port')) {
      for (const iface of port.interfaces as string[]) {
        const ids = this.table('Interface').get(iface)!.external_ids as ReadonlyMap<string, string>;
        if (ids.get(plumbingIds.ATTACHMENT_ID) !== recordId || ids.get(plumbingIds.OWNER) !== owned.OWNER_VALUE) continue;
        this.assertOurs(port, `detach ${recordId}`);
        this.links.delete(port.name as string);
        this.deletePort(uuid);
        return;
      }
    }
  }

  // ---- rows -----------------------------------------------------------------------------

  private insertBridge(name: string, datapathType: string, failMode: string | null, otherConfig: Readonly<Record<string, string>>, externalIds: Readonly<Record<string, string>>): void {
    this.assertFree(name);
    const uuid = this.uuid();
    this.table('Bridge').set(uuid, { name, datapath_type: datapathType, fail_mode: failMode, other_config: new Map(Object.entries(otherConfig)), external_ids: new Map(Object.entries(externalIds)), ports: [] });
    this.insertPort(name, name, {}, { name, type: 'internal', options: {} });
  }

  private insertPort(bridge: string, name: string, columns: Row, iface: PlannedInterface): void {
    if (bridge !== name) this.assertFree(name);
    if (iface.name !== name) this.assertFree(iface.name);
    const bridgeUuid = this.find('Bridge', bridge);
    if (bridgeUuid === undefined) throw new Error(`no bridge named ${bridge}`);
    const ifaceUuid = this.uuid();
    this.table('Interface').set(ifaceUuid, {
      name: iface.name,
      type: iface.type === 'system' ? '' : iface.type,
      options: new Map(Object.entries(iface.options)),
      mtu_request: null,
      external_ids: new Map(),
      ofport: null,
      link_state: null,
      mtu: null,
      error: null,
    });
    const portUuid = this.uuid();
    this.table('Port').set(portUuid, { name, interfaces: [ifaceUuid], tag: null, trunks: [], vlan_mode: null, protected: false, external_ids: new Map(), ...columns });
    const holder = this.table('Bridge').get(bridgeUuid)!;
    holder.ports = [...(holder.ports as string[]), portUuid];
  }

  private deletePort(uuid: string): void {
    const port = this.table('Port').get(uuid)!;
    for (const iface of port.interfaces as string[]) this.table('Interface').delete(iface);
    for (const bridge of this.table('Bridge').values()) bridge.ports = (bridge.ports as string[]).filter((p) => p !== uuid);
    this.table('Port').delete(uuid);
  }

  private write(table: TableName, name: string, values: Readonly<Record<string, ColumnValue>>): void {
    const row = this.table(table).get(this.uuidOf(table, name))!;
    const changes: Row = {};
    for (const [column, value] of Object.entries(values)) {
      const colon = column.indexOf(':');
      if (colon > 0) {
        const map = new Map((changes[column.slice(0, colon)] ?? row[column.slice(0, colon)]) as ReadonlyMap<string, string>);
        map.set(column.slice(colon + 1), value as string);
        changes[column.slice(0, colon)] = map;
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        changes[column] = new Map(Object.entries(value));
      } else {
        changes[column] = Array.isArray(value) ? [...(value as number[])] : (value as Value);
      }
    }
    Object.assign(row, changes);
  }

  private assertOurs(row: Row, what: string): void {
    if ((row.external_ids as ReadonlyMap<string, string>).get(owned.OWNER) !== owned.OWNER_VALUE) throw new Error(`${what}: writes a row that is not ours`);
  }

  private assertFree(name: string): void {
    for (const table of ['Bridge', 'Port', 'Interface'] as const) {
      if (this.find(table, name) !== undefined) throw new Error(`cannot create ${name} because a ${table} named ${name} already exists`);
    }
  }

  private portOfInterface(name: string): Row {
    const iface = this.uuidOf('Interface', name);
    for (const port of this.table('Port').values()) if ((port.interfaces as string[]).includes(iface)) return port;
    throw new Error(`interface ${name} has no port`);
  }

  private bridgeOf(portUuid: string): string | undefined {
    for (const bridge of this.table('Bridge').values()) if ((bridge.ports as string[]).includes(portUuid)) return bridge.name as string;
    return undefined;
  }

  private find(table: TableName, name: string): string | undefined {
    for (const [uuid, row] of this.table(table)) if (row.name === name) return uuid;
    return undefined;
  }

  private uuidOf(table: TableName, name: string): string {
    const uuid = this.find(table, name);
    if (uuid === undefined) throw new Error(`no row "${name}" in table ${table}`);
    return uuid;
  }

  private table(name: TableName): Map<string, Row> {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`no table ${name}`);
    return table;
  }

  private uuid(): string {
    return `00000000-0000-4000-8000-${String(this.nextUuid++).padStart(12, '0')}`;
  }
}
