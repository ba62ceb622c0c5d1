import type { Operation, OperationResult } from '@ovs-fleet/ovsdb/protocol/wire';
import { OvsdbOperationError, OvsdbPortStore, OvsdbTransactor } from './ovsdb-port-store';

/** Answers each transact with the next scripted reply and records the operations. */
function scripted(replies: OperationResult[][]): OvsdbTransactor & { sent: Operation[][] } {
  const sent: Operation[][] = [];
  return {
    sent,
    transact: async (database, operations) => {
      expect(database).toBe('Open_vSwitch');
      sent.push(operations);
      const reply = replies.shift();
      if (!reply) throw new Error('no scripted reply left');
      return reply;
    },
  };
}

const U = (id: string): ['uuid', string] => ['uuid', id];

describe('OvsdbPortStore', () => {
  it('adds a port in one transaction that first checks the bridge exists', async () => {
    const t = scripted([[{}, { uuid: U('i1') }, { uuid: U('p1') }, { count: 1 }]]);
    const ids = await new OvsdbPortStore(t).addPort({
      bridge: 'br-int', name: 'ovfc0123456789a', tag: 10, trunks: [], mtuRequest: 1400,
      interfaceExternalIds: { container_id: 'web1' }, portExternalIds: { 'ovs-fleet-owner': 'x' },
    });
    expect(ids).toEqual({ interfaceUuid: 'i1', portUuid: 'p1' });
    expect(t.sent).toEqual([[
      { op: 'wait', table: 'Bridge', where: [['name', '==', 'br-int']], columns: ['name'], until: '==', rows: [{ name: 'br-int' }], timeout: 0 },
      { op: 'insert', table: 'Interface', row: { name: 'ovfc0123456789a', external_ids: ['map', [['container_id', 'web1']]], mtu_request: 1400 }, 'uuid-name': 'iface' },
      { op: 'insert', table: 'Port', row: { name: 'ovfc0123456789a', interfaces: ['named-uuid', 'iface'], external_ids: ['map', [['ovs-fleet-owner', 'x']]], tag: 10 }, 'uuid-name': 'port' },
      { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]] },
    ]]);
  });

  it('says which bridge is missing when the wait times out', async () => {
    const t = scripted([[{ error: 'timed out' }, { error: 'aborted' }]]);
    const store = new OvsdbPortStore(t);
    await expect(store.addPort({ bridge: 'br-x', name: 'p', tag: null, trunks: [5, 6], mtuRequest: null, interfaceExternalIds: {}, portExternalIds: {} })).rejects.toThrow('bridge "br-x" does not exist');
    expect((t.sent[0][2] as { row: Record<string, unknown> }).row.trunks).toEqual(['set', [5, 6]]);
  });

  it('surfaces an operation error with its details', async () => {
    const t = scripted([[{ count: 0 }, { error: 'constraint violation', details: 'duplicate name' }]]);
    await expect(new OvsdbPortStore(t).deletePorts(['a'])).rejects.toThrow(OvsdbOperationError);
  });

  it('deletes ports from every bridge in one transaction that also asks ovs-vswitchd for a new configuration', async () => {
    const t = scripted([[{ count: 1 }, { count: 1 }, { rows: [{ next_cfg: 42 }] }]]);
    expect(await new OvsdbPortStore(t).deletePorts(['a', 'b'])).toBe(42);
    expect(t.sent).toEqual([[
      { op: 'mutate', table: 'Bridge', where: [], mutations: [['ports', 'delete', ['set', [U('a'), U('b')]]]] },
      { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] },
    ]]);
    expect(await new OvsdbPortStore(t).deletePorts([])).toBeNull();
    expect(t.sent).toHaveLength(1);
  });

  it('waits in the server until ovs-vswitchd has applied a configuration', async () => {
    const t = scripted([
      [{ rows: [{ cur_cfg: 40 }] }],
      [{}, { rows: [{ cur_cfg: 41 }] }],
      [{}, { rows: [{ cur_cfg: 43 }] }],
    ]);
    await new OvsdbPortStore(t).waitApplied(42, 1000);
    expect(t.sent.map((ops) => ops[0])).toEqual([
      { op: 'select', table: 'Open_vSwitch', where: [], columns: ['cur_cfg'] },
      expect.objectContaining({ op: 'wait', until: '!=', rows: [{ cur_cfg: 40 }] }),
      expect.objectContaining({ op: 'wait', until: '!=', rows: [{ cur_cfg: 41 }] }),
    ]);
    const stuck = scripted([[{ rows: [{ cur_cfg: 40 }] }], [{ error: 'timed out' }, { error: 'aborted' }]]);
    await expect(new OvsdbPortStore(stuck).waitApplied(42, 10)).rejects.toThrow(/did not apply configuration 42/);
  });

  it('finds interfaces by external_ids and joins their port and bridge', async () => {
    const t = scripted([
      [{ rows: [
        { _uuid: U('i1'), name: 'ovfcA', external_ids: ['map', [['k', 'v']]], ofport: 3, link_state: 'up', mtu: 1400, error: ['set', []] },
        { _uuid: U('i2'), name: 'ovfcB', external_ids: ['map', [['k', 'v']]], ofport: ['set', []], link_state: ['set', []], mtu: ['set', []], error: 'no such device' },
      ] }],
      [{ rows: [{ _uuid: U('p1'), tag: ['set', []], trunks: ['set', [20, 10]] }] }, { rows: [] }],
      [{ rows: [{ name: 'br-int' }] }],
    ]);
    const rows = await new OvsdbPortStore(t).find({ k: 'v' });
    expect(t.sent[0][0]).toMatchObject({ op: 'select', table: 'Interface', where: [['external_ids', 'includes', ['map', [['k', 'v']]]]] });
    expect(t.sent[1]).toEqual([
      { op: 'select', table: 'Port', where: [['interfaces', 'includes', U('i1')]], columns: ['_uuid', 'tag', 'trunks'] },
      { op: 'select', table: 'Port', where: [['interfaces', 'includes', U('i2')]], columns: ['_uuid', 'tag', 'trunks'] },
    ]);
    expect(rows).toEqual([
      { portUuid: 'p1', interfaceUuid: 'i1', name: 'ovfcA', bridge: 'br-int', tag: null, trunks: [10, 20], externalIds: { k: 'v' }, ofport: 3, linkState: 'up', mtu: 1400, error: null },
      { portUuid: null, interfaceUuid: 'i2', name: 'ovfcB', bridge: null, tag: null, trunks: [], externalIds: { k: 'v' }, ofport: null, linkState: null, mtu: null, error: 'no such device' },
    ]);
  });

  it('updates the VLAN and overwrites external_ids keys (delete then insert)', async () => {
    const t = scripted([[{ count: 1 }, { count: 1 }]]);
    await new OvsdbPortStore(t).updatePort({ portUuid: 'p1', interfaceUuid: 'i1' }, { vlan: { tag: null, trunks: [7] }, externalIds: { state: 'ready' } });
    expect(t.sent[0]).toEqual([
      { op: 'update', table: 'Port', where: [['_uuid', '==', U('p1')]], row: { tag: ['set', []], trunks: ['set', [7]] } },
      { op: 'mutate', table: 'Interface', where: [['_uuid', '==', U('i1')]], mutations: [['external_ids', 'delete', ['set', ['state']]], ['external_ids', 'insert', ['map', [['state', 'ready']]]]] },
    ]);
    const gone = scripted([[{ count: 0 }]]);
    await expect(new OvsdbPortStore(gone).updatePort({ portUuid: 'p1', interfaceUuid: 'i1' }, { vlan: { tag: 3, trunks: [] } })).rejects.toThrow(/gone/);
  });

  it('waits in the server until the interface has a real ofport, waiting out -1', async () => {
    const t = scripted([
      [{}, { rows: [{ ofport: -1, error: 'could not open network device' }] }],
      [{}, { rows: [{ ofport: 7, error: ['set', []] }] }],
    ]);
    expect(await new OvsdbPortStore(t).waitLive('ovfcA', 1000)).toEqual({ ofport: 7, error: null });
    expect(t.sent[0][0]).toMatchObject({ op: 'wait', until: '!=', rows: [{ ofport: ['set', []] }] });
    expect(t.sent[1][0]).toMatchObject({ op: 'wait', until: '!=', rows: [{ ofport: -1 }] });
  });

  it('returns OVS\'s error when the ofport stays -1, and fails when vswitchd never answers', async () => {
    const stuck = scripted([
      [{}, { rows: [{ ofport: -1, error: ['set', []] }] }],
      [{ error: 'timed out' }, { error: 'aborted' }],
      [{ rows: [{ error: 'could not open network device ovfcA (No such device)' }] }],
    ]);
    expect(await new OvsdbPortStore(stuck).waitLive('ovfcA', 50)).toEqual({ ofport: -1, error: 'could not open network device ovfcA (No such device)' });
    const silent = scripted([[{ error: 'timed out' }, { error: 'aborted' }]]);
    await expect(new OvsdbPortStore(silent).waitLive('ovfcA', 50)).rejects.toThrow(/did not take interface ovfcA within 50 ms/);
  });

  it('creates a bridge only when asked, with an explicit datapath type', async () => {
    const t = scripted([[{ uuid: U('i') }, { uuid: U('p') }, { uuid: U('b') }, { count: 1 }]]);
    await new OvsdbPortStore(t).createBridge('br-int', 'netdev');
    expect(t.sent[0][2]).toEqual({ op: 'insert', table: 'Bridge', row: { name: 'br-int', datapath_type: 'netdev', ports: ['named-uuid', 'port'] }, 'uuid-name': 'bridge' });
  });
});
