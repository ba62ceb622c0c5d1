import { OvsdbVswitchdTimeoutError, Replica, type CommandTarget, type Operation, type OperationResult, type TableUpdates2, type WireValue } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { PortRefusedError } from './errors';
import { IdlPortStore, PORT_STORE_INDEXES, PORT_STORE_TABLES } from './idl-port-store';
import { NewPort } from './port-store';

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ROOT = uuid(1);
const set = (...ids: string[]): WireValue => ['set', ids.map((id): WireValue => ['uuid', id])] as WireValue;
const map = (entries: Record<string, string>): WireValue => ['map', Object.entries(entries)];

/**
 * A replica of: Open_vSwitch (cur_cfg 4); bridge br-int (10) with its local port (11/12) and
 * ovfc0000000000a (13, tag 5, trunks none; interface 14, ours, ofport 3); bridge br-ex (20)
 * with port ovfc0000000000b (21, trunks 30 and 10; interface 22, ours, an OVS error).
 */
async function world(indexed: boolean): Promise<Replica> {
  const replica = new Replica(OpenVSwitchSchema, { tables: PORT_STORE_TABLES, indexes: indexed ? PORT_STORE_INDEXES : [] });
  const rows: TableUpdates2 = {
    Open_vSwitch: { [ROOT]: { initial: { bridges: set(uuid(10), uuid(20)), next_cfg: 4, cur_cfg: 4 } } },
    Bridge: {
      [uuid(10)]: { initial: { name: 'br-int', ports: set(uuid(11), uuid(13)), datapath_type: 'netdev' } },
      [uuid(20)]: { initial: { name: 'br-ex', ports: set(uuid(21)) } },
    },
    Port: {
      [uuid(11)]: { initial: { name: 'br-int', interfaces: set(uuid(12)) } },
      [uuid(13)]: { initial: { name: 'ovfc0000000000a', interfaces: set(uuid(14)), tag: 5 } },
      [uuid(21)]: { initial: { name: 'ovfc0000000000b', interfaces: set(uuid(22)), trunks: ['set', [30, 10]] } },
    },
    Interface: {
      [uuid(12)]: { initial: { name: 'br-int', type: 'internal', ofport: 65534 } },
      [uuid(14)]: { initial: { name: 'ovfc0000000000a', external_ids: map({ 'ovs-fleet-owner': 'ovs-fleet', container_iface: 'eth1' }), ofport: 3, mtu: 1450, link_state: 'up' } },
      [uuid(22)]: { initial: { name: 'ovfc0000000000b', external_ids: map({ 'ovs-fleet-owner': 'ovs-fleet', container_iface: 'eth2' }), ofport: -1, error: 'could not open network device ovfc0000000000b (No such device)' } },
    },
  };
  await replica.applyUpdate2(rows);
  return replica;
}

/**
 * Answers as ovsdb-server would for the operations the command layer sends here (inserts,
 * Bridge.ports and next_cfg mutations), feeding the changes to the replica before replying;
 * then, unless `vswitchd` is off, plays ovs-vswitchd: cur_cfg catches up, new interfaces get `ofport`.
 */
function server(replica: Replica, options: { vswitchd?: boolean; ofport?: number } = {}) {
  const sent: Operation[][] = [];
  let next = 100;
  let cfg = 4;
  const target: CommandTarget = {
    replica,
    transact: async (ops) => {
      sent.push([...ops]);
      const named = new Map<string, string>();
      for (const op of ops) if (op.op === 'insert' && op['uuid-name'] !== undefined) named.set(op['uuid-name'], uuid(next++));
      const resolve = <T>(value: T): T => JSON.parse(JSON.stringify(value), (_key, v: unknown) => (Array.isArray(v) && v[0] === 'named-uuid' ? ['uuid', named.get(v[1] as string)] : v)) as T;
      const update: TableUpdates2 = {};
      const newInterfaces: string[] = [];
      const results = ops.map((op): OperationResult => {
        if (op.op === 'insert') {
          const id = named.get(op['uuid-name']!)!;
          (update[op.table] ??= {})[id] = { insert: resolve(op.row) };
          if (op.table === 'Interface') newInterfaces.push(id);
          return { uuid: ['uuid', id] };
        }
        if (op.op === 'mutate' && op.table === 'Open_vSwitch') {
          cfg++;
          (update.Open_vSwitch ??= {})[ROOT] = { modify: { next_cfg: cfg } };
          return { count: 1 };
        }
        if (op.op === 'mutate' && op.table === 'Bridge') {
          const [, , value] = op.mutations[0];
          // update2 set diffs toggle members: an insert and a delete look alike.
          (update.Bridge ??= {})[(op.where[0] as [string, string, ['uuid', string]])[2][1]] = { modify: { ports: resolve(value) } };
          return { count: 1 };
        }
        if (op.op === 'select') return { rows: [{ next_cfg: cfg }] };
        return op.op === 'wait' || op.op === 'comment' ? {} : { count: 1 };
      });
      await replica.applyUpdate2(update);
      if (options.vswitchd !== false) {
        setImmediate(() => {
          const applied: TableUpdates2 = { Open_vSwitch: { [ROOT]: { modify: { cur_cfg: cfg } } }, Interface: {} };
          for (const id of newInterfaces) applied.Interface[id] = { modify: { ofport: options.ofport ?? 7 } };
          void replica.applyUpdate2(applied);
        });
      }
      return results;
    },
  };
  return { target, sent };
}

