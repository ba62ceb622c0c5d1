import { commands, OvsdbCommandError, OvsdbVswitchdTimeoutError, type CommandBatch, type CommandTarget, type IndexSpec, type ReplicaRow, type TypedValue } from '@ovs-fleet/ovsdb';
import { PortRefusedError } from './errors';
import { AddedPort, NewPort, PortRow, PortStore, PortUpdate, VswitchdWait } from './port-store';

/** The tables an IDL must mirror, unconditioned, for IdlPortStore (and libs/ovsdb's bridge and port commands). */
export const PORT_STORE_TABLES: readonly string[] = ['Open_vSwitch', 'Bridge', 'Port', 'Interface'];

/**
 * Indexes that make the store's reads lookups instead of scans; declare them on the OvsdbIdl
 * (merged with the caller's own). Without them it scans, which is fine for a few hundred ports.
 * Bridge.ports is deliberately not indexed: a big bridge would re-index it on every change.
 */
export const PORT_STORE_INDEXES: readonly IndexSpec[] = [
  { table: 'Bridge', column: 'name', unique: true },
  { table: 'Port', column: 'name', unique: true },
  { table: 'Interface', column: 'name', unique: true },
  { table: 'Port', column: 'interfaces' },
];

const intOrNull = (value: TypedValue | undefined): number | null => (typeof value === 'number' ? value : null);
const stringOrNull = (value: TypedValue | undefined): string | null => (typeof value === 'string' && value !== '' ? value : null);
const members = (value: TypedValue | undefined): readonly unknown[] => (Array.isArray(value) ? value : []);

function stringMap(value: TypedValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (value instanceof Map) for (const [k, v] of value) out[String(k)] = String(v);
  return out;
}

/**
 * PortStore over an OVSDB replica and libs/ovsdb's command layer, on a connection the caller
 * owns (an `OvsdbIdl`, which must mirror PORT_STORE_TABLES): reads come from the replica, with
 * no round trip; each write is one command batch, one transaction, and waits for ovs-vswitchd
 * through the batch's `waitForVswitchd` (next_cfg/cur_cfg), as ovs-vsctl does.
 */
export class IdlPortStore implements PortStore {
  private indexed: Map<string, boolean> = new Map();

  constructor(private readonly target: CommandTarget) {}

  private get replica() {
    return this.target.replica;
  }

  /** Reads wait while the replica is still applying a large update (a resync), so they see it whole. */
  private async settled(): Promise<void> {
    if (this.replica.busy) await this.replica.idle();
  }

  /** Whether the replica has an index on table.column (probed once). */
  private hasIndex(table: string, column: string): boolean {
    const key = `${table}.${column}`;
    let known = this.indexed.get(key);
    if (known === undefined) {
      try {
        this.replica.lookup(table, column, '');
        known = true;
      } catch {
        known = false;
      }
      this.indexed.set(key, known);
    }
    return known;
  }

  private named(table: string, name: string): ReplicaRow | undefined {
    if (this.hasIndex(table, 'name')) return this.replica.lookup(table, 'name', name);
    for (const row of this.replica.table(table).values()) if (row.name === name) return row;
    return undefined;
  }

  /** Interface uuid -> the Port holding it. */
  private portOfInterface(): (interfaceUuid: string) => ReplicaRow | undefined {
    if (this.hasIndex('Port', 'interfaces')) return (uuid) => this.replica.lookup('Port', 'interfaces', uuid);
    const holder = new Map<string, ReplicaRow>();
    for (const port of this.replica.table('Port').values()) for (const uuid of members(port.interfaces)) holder.set(String(uuid), port);
    return (uuid) => holder.get(uuid);
  }

  /** Port uuid -> name of the bridge holding it. */
  private bridgeOfPort(): Map<string, string> {
    const holder = new Map<string, string>();
    for (const bridge of this.replica.table('Bridge').values()) for (const uuid of members(bridge.ports)) holder.set(String(uuid), String(bridge.name));
    return holder;
  }

  async hasBridge(name: string): Promise<boolean> {
    await this.settled();
    return this.named('Bridge', name) !== undefined;
  }

  async addPorts(ports: readonly NewPort[], wait: VswitchdWait): Promise<AddedPort[]> {
    if (ports.length === 0) return [];
    const batch = commands(this.target);
    for (const port of ports) {
      batch.addPort(port.bridge, port.name, {
        tag: port.tag ?? undefined,
        trunks: port.trunks.length > 0 ? port.trunks : undefined,
        externalIds: port.portExternalIds,
        interfaces: [{ name: port.name, externalIds: port.interfaceExternalIds, mtuRequest: port.mtuRequest ?? undefined }],
      });
    }
    const late = await this.execute(batch, wait, ports.map((_, i) => i), `ovs-fleet plumbing: add ${ports.map((p) => p.name).join(' ')}`);
    return ports.map((port) => this.added(port.name, late));
  }

