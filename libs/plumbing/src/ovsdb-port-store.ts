import type { Operation, OperationResult, WireRow, WireValue } from '@ovs-fleet/ovsdb/protocol/wire';
import { LiveInterface, NewPort, PortRow, PortStore } from './port-store';

const DB = 'Open_vSwitch';

/** The one thing this store needs from an OVSDB client: RFC 7047 `transact`. */
export interface OvsdbTransactor {
  transact(database: string, operations: Operation[]): Promise<OperationResult[]>;
}

export class OvsdbOperationError extends Error {
  constructor(
    readonly operation: string,
    readonly error: string,
    readonly details: string | undefined,
  ) {
    super(`OVSDB ${operation} failed: ${error}${details ? ` (${details})` : ''}`);
    this.name = 'OvsdbOperationError';
  }
}

const uuid = (id: string): ['uuid', string] => ['uuid', id];
const map = (entries: Record<string, string>): WireValue => ['map', Object.entries(entries)];
const intSet = (values: readonly number[]): WireValue => ['set', [...values]];

function atoms(value: WireValue | undefined): unknown[] {
  if (Array.isArray(value) && value[0] === 'set') return value[1] as unknown[];
  return value === undefined ? [] : [value];
}
function uuidOf(value: WireValue | undefined): string {
  if (Array.isArray(value) && value[0] === 'uuid') return value[1] as string;
  throw new Error(`expected a uuid, got ${JSON.stringify(value)}`);
}
function optionalInt(value: WireValue | undefined): number | null {
  const [first] = atoms(value);
  return typeof first === 'number' ? first : null;
}
function optionalString(value: WireValue | undefined): string | null {
  const [first] = atoms(value);
  return typeof first === 'string' ? first : null;
}
function mapOf(value: WireValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value) && value[0] === 'map') for (const [k, v] of value[1] as [string, string][]) out[k] = v;
  return out;
}

/** PortStore over raw RFC 7047 operations on one (reused) OVSDB connection. */
export class OvsdbPortStore implements PortStore {
  constructor(private readonly client: OvsdbTransactor) {}

  private async transact(what: string, operations: Operation[]): Promise<OperationResult[]> {
    const results = await this.client.transact(DB, operations);
    for (const [i, result] of results.entries()) {
      if (result?.error) {
        const op = i < operations.length ? `${operations[i].op} (${what})` : `commit (${what})`;
        throw new OvsdbOperationError(op, result.error, result.details);
      }
    }
    if (results.length < operations.length) throw new OvsdbOperationError(what, 'short reply', `${results.length} results for ${operations.length} operations`);
    return results;
  }