const newPort = (name: string, extra: Partial<NewPort> = {}): NewPort => ({
  bridge: 'br-int', name, tag: 10, trunks: [], mtuRequest: 1400,
  interfaceExternalIds: { 'ovs-fleet-owner': 'ovs-fleet', container_iface: name }, portExternalIds: { 'ovs-fleet-owner': 'ovs-fleet' }, ...extra,
});

describe('IdlPortStore reads', () => {
  it.each([true, false])('finds ports by Interface external_ids from the replica, without a round trip (indexes declared: %s)', async (indexed) => {
    const { target, sent } = server(await world(indexed));
    const store = new IdlPortStore(target);
    const rows = await store.find({ 'ovs-fleet-owner': 'ovs-fleet' });
    expect(rows).toEqual([
      {
        portUuid: uuid(13), interfaceUuid: uuid(14), name: 'ovfc0000000000a', bridge: 'br-int', tag: 5, trunks: [],
        externalIds: { 'ovs-fleet-owner': 'ovs-fleet', container_iface: 'eth1' }, ofport: 3, linkState: 'up', mtu: 1450, error: null,
      },
      {
        portUuid: uuid(21), interfaceUuid: uuid(22), name: 'ovfc0000000000b', bridge: 'br-ex', tag: null, trunks: [10, 30],
        externalIds: { 'ovs-fleet-owner': 'ovs-fleet', container_iface: 'eth2' }, ofport: -1, linkState: null, mtu: null,
        error: 'could not open network device ovfc0000000000b (No such device)',
      },
    ]);
    expect((await store.find({ 'ovs-fleet-owner': 'ovs-fleet', container_iface: 'eth2' })).map((r) => r.name)).toEqual(['ovfc0000000000b']);
    expect(await store.find({ 'ovs-fleet-owner': 'someone-else' })).toEqual([]);
    expect(await store.hasBridge('br-ex')).toBe(true);
    expect(await store.hasBridge('br-none')).toBe(false);
    expect(sent).toEqual([]);
  });
});

