import type { WritableValue } from '../data/typed-value';
import { isUuid } from '../data/uuid';
import { fail } from './failure';
import { idOf, membersOf, refOf, type WorkingRow, type Workspace } from './workspace';

/** String maps (`external_ids`, `options`...) as a record or a Map. */
export type StringMap = Readonly<Record<string, string>> | ReadonlyMap<string, string>;
/** Extra columns written as given (validated against the schema). */
export type ExtraColumns = Readonly<Record<string, WritableValue>>;

export interface AddBridgeOptions {
  /** No error if a bridge of that name exists (it is then left as it is, like `ovs-vsctl --may-exist`). */
  mayExist?: boolean;
  /** `netdev` for the userspace datapath. */
  datapathType?: string;
  failMode?: 'standalone' | 'secure';
  externalIds?: StringMap;
  otherConfig?: StringMap;
  columns?: ExtraColumns;
}

export interface InterfaceSpec {
  name: string;
  /** "" (system), internal, vxlan, gre, geneve, patch, dpdk... */
  type?: string;
  options?: StringMap;
  externalIds?: StringMap;
  mtuRequest?: number;
  columns?: ExtraColumns;
}

export interface AddPortOptions {
  /** No error if the port exists on this bridge with the same interface names (then left as it is). */
  mayExist?: boolean;
  /** Default: one interface named like the port, as `ovs-vsctl add-port`. */
  interfaces?: readonly InterfaceSpec[];
  tag?: number;
  trunks?: readonly number[];
  vlanMode?: 'trunk' | 'access' | 'native-tagged' | 'native-untagged' | 'dot1q-tunnel';
  externalIds?: StringMap;
  columns?: ExtraColumns;
}

export interface DelOptions {
  ifExists?: boolean;
}

export function toMap(map: StringMap | undefined): ReadonlyMap<string, string> {
  if (map === undefined) return new Map();
  return map instanceof Map ? map : new Map(Object.entries(map));
}

/** Columns to write: only the options given, so defaults stay the server's. */
function columns(entries: Record<string, WritableValue | undefined>, extra: ExtraColumns | undefined): Record<string, WritableValue> {
  const out: Record<string, WritableValue> = { ...extra };
  for (const [name, value] of Object.entries(entries)) if (value !== undefined) out[name] = value;
  return out;
}

function nameOf(ws: Workspace, row: WorkingRow): string {
  return String(ws.valueOf(row, 'name'));
}

/** The Open_vSwitch row (there is one). */
export function rootRow(ws: Workspace): WorkingRow {
  for (const row of ws.rows('Open_vSwitch')) return row;
  return fail('database has no Open_vSwitch row (not initialized: "ovs-vsctl init" creates it)');
}

function findBridge(ws: Workspace, bridge: string, mustExist: boolean): WorkingRow | undefined {
  const row = (isUuid(bridge) ? ws.get('Bridge', bridge) : undefined) ?? ws.byName('Bridge', bridge);
  if (row === undefined && mustExist) fail(`no bridge named ${bridge}`);
  return row;
}

function findPort(ws: Workspace, port: string, mustExist: boolean): WorkingRow | undefined {
  const row = (isUuid(port) ? ws.get('Port', port) : undefined) ?? ws.byName('Port', port);
  if (row === undefined && mustExist) fail(`no port named ${port}`);
  return row;
}

function bridgeOfPort(ws: Workspace, port: WorkingRow): WorkingRow | undefined {
  return ws.holderOf('Bridge', 'ports', port);
}

function bridgeNameOfInterface(ws: Workspace, iface: WorkingRow): string {
  const port = ws.holderOf('Port', 'interfaces', iface);
  const bridge = port && bridgeOfPort(ws, port);
  return bridge ? nameOf(ws, bridge) : '(none)';
}

/** ovs-vsctl's check_conflicts: bridge, port and interface names share one namespace. */
function checkConflicts(ws: Workspace, name: string, what: string): void {
  if (ws.byName('Bridge', name)) fail(`${what} because a bridge named ${name} already exists`);
  const port = ws.byName('Port', name);
  if (port) {
    const bridge = bridgeOfPort(ws, port);
    fail(`${what} because a port named ${name} already exists on bridge ${bridge ? nameOf(ws, bridge) : '(none)'}`);
  }
  const iface = ws.byName('Interface', name);
  if (iface) fail(`${what} because an interface named ${name} already exists on bridge ${bridgeNameOfInterface(ws, iface)}`);
}

export function addBridge(ws: Workspace, name: string, options: AddBridgeOptions = {}): WorkingRow {
  if (name === '') fail('bridge name must not be empty string');
  if (options.mayExist) {
    const existing = ws.byName('Bridge', name);
    if (existing) return existing;
  }
  checkConflicts(ws, name, `cannot create a bridge named ${name}`);
  const root = rootRow(ws);
  const iface = ws.insert('Interface', { name, type: 'internal' });
  const port = ws.insert('Port', { name, interfaces: [refOf(iface)] });
  const bridge = ws.insert(
    'Bridge',
    columns(
      {
        name,
        ports: [refOf(port)],
        datapath_type: options.datapathType,
        fail_mode: options.failMode,
        external_ids: options.externalIds && toMap(options.externalIds),
        other_config: options.otherConfig && toMap(options.otherConfig),
      },
      options.columns,
    ),
  );
  ws.add(root, 'bridges', [refOf(bridge)]);
  return bridge;
}