  async addPort(port: NewPort): Promise<{ portUuid: string; interfaceUuid: string }> {
    const iface: WireRow = { name: port.name, external_ids: map(port.interfaceExternalIds) };
    if (port.mtuRequest !== null) iface.mtu_request = port.mtuRequest;
    const row: WireRow = { name: port.name, interfaces: ['named-uuid', 'iface'], external_ids: map(port.portExternalIds) };
    if (port.tag !== null) row.tag = port.tag;
    if (port.trunks.length > 0) row.trunks = intSet(port.trunks);
    const results = await this.transact(`add port ${port.name} to ${port.bridge}`, [
      // Fails the whole transaction at once if the bridge does not exist.
      { op: 'wait', table: 'Bridge', where: [['name', '==', port.bridge]], columns: ['name'], until: '==', rows: [{ name: port.bridge }], timeout: 0 },
      { op: 'insert', table: 'Interface', row: iface, 'uuid-name': 'iface' },
      { op: 'insert', table: 'Port', row, 'uuid-name': 'port' },
      { op: 'mutate', table: 'Bridge', where: [['name', '==', port.bridge]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]] },
    ]).catch((error: unknown) => {
      if (error instanceof OvsdbOperationError && error.error === 'timed out') throw new Error(`bridge "${port.bridge}" does not exist`, { cause: error });
      throw error;
    });
    return { interfaceUuid: uuidOf(results[1].uuid), portUuid: uuidOf(results[2].uuid) };
  }

  async deletePorts(portUuids: readonly string[]): Promise<number | null> {
    if (portUuids.length === 0) return null;
    // Port and Interface are not root tables: once no bridge refers to them, OVSDB removes them.
    // Bumping next_cfg (as ovs-vsctl does) lets a caller wait until ovs-vswitchd let go of them.
    const results = await this.transact('delete ports', [
      { op: 'mutate', table: 'Bridge', where: [], mutations: [['ports', 'delete', ['set', portUuids.map(uuid)]]] },
      { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] },
    ]);
    return optionalInt(results[2].rows?.[0]?.next_cfg);
  }

  async waitApplied(cfg: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const read = [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['cur_cfg'] } as Operation];
    let results = await this.transact('read cur_cfg', read);
    for (;;) {
      const current = optionalInt(results[results.length - 1].rows?.[0]?.cur_cfg) ?? 0;
      if (current >= cfg) return;
      const remaining = deadline - Date.now();
      try {
        results = await this.transact('wait for cur_cfg', [
          { op: 'wait', table: 'Open_vSwitch', where: [], columns: ['cur_cfg'], until: '!=', rows: [{ cur_cfg: current }], timeout: Math.max(0, remaining) },
          ...read,
        ]);
      } catch (error) {
        if (error instanceof OvsdbOperationError && error.error === 'timed out') {
          throw new Error(`ovs-vswitchd did not apply configuration ${cfg} within ${timeoutMs} ms (at ${current})`, { cause: error });
        }
        throw error;
      }
    }
  }

  async find(match: Record<string, string>): Promise<PortRow[]> {
    const [ifaces] = await this.transact('find interfaces', [
      {
        op: 'select',
        table: 'Interface',
        where: [['external_ids', 'includes', map(match)]],
        columns: ['_uuid', 'name', 'external_ids', 'ofport', 'link_state', 'mtu', 'error'],
      },
    ]);
    const rows = ifaces.rows ?? [];
    if (rows.length === 0) return [];
    const portResults = await this.transact(
      'find ports',
      rows.map((r): Operation => ({ op: 'select', table: 'Port', where: [['interfaces', 'includes', r._uuid]], columns: ['_uuid', 'tag', 'trunks'] })),
    );
    const ports = portResults.map((result) => result.rows?.[0]);
    const withPort = ports.filter((p): p is WireRow => p !== undefined);
    const bridgeResults = withPort.length === 0 ? [] : await this.transact(
      'find bridges',
      withPort.map((p): Operation => ({ op: 'select', table: 'Bridge', where: [['ports', 'includes', p._uuid]], columns: ['name'] })),
    );
    const bridgeOf = new Map<string, string>();
    withPort.forEach((p, i) => {
      const name = bridgeResults[i]?.rows?.[0]?.name;
      if (typeof name === 'string') bridgeOf.set(uuidOf(p._uuid), name);
    });
    return rows.map((r, i) => {
      const port = ports[i];
      const portUuid = port ? uuidOf(port._uuid) : null;
      return {
        portUuid,
        interfaceUuid: uuidOf(r._uuid),
        name: r.name as string,
        bridge: portUuid === null ? null : (bridgeOf.get(portUuid) ?? null),
        tag: port ? optionalInt(port.tag) : null,
        trunks: port ? (atoms(port.trunks) as number[]).sort((a, b) => a - b) : [],
        externalIds: mapOf(r.external_ids),
        ofport: optionalInt(r.ofport),
        linkState: optionalString(r.link_state),
        mtu: optionalInt(r.mtu),
        error: optionalString(r.error),
      };
    });
  }

  async updatePort(
    row: Pick<PortRow, 'portUuid' | 'interfaceUuid'>,
    changes: { vlan?: { tag: number | null; trunks: number[] }; externalIds?: Record<string, string> },
  ): Promise<void> {
    const operations: Operation[] = [];
    if (changes.vlan) {
      if (row.portUuid === null) throw new Error('the interface has no port: cannot change its VLAN');
      const { tag, trunks } = changes.vlan;
      operations.push({ op: 'update', table: 'Port', where: [['_uuid', '==', uuid(row.portUuid)]], row: { tag: tag === null ? ['set', []] : tag, trunks: intSet(trunks) } });
    }
    if (changes.externalIds && Object.keys(changes.externalIds).length > 0) {
      // `insert` never overwrites a key, so drop the old values first (mutations apply in order).
      operations.push({
        op: 'mutate',
        table: 'Interface',
        where: [['_uuid', '==', uuid(row.interfaceUuid)]],
        mutations: [
          ['external_ids', 'delete', ['set', Object.keys(changes.externalIds)]],
          ['external_ids', 'insert', map(changes.externalIds)],
        ],
      });
    }
    if (operations.length === 0) return;
    const results = await this.transact('update port', operations);
    if (results.some((r) => r.count === 0)) throw new Error('the port or interface is gone');
  }

  /**
   * Blocks in ovsdb-server (a `wait` operation, no polling) until ovs-vswitchd has given the
   * interface an ofport. An ofport of -1 (not opened yet, e.g. the device appeared after its
   * row) is waited out too; if it is still -1 at the deadline, it is returned with OVS's error.
   */
  async waitLive(name: string, timeoutMs: number): Promise<LiveInterface> {
    const deadline = Date.now() + timeoutMs;
    let notThis: WireValue = ['set', []];
    for (;;) {
      const remaining = Math.max(0, deadline - Date.now());
      let results: OperationResult[];
      try {
        results = await this.transact(`wait for ${name}`, [
          { op: 'wait', table: 'Interface', where: [['name', '==', name]], columns: ['ofport'], until: '!=', rows: [{ ofport: notThis }], timeout: remaining },
          { op: 'select', table: 'Interface', where: [['name', '==', name]], columns: ['ofport', 'error'] },
        ]);
      } catch (error) {
        if (!(error instanceof OvsdbOperationError && error.error === 'timed out')) throw error;
        if (notThis === -1) return { ofport: -1, error: await this.interfaceError(name) };
        throw new Error(`ovs-vswitchd did not take interface ${name} within ${timeoutMs} ms`, { cause: error });
      }
      const row = results[1].rows?.[0];
      if (!row) throw new Error(`interface ${name} vanished`);
      const ofport = optionalInt(row.ofport);
      if (ofport !== null && ofport > 0) return { ofport, error: optionalString(row.error) };
      notThis = ofport === null ? ['set', []] : ofport;
    }
  }

  private async interfaceError(name: string): Promise<string | null> {
    const [result] = await this.transact(`error of ${name}`, [{ op: 'select', table: 'Interface', where: [['name', '==', name]], columns: ['error'] }]);
    return optionalString(result.rows?.[0]?.error);
  }

  async createBridge(name: string, datapathType: string): Promise<void> {
    await this.transact(`create bridge ${name}`, [
      { op: 'insert', table: 'Interface', row: { name, type: 'internal' }, 'uuid-name': 'iface' },
      { op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', 'iface'] }, 'uuid-name': 'port' },
      { op: 'insert', table: 'Bridge', row: { name, datapath_type: datapathType, ports: ['named-uuid', 'port'] }, 'uuid-name': 'bridge' },
      { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ['set', [['named-uuid', 'bridge']]]]] },
    ]);
  }
}