describe('IdlPortStore writes', () => {
  it('adds ports in one transaction that also asks ovs-vswitchd to reconfigure, and reports what it made of them', async () => {
    const replica = await world(true);
    const { target, sent } = server(replica);
    const added = await new IdlPortStore(target).addPorts([newPort('ovfc0000000000c'), newPort('ovfc0000000000d', { tag: null, trunks: [7, 8], mtuRequest: null })], { vswitchdTimeoutMs: 1000 });
    expect(sent).toHaveLength(1);
    const [ops] = sent;
    expect(ops.filter((op) => op.op === 'insert').map((op) => `${op.table}`)).toEqual(['Interface', 'Port', 'Interface', 'Port']);
    expect(ops).toEqual(expect.arrayContaining([expect.objectContaining({ op: 'mutate', table: 'Open_vSwitch', mutations: [['next_cfg', '+=', 1]] })]));
    const ports = ops.filter((op): op is Extract<Operation, { op: 'insert' }> => op.op === 'insert' && op.table === 'Port').map((op) => op.row);
    expect(ports[0]).toMatchObject({ name: 'ovfc0000000000c', tag: 10 });
    expect(ports[1]).toMatchObject({ name: 'ovfc0000000000d', trunks: ['set', [7, 8]] });
    expect(ports[1].tag).toBeUndefined();
    expect(added).toEqual([
      { portUuid: expect.any(String), interfaceUuid: expect.any(String), ofport: 7, error: null },
      { portUuid: expect.any(String), interfaceUuid: expect.any(String), ofport: 7, error: null },
    ]);
    expect(replica.get('Port', added[0].portUuid)?.name).toBe('ovfc0000000000c');
  });

  it('refuses the whole batch, naming the item, when one port cannot be added; nothing is sent', async () => {
    const { target, sent } = server(await world(true));
    const error = await new IdlPortStore(target).addPorts([newPort('ovfc0000000000c'), newPort('ovfc0000000000a'), newPort('ovfc0000000000e', { bridge: 'br-none' })], { vswitchdTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortRefusedError);
    expect((error as PortRefusedError).index).toBe(1);
    expect((error as PortRefusedError).reason).toMatch(/a port named ovfc0000000000a already exists on bridge br-int/);
    expect(sent).toEqual([]);
  });

  it('returns ports that ovs-vswitchd did not apply in time with the reason, since they were committed', async () => {
    const { target } = server(await world(true), { vswitchd: false });
    const [added] = await new IdlPortStore(target).addPorts([newPort('ovfc0000000000c')], { vswitchdTimeoutMs: 30 });
    expect(added.ofport).toBeNull();
    expect(added.error).toMatch(/ovs-vswitchd did not apply configuration 5 within 30 ms/);
  });

  it('adds without waiting when told not to wait: no next_cfg bump', async () => {
    const { target, sent } = server(await world(true), { vswitchd: false });
    const [added] = await new IdlPortStore(target).addPorts([newPort('ovfc0000000000c')], { vswitchdTimeoutMs: 0 });
    expect(added).toMatchObject({ ofport: null, error: null });
    expect(sent[0].some((op) => op.op === 'mutate' && op.table === 'Open_vSwitch')).toBe(false);
  });

  it('deletes ports in one transaction and waits for ovs-vswitchd; a port already gone is fine', async () => {
    const { target, sent } = server(await world(true));
    await new IdlPortStore(target).deletePorts([uuid(13), uuid(21), uuid(99)], { vswitchdTimeoutMs: 1000 });
    expect(sent).toHaveLength(1);
    const mutations = sent[0].filter((op) => op.op === 'mutate').map((op) => (op as Extract<Operation, { op: 'mutate' }>).table);
    expect(mutations.sort()).toEqual(['Bridge', 'Bridge', 'Open_vSwitch']);
    expect(target.replica.get('Open_vSwitch', ROOT)?.cur_cfg).toBe(5);
  });

  it('throws when ovs-vswitchd does not apply a deletion in time (retryable: it committed)', async () => {
    const { target } = server(await world(true), { vswitchd: false });
    const error = await new IdlPortStore(target).deletePorts([uuid(13)], { vswitchdTimeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbVswitchdTimeoutError);
    expect((error as OvsdbVswitchdTimeoutError).retryable).toBe(true);
  });

  it('updates VLANs and external_ids keys of many ports in one transaction, naming the item of a row that is gone', async () => {
    const { target, sent } = server(await world(true));
    const store = new IdlPortStore(target);
    await store.updatePorts(
      [
        { row: { portUuid: uuid(13), interfaceUuid: uuid(14) }, vlan: { tag: null, trunks: [4] }, externalIds: { 'ovs-fleet-state': 'ready' } },
        { row: { portUuid: uuid(21), interfaceUuid: uuid(22) }, externalIds: { 'ovs-fleet-state': 'ready' } },
      ],
      { vswitchdTimeoutMs: 1000 },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual(expect.arrayContaining([
      expect.objectContaining({ op: 'update', table: 'Port', row: { tag: ['set', []], trunks: ['set', [4]] } }),
      expect.objectContaining({ op: 'mutate', table: 'Interface', mutations: [['external_ids', 'delete', ['set', ['ovs-fleet-state']]], ['external_ids', 'insert', ['map', [['ovs-fleet-state', 'ready']]]]] }),
      expect.objectContaining({ op: 'mutate', table: 'Open_vSwitch' }),
    ]));
    const error = await store
      .updatePorts(
        [
          { row: { portUuid: uuid(13), interfaceUuid: uuid(14) }, vlan: { tag: 3, trunks: [] }, externalIds: { k: 'v' } },
          { row: { portUuid: uuid(98), interfaceUuid: uuid(99) }, externalIds: { k: 'v' } },
        ],
        { vswitchdTimeoutMs: 1000 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortRefusedError);
    expect((error as PortRefusedError).index).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('does not wait for ovs-vswitchd when only external_ids change', async () => {
    const { target, sent } = server(await world(true), { vswitchd: false });
    await new IdlPortStore(target).updatePorts([{ row: { portUuid: uuid(13), interfaceUuid: uuid(14) }, externalIds: { 'ovs-fleet-state': 'ready' } }], { vswitchdTimeoutMs: 30 });
    expect(sent[0].some((op) => op.op === 'mutate' && op.table === 'Open_vSwitch')).toBe(false);
  });
});