/** Forgets a port and its interfaces (the server collects them once nothing refers to them). */
function forgetPort(ws: Workspace, port: WorkingRow): void {
  for (const atom of membersOf(ws.valueOf(port, 'interfaces'))) {
    const iface = ws.get('Interface', idOf(atom));
    if (iface) ws.delete(iface);
  }
  ws.delete(port);
}

export function delBridge(ws: Workspace, name: string, options: DelOptions = {}): WorkingRow | undefined {
  const bridge = findBridge(ws, name, !options.ifExists);
  if (bridge === undefined) return undefined;
  for (const atom of membersOf(ws.valueOf(bridge, 'ports'))) {
    // The bridge goes, and its ports with it: no need to take them out of Bridge.ports.
    const port = ws.get('Port', idOf(atom));
    if (port) forgetPort(ws, port);
  }
  // A Flow_Sample_Collector_Set (a root table) holds a strong reference to its bridge.
  if (ws.replica.schema.tables.has('Flow_Sample_Collector_Set')) {
    for (const set of monitoredRows(ws, 'Flow_Sample_Collector_Set')) if (idOf(ws.valueOf(set, 'bridge') as string) === bridge.id) ws.delete(set);
  }
  ws.remove(rootRow(ws), 'bridges', [refOf(bridge)]);
  ws.delete(bridge);
  return bridge;
}

/** Rows of a table the replica may not monitor (then none are known). */
function monitoredRows(ws: Workspace, table: string): WorkingRow[] {
  try {
    return [...ws.rows(table)];
  } catch {
    return [];
  }
}

export function addPort(ws: Workspace, bridgeName: string, portName: string, options: AddPortOptions, command: string): WorkingRow {
  if (portName === '') fail('port name must not be empty string');
  const specs = options.interfaces ?? [{ name: portName }];
  if (specs.length === 0) fail(`port ${portName} needs at least one interface`);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.name === '') fail('interface name must not be empty string');
    if (seen.has(spec.name)) fail(`interface ${spec.name} is given twice`);
    seen.add(spec.name);
  }
  if (options.mayExist) {
    const existing = findPort(ws, portName, false);
    if (existing) {
      const bridge = bridgeOfPort(ws, existing);
      const wanted = findBridge(ws, bridgeName, false);
      if (bridge === undefined || (wanted ? bridge.id !== wanted.id : nameOf(ws, bridge) !== bridgeName)) {
        fail(`"${command}" but ${portName} is actually attached to bridge ${bridge ? nameOf(ws, bridge) : '(none)'}`);
      }
      ws.verify(existing, ['interfaces']);
      const have = membersOf(ws.valueOf(existing, 'interfaces')).map((atom) => {
        const iface = ws.get('Interface', idOf(atom));
        if (iface) ws.verify(iface, ['name']);
        return iface ? nameOf(ws, iface) : idOf(atom);
      });
      const want = [...seen].sort();
      have.sort();
      if (have.length !== want.length || have.some((name, i) => name !== want[i])) {
        fail(`"${command}" but ${portName} actually has interface(s) ${have.join(', ')}`);
      }
      return existing;
    }
  }
  checkConflicts(ws, portName, `cannot create a port named ${portName}`);
  for (const spec of specs) checkConflicts(ws, spec.name, `cannot create an interface named ${spec.name}`);
  const bridge = findBridge(ws, bridgeName, true)!;
  const ifaces = specs.map((spec) =>
    ws.insert(
      'Interface',
      columns(
        {
          name: spec.name,
          type: spec.type,
          options: spec.options && toMap(spec.options),
          external_ids: spec.externalIds && toMap(spec.externalIds),
          mtu_request: spec.mtuRequest,
        },
        spec.columns,
      ),
    ),
  );
  const port = ws.insert(
    'Port',
    columns(
      {
        name: portName,
        interfaces: ifaces.map(refOf),
        tag: options.tag,
        trunks: options.trunks,
        vlan_mode: options.vlanMode,
        external_ids: options.externalIds && toMap(options.externalIds),
      },
      options.columns,
    ),
  );
  ws.add(bridge, 'ports', [refOf(port)]);
  return port;
}

export function delPort(ws: Workspace, bridgeName: string | undefined, portName: string, options: DelOptions = {}): WorkingRow | undefined {
  const mustExist = !options.ifExists;
  if (!isUuid(portName) && ws.byName('Bridge', portName)) {
    if (mustExist) {
      fail(`cannot delete port ${portName} because it is the local port for bridge ${portName} (deleting this port requires deleting the entire bridge)`);
    }
    return undefined;
  }
  const port = findPort(ws, portName, mustExist);
  if (port === undefined) return undefined;
  const holder = bridgeOfPort(ws, port);
  if (bridgeName !== undefined) {
    const bridge = findBridge(ws, bridgeName, true)!;
    if (holder === undefined || holder.id !== bridge.id) fail(`bridge ${bridgeName} does not have a port ${portName}`);
  }
  if (holder !== undefined) ws.remove(holder, 'ports', [refOf(port)]);
  forgetPort(ws, port);
  return port;
}