  /** The committed port as the replica holds it now (after ovs-vswitchd applied it, when waited for). */
  private added(name: string, late: OvsdbVswitchdTimeoutError | null): AddedPort {
    const port = this.named('Port', name);
    const interfaceUuid = port === undefined ? undefined : String(members(port.interfaces)[0]);
    const iface = interfaceUuid === undefined ? undefined : this.replica.get('Interface', interfaceUuid);
    if (port === undefined || interfaceUuid === undefined || iface === undefined) {
      throw new Error(`port ${name} vanished right after it was added (deleted by another client?)`);
    }
    const ofport = intOrNull(iface.ofport);
    const error = stringOrNull(iface.error) ?? (late === null ? null : late.message);
    return { portUuid: port._uuid, interfaceUuid, ofport, error };
  }

  async deletePorts(portUuids: readonly string[], wait: VswitchdWait): Promise<void> {
    if (portUuids.length === 0) return;
    const batch = commands(this.target);
    // Port and Interface are not root tables: once out of Bridge.ports, OVSDB collects them.
    for (const uuid of portUuids) batch.delPort(undefined, uuid, { ifExists: true });
    const late = await this.execute(batch, wait, portUuids.map((_, i) => i), `ovs-fleet plumbing: delete ${portUuids.length} port(s)`);
    if (late !== null) throw late;
  }

  async find(match: Record<string, string>): Promise<PortRow[]> {
    await this.settled();
    const wanted = Object.entries(match);
    const matching: ReplicaRow[] = [];
    for (const iface of this.replica.table('Interface').values()) {
      const ids = iface.external_ids;
      if (ids instanceof Map && wanted.every(([key, value]) => ids.get(key) === value)) matching.push(iface);
    }
    if (matching.length === 0) return [];
    const portOf = this.portOfInterface();
    const bridgeOf = this.bridgeOfPort();
    return matching.map((iface) => {
      const port = portOf(iface._uuid);
      return {
        portUuid: port?._uuid ?? null,
        interfaceUuid: iface._uuid,
        name: String(iface.name),
        bridge: port === undefined ? null : (bridgeOf.get(port._uuid) ?? null),
        tag: intOrNull(port?.tag),
        trunks: members(port?.trunks).map(Number).sort((a, b) => a - b),
        externalIds: stringMap(iface.external_ids),
        ofport: intOrNull(iface.ofport),
        linkState: stringOrNull(iface.link_state),
        mtu: intOrNull(iface.mtu),
        error: stringOrNull(iface.error),
      };
    });
  }

  async updatePorts(updates: readonly PortUpdate[], wait: VswitchdWait): Promise<void> {
    const batch = commands(this.target);
    const itemOfCommand: number[] = [];
    let vlanChanged = false;
    updates.forEach((update, i) => {
      if (update.vlan) {
        if (update.row.portUuid === null) throw new PortRefusedError(i, 'the interface has no port: cannot change its VLAN');
        batch.set('Port', update.row.portUuid, { tag: update.vlan.tag, trunks: update.vlan.trunks });
        itemOfCommand.push(i);
        vlanChanged = true;
      }
      const keys = Object.entries(update.externalIds ?? {});
      if (keys.length > 0) {
        // 'column:key' sets one key of the map and keeps the others.
        batch.set('Interface', update.row.interfaceUuid, Object.fromEntries(keys.map(([key, value]) => [`external_ids:${key}`, value])));
        itemOfCommand.push(i);
      }
    });
    if (batch.size === 0) return;
    // ovs-vswitchd does not act on external_ids: only a VLAN change is worth waiting for.
    const late = await this.execute(batch, vlanChanged ? wait : { vswitchdTimeoutMs: 0 }, itemOfCommand, `ovs-fleet plumbing: update ${updates.length} port(s)`);
    if (late !== null) throw late;
  }

  async createBridge(name: string, datapathType: string): Promise<void> {
    const batch = commands(this.target);
    batch.addBridge(name, { datapathType });
    const late = await this.execute(batch, { vswitchdTimeoutMs: 10_000 }, [0], `ovs-fleet plumbing: add-br ${name}`);
    if (late !== null) throw late;
  }

  /**
   * Runs the batch as one transaction. A command that cannot be planned becomes a
   * PortRefusedError for the item it belongs to (nothing was sent). ovs-vswitchd not applying
   * it in time is returned, not thrown: the transaction itself committed.
   */
  private async execute(batch: CommandBatch, wait: VswitchdWait, itemOfCommand: readonly number[], comment: string): Promise<OvsdbVswitchdTimeoutError | null> {
    try {
      await batch.execute({ waitForVswitchd: wait.vswitchdTimeoutMs > 0, timeoutMs: wait.vswitchdTimeoutMs, comment });
      return null;
    } catch (error) {
      if (error instanceof OvsdbCommandError) throw new PortRefusedError(itemOfCommand[error.commandIndex] ?? 0, error.reason, { cause: error });
      if (error instanceof OvsdbVswitchdTimeoutError) return error;
      throw error;
    }
  }
}
