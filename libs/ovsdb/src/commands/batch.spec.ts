import type { Operation, OperationResult, TableUpdates2, WireCondition, WireValue } from '../protocol/wire';
import { Replica } from '../replica/replica';
import { OvsdbValidationError } from '../schema/validation-error';
import { Bridge, OpenVSwitchSchema, Port } from '../schemas/generated/open-vswitch';
import { commands } from './batch';
import { OvsdbCommandError, OvsdbCommitError, OvsdbVswitchdTimeoutError } from './errors';
import type { CommandTarget } from './target';

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ROOT = uuid(1);
const where = (id: string): WireCondition[] => [['_uuid', '==', ['uuid', id]]];
const set = (...ids: string[]): WireValue => ['set', ids.map((id): WireValue => ['uuid', id])] as WireValue;
const named = (...names: string[]) => ['set', names.map((name) => ['named-uuid', name])];
const absent = (table: string, name: string): Operation => ({ op: 'wait', table, timeout: 0, where: [['name', '==', name]], columns: ['_uuid'], until: '==', rows: [] });
const present = (table: string, name: string, id: string): Operation => ({ op: 'wait', table, timeout: 0, where: [['name', '==', name]], columns: ['_uuid'], until: '==', rows: [{ _uuid: ['uuid', id] }] });
const tableOf = (op: Operation): string | undefined => ('table' in op ? op.table : undefined);

/**
 * A replica holding: Open_vSwitch (uuid 1) with bridges br0 (10) and br1 (20);
 * br0: local port br0 (11, iface 12) and p1 (13, iface 14); br1: local port br1 (21, iface 22).
 */
function world(options: { indexed?: boolean } = {}): Replica {
  const indexes = options.indexed === false ? [] : (['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true }));
  const replica = new Replica(OpenVSwitchSchema, { indexes });
  const rows: TableUpdates2 = {
    Open_vSwitch: { [ROOT]: { initial: { bridges: set(uuid(10), uuid(20)), next_cfg: 4, cur_cfg: 4 } } },
    Bridge: {
      [uuid(10)]: { initial: { name: 'br0', ports: set(uuid(11), uuid(13)), datapath_type: 'netdev' } },
      [uuid(20)]: { initial: { name: 'br1', ports: set(uuid(21)) } },
    },
    Port: {
      [uuid(11)]: { initial: { name: 'br0', interfaces: set(uuid(12)) } },
      [uuid(13)]: { initial: { name: 'p1', interfaces: set(uuid(14)), tag: 5 } },
      [uuid(21)]: { initial: { name: 'br1', interfaces: set(uuid(22)) } },
    },
    Interface: {
      [uuid(12)]: { initial: { name: 'br0', type: 'internal' } },
      [uuid(14)]: { initial: { name: 'p1', external_ids: ['map', [['owner', 'a']]] } },
      [uuid(22)]: { initial: { name: 'br1', type: 'internal' } },
    },
  };
  void replica.applyUpdate2(rows);
  return replica;
}

/** Answers like a server that accepts everything; `reply` may change the answer (and the replica). */
function target(replica: Replica, reply?: (ops: readonly Operation[], call: number) => (OperationResult | null)[] | undefined) {
  const sent: Operation[][] = [];
  let next = 100;
  const t: CommandTarget = {
    replica,
    transact: (ops) => {
      sent.push([...ops]);
      const custom = reply?.(ops, sent.length);
      if (custom) return Promise.resolve(custom as OperationResult[]);
      return Promise.resolve(
        ops.map((op): OperationResult => {
          if (op.op === 'insert') return { uuid: ['uuid', uuid(next++)] };
          if (op.op === 'select') return { rows: [{ next_cfg: 5 }] };
          return {};
        }),
      );
    },
  };
  return { t, sent };
}

const changes = (ops: Operation[]) => ops.filter((op) => op.op !== 'wait');

describe('CommandBatch: bridges and ports (ops planned from the replica)', () => {
  it('add-br inserts interface, port and bridge and adds the bridge to Open_vSwitch, after waits that the names are free', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    const br = batch.addBridge('br-int', { datapathType: 'netdev', externalIds: { owner: 'fleet' }, failMode: 'secure' });
    const result = await batch.execute();
    expect(result.status).toBe('success');
    expect(sent).toHaveLength(1);
    const ops = sent[0];
    expect(ops.slice(0, 3)).toEqual([absent('Bridge', 'br-int'), absent('Port', 'br-int'), absent('Interface', 'br-int')]);
    expect(changes(ops)).toEqual([
      { op: 'insert', table: 'Interface', row: { name: 'br-int', type: 'internal' }, 'uuid-name': 'row1' },
      { op: 'insert', table: 'Port', row: { name: 'br-int', interfaces: named('row1') }, 'uuid-name': 'row2' },
      {
        op: 'insert',
        table: 'Bridge',
        row: { name: 'br-int', ports: named('row2'), datapath_type: 'netdev', fail_mode: 'secure', external_ids: ['map', [['owner', 'fleet']]] },
        'uuid-name': 'row3',
      },
      { op: 'mutate', table: 'Open_vSwitch', where: where(ROOT), mutations: [['bridges', 'insert', named('row3')]] },
    ]);
    expect(result.uuid(br)).toBe(uuid(102));
  });

  it('commands see earlier commands: add-br then add-port on it writes the new bridge whole', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.addBridge('br-int', { datapathType: 'netdev' });
    const port = batch.addPort('br-int', 'vm1', { tag: 10, externalIds: { 'iface-id': 'x' } });
    const result = await batch.execute();
    const ops = changes(sent[0]);
    expect(ops.find((op) => op.op === 'insert' && tableOf(op) === 'Bridge')).toMatchObject({
      row: { name: 'br-int', ports: ['set', [['named-uuid', 'row2'], ['named-uuid', 'row5']]] },
    });
    expect(ops.filter((op) => tableOf(op) === 'Bridge')).toHaveLength(1);
    expect(ops.find((op) => op.op === 'insert' && tableOf(op) === 'Port' && op.row?.name === 'vm1')).toMatchObject({ row: { tag: 10, external_ids: ['map', [['iface-id', 'x']]] } });
    expect(result.uuid(port)).toBeDefined();
  });

  it('add-port to an existing bridge is a mutate insert (no rewrite of Bridge.ports)', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.addPort('br0', 'vx1', { interfaces: [{ name: 'vx1', type: 'vxlan', options: { remote_ip: '203.0.113.2', key: '5001' } }] });
    await batch.execute();
    expect(sent[0]).toContainEqual(present('Bridge', 'br0', uuid(10)));
    expect(changes(sent[0])).toEqual([
      { op: 'insert', table: 'Interface', row: { name: 'vx1', type: 'vxlan', options: ['map', [['remote_ip', '203.0.113.2'], ['key', '5001']]] }, 'uuid-name': 'row1' },
      { op: 'insert', table: 'Port', row: { name: 'vx1', interfaces: named('row1') }, 'uuid-name': 'row2' },
      { op: 'mutate', table: 'Bridge', where: where(uuid(10)), mutations: [['ports', 'insert', named('row2')]] },
    ]);
  });

  it('--may-exist: an existing port on the same bridge with the same interfaces changes nothing', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    const port = batch.addPort('br0', 'p1', { mayExist: true, tag: 99 });
    const bridge = batch.addBridge('br1', { mayExist: true });
    const result = await batch.execute();
    expect(result.status).toBe('unchanged');
    expect(sent).toHaveLength(0);
    expect(result.uuid(port)).toBe(uuid(13));
    expect(result.uuid(bridge)).toBe(uuid(20));
  });

  it('--may-exist add-port fails as ovs-vsctl when the port is on another bridge or has other interfaces', async () => {
    const { t } = target(world());
    const other = commands(t);
    other.addPort('br1', 'p1', { mayExist: true });
    await expect(other.execute()).rejects.toThrow('"--may-exist add-port br1 p1" but p1 is actually attached to bridge br0');
    const ifaces = commands(t);
    ifaces.addPort('br0', 'p1', { mayExist: true, interfaces: [{ name: 'p1' }, { name: 'p1b' }] });
    await expect(ifaces.execute()).rejects.toThrow('"--may-exist add-port br0 p1" but p1 actually has interface(s) p1');
  });

  it('names are unique across bridges, ports and interfaces (ovs-vsctl check_conflicts)', async () => {
    const { t } = target(world());
    const cases: [(b: ReturnType<typeof commands>) => unknown, string][] = [
      [(b) => b.addPort('br1', 'p1'), 'cannot create a port named p1 because a port named p1 already exists on bridge br0'],
      [(b) => b.addBridge('p1'), 'cannot create a bridge named p1 because a port named p1 already exists on bridge br0'],
      [(b) => b.addPort('br1', 'br0'), 'cannot create a port named br0 because a bridge named br0 already exists'],
      [(b) => b.addPort('br1', 'x', { interfaces: [{ name: 'p1' }] }), 'cannot create an interface named p1 because a port named p1 already exists on bridge br0'],
      [(b) => b.addPort('nope', 'x'), 'no bridge named nope'],
    ];
    for (const [add, message] of cases) {
      const batch = commands(t);
      add(batch);
      await expect(batch.execute()).rejects.toThrow(message);
    }
  });

  it('a failing command names its index and vsctl spelling; nothing is sent (the batch is atomic)', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.addBridge('br9');
    batch.addPort('br9', 'p9');
    batch.delPort('br1', 'p1');
    const error = await batch.execute().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbCommandError);
    expect(error).toMatchObject({ commandIndex: 2, command: 'del-port br1 p1', reason: 'bridge br1 does not have a port p1' });
    expect(sent).toHaveLength(0);
  });

  it('del-br drops the bridge from Open_vSwitch; its port names are free for later commands', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.delBridge('br0');
    batch.addPort('br1', 'p1');
    await batch.execute();
    const ops = changes(sent[0]);
    expect(ops).toContainEqual({ op: 'mutate', table: 'Bridge', where: where(uuid(20)), mutations: [['ports', 'insert', named('row2')]] });
    expect(ops.filter((op) => tableOf(op) === 'Bridge')).toHaveLength(1);
    expect(ops).toContainEqual({ op: 'mutate', table: 'Open_vSwitch', where: where(ROOT), mutations: [['bridges', 'delete', set(uuid(10))]] });
    // The name lookups of p1 were answered from the replica (p1 existed): the waits say so.
    expect(sent[0]).toContainEqual(present('Bridge', 'br0', uuid(10)));
  });

  it('del-port: by name or uuid, --if-exists, the local-port rule, and the bridge check', async () => {
    const { t, sent } = target(world());
    const byUuid = commands(t);
    byUuid.delPort(undefined, uuid(13));
    await byUuid.execute();
    expect(changes(sent[0])).toEqual([{ op: 'mutate', table: 'Bridge', where: where(uuid(10)), mutations: [['ports', 'delete', set(uuid(13))]] }]);
    // Whoever holds p1 is checked on the server too.
    expect(sent[0]).toContainEqual({
      op: 'wait', table: 'Bridge', timeout: 0, columns: ['_uuid'], until: '==', rows: [{ _uuid: ['uuid', uuid(10)] }],
      where: [...where(uuid(10)), ['ports', 'includes', ['uuid', uuid(13)]]],
    });
    const missing = commands(t);
    missing.delPort(undefined, 'ghost', { ifExists: true });
    expect((await missing.execute()).status).toBe('unchanged');
    const strict = commands(t);
    strict.delPort(undefined, 'ghost');
    await expect(strict.execute()).rejects.toThrow('no port named ghost');
    const local = commands(t);
    local.delPort('br0', 'br0');
    await expect(local.execute()).rejects.toThrow('cannot delete port br0 because it is the local port for bridge br0');
  });

  it('add-port then del-port of it in one batch sends nothing for that port', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.addPort('br0', 'tmp');
    batch.delPort('br0', 'tmp');
    batch.addBridge('brX');
    batch.delBridge('brX');
    expect((await batch.execute()).status).toBe('unchanged');
    expect(sent).toHaveLength(0);
  });

  it('works the same without declared name indexes (one scan per batch)', async () => {
    const a = target(world({ indexed: true }));
    const b = target(world({ indexed: false }));
    for (const { t } of [a, b]) {
      const batch = commands(t);
      batch.addPort('br1', 'p2', { mayExist: true });
      batch.delPort('br0', 'p1');
      batch.addPort('br0', 'p3');
      await batch.execute();
    }
    expect(b.sent).toEqual(a.sent);
  });
});

describe('CommandBatch: partial changes stay partial', () => {
  it('many ports added to and removed from one bridge make one mutate with just those members', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    for (let i = 0; i < 50; i++) batch.addPort('br0', `m${i}`);
    batch.delPort('br0', 'm7');
    batch.delPort(undefined, 'p1');
    await batch.execute();
    const bridgeOps = changes(sent[0]).filter((op) => tableOf(op) === 'Bridge');
    expect(bridgeOps).toHaveLength(1);
    const [[, , removed], [, , added]] = (bridgeOps[0] as { mutations: [string, string, WireValue][] }).mutations;
    expect(removed).toEqual(set(uuid(13)));
    expect((added as [string, unknown[]])[1]).toHaveLength(49);
    expect(changes(sent[0]).filter((op) => op.op === 'insert' && tableOf(op) === 'Port')).toHaveLength(49);
  });

  it('later commands see pending partial changes: the holder of a port added in the batch, a re-added member', async () => {
    const { t, sent } = target(world());
    const wrong = commands(t);
    wrong.addPort('br0', 'n1');
    wrong.delPort('br1', 'n1');
    await expect(wrong.execute()).rejects.toThrow('bridge br1 does not have a port n1');
    const moved = commands(t);
    moved.delPort('br0', 'p1');
    moved.addPort('br1', 'p1', { interfaces: [{ name: 'p1', type: 'internal' }] });
    moved.addPort('br1', 'p1x', { mayExist: true });
    moved.addPort('br1', 'p1x', { mayExist: true });
    const result = await moved.execute();
    expect(result.status).toBe('success');
    expect(changes(sent[0]).filter((op) => op.op === 'insert' && tableOf(op) === 'Port').map((op) => (op as unknown as { row: { name: string } }).row.name)).toEqual(['p1', 'p1x']);
  });

  it('size limits are checked on the folded value: a port keeps at least one interface', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.remove(Port, 'p1', 'interfaces', [uuid(14)]);
    await expect(batch.execute()).rejects.toThrow(OvsdbValidationError);
    await expect(batch.execute()).rejects.toThrow('Port.interfaces');
    expect(sent).toHaveLength(0);
  });
});

describe('CommandBatch: generic record commands', () => {
  it('set writes whole columns (update) and single map keys (delete key + insert)', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.set(Port, 'p1', { tag: 7, 'external_ids:owner': 'b' });
    batch.set('Interface', uuid(14), { 'external_ids:owner': 'c', 'options:key': '9' });
    await batch.execute();
    expect(changes(sent[0])).toEqual([
      { op: 'update', table: 'Port', where: where(uuid(13)), row: { tag: 7 } },
      { op: 'mutate', table: 'Port', where: where(uuid(13)), mutations: [['external_ids', 'delete', ['set', ['owner']]], ['external_ids', 'insert', ['map', [['owner', 'b']]]]] },
      {
        op: 'mutate', table: 'Interface', where: where(uuid(14)),
        mutations: [['external_ids', 'delete', ['set', ['owner']]], ['external_ids', 'insert', ['map', [['owner', 'c']]]], ['options', 'delete', ['set', ['key']]], ['options', 'insert', ['map', [['key', '9']]]]],
      },
    ]);
  });

  it('add/remove set members and map pairs, clear, and a whole write replacing earlier partial ones', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.add(Port, 'p1', 'trunks', [1, 2]);
    batch.remove(Port, 'p1', 'trunks', [2]);
    batch.remove('Interface', 'p1', 'external_ids', new Map([['owner', 'not-a']]));
    batch.remove('Interface', 'br0', 'external_ids', ['k']);
    batch.add(Bridge, 'br1', 'external_ids', new Map([['a', '1']]));
    batch.set(Bridge, 'br1', { external_ids: new Map([['b', '2']]) });
    batch.clear(Port, 'p1', 'tag');
    await batch.execute();
    const ops = changes(sent[0]);
    expect(ops).toHaveLength(5);
    expect(ops).toEqual(expect.arrayContaining([
      { op: 'update', table: 'Port', where: where(uuid(13)), row: { tag: ['set', []] } },
      { op: 'mutate', table: 'Port', where: where(uuid(13)), mutations: [['trunks', 'delete', ['set', [2]]], ['trunks', 'insert', ['set', [1]]]] },
      { op: 'mutate', table: 'Interface', where: where(uuid(14)), mutations: [['external_ids', 'delete', ['map', [['owner', 'not-a']]]]] },
      { op: 'mutate', table: 'Interface', where: where(uuid(12)), mutations: [['external_ids', 'delete', ['set', ['k']]]] },
      { op: 'update', table: 'Bridge', where: where(uuid(20)), row: { external_ids: ['map', [['b', '2']]] } },
    ]));
  });

  it('validates against the schema before sending, naming table, column and value', async () => {
    const { t, sent } = target(world());
    const cases: [(b: ReturnType<typeof commands>) => unknown, string][] = [
      [(b) => b.set(Port, 'p1', { tag: 5000 }), 'Port.tag: 5000 is greater than the maximum 4095'],
      [(b) => b.set(Port, 'p1', { nope: 1 }), 'Port.nope'],
      [(b) => b.addPort('br0', 'x', { vlanMode: 'sideways' as 'trunk' }), 'Port.vlan_mode: "sideways"'],
      [(b) => b.addBridge('x', { failMode: 'open' as 'secure' }), 'Bridge.fail_mode'],
      [(b) => b.add(Port, 'p1', 'trunks', [4096]), 'Port.trunks'],
      [(b) => b.set('Nope', 'x', {}), 'Nope: "Nope" is not a table'],
    ];
    for (const [build, message] of cases) {
      const batch = commands(t);
      build(batch);
      const error = await batch.execute().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OvsdbValidationError);
      expect((error as Error).message).toContain(message);
    }
    expect(sent).toHaveLength(0);
  });

  it('a row written by uuid is asserted to exist (an update of a vanished row would match nothing); by name the name wait does it', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    batch.set(Bridge, uuid(20), { 'external_ids:a': '1' });
    batch.set(Bridge, 'br0', { 'external_ids:a': '1' });
    await batch.execute();
    const exists = (id: string): Operation => ({ op: 'wait', table: 'Bridge', timeout: 0, where: where(id), columns: ['_uuid'], until: '==', rows: [{ _uuid: ['uuid', id] }] });
    expect(sent[0]).toContainEqual(exists(uuid(20)));
    expect(sent[0]).not.toContainEqual(exists(uuid(10)));
    expect(sent[0]).toContainEqual(present('Bridge', 'br0', uuid(10)));
  });

  it('records by name, uuid, "." and by an earlier command; missing records fail as ovs-vsctl', async () => {
    const { t, sent } = target(world());
    const batch = commands(t);
    const br = batch.addBridge('br-new');
    batch.set(Bridge, br, { 'other_config:hwaddr': '02:00:00:00:00:01' });
    batch.set('Open_vSwitch', '.', { 'external_ids:system-id': 'h1' });
    await batch.execute();
    expect(changes(sent[0]).find((op) => tableOf(op) === 'Bridge')).toMatchObject({ row: { other_config: ['map', [['hwaddr', '02:00:00:00:00:01']]] } });
    const missing = commands(t);
    missing.set(Bridge, 'ghost', { stp_enable: true });
    await expect(missing.execute()).rejects.toThrow('no row "ghost" in table Bridge');
  });

  it('findRows sees the batch so far and returns the rows as the replica holds them after the commit', async () => {
    const replica = world();
    const { t } = target(replica);
    const batch = commands(t);
    batch.set(Port, 'br1', { 'external_ids:owner': 'a' });
    const owned = batch.findRows(Port, { 'external_ids:owner': 'a' });
    const tagged = batch.findRows(Port, { tag: 5 });
    const untagged = batch.findRows(Port, (row) => row.values.tag === null);
    const byMap = batch.findRows('Interface', { external_ids: new Map([['owner', 'a']]) });
    const bySet = batch.findRows(Bridge, { ports: [uuid(13), uuid(11)] });
    const byUuid = batch.findRows(Bridge, { _uuid: uuid(20) });
    const none = batch.findRows(Port, { tag: '5' });
    batch.addPort('br1', 'fresh', { tag: 5 });
    const withNew = batch.findRows(Port, { tag: 5 });
    const result = await batch.execute();
    expect(result.rows(byMap).map((row) => row.name)).toEqual(['p1']);
    expect(result.rows(bySet).map((row) => row.name)).toEqual(['br0']);
    expect(result.rows(byUuid).map((row) => row.name)).toEqual(['br1']);
    expect(result.rows(none)).toEqual([]);
    // 'fresh' matched in the batch; the fake server does not feed the replica, so only p1 is read back.
    expect(result.rows(withNew).map((row) => row.name)).toEqual(['p1']);
    // The fake server does not feed the replica: it still shows the old values.
    expect(result.rows(owned).map((row) => row.name)).toEqual(['br1']);
    expect(result.rows(tagged).map((row) => row.name)).toEqual(['p1']);
    expect(result.rows(untagged).map((row) => row.name).sort()).toEqual(['br0', 'br1']);
  });
});

describe('CommandBatch: concurrency and ovs-vswitchd', () => {
  it("a failed wait is 'try again': the batch re-plans from the updated replica", async () => {
    const replica = world();
    const { t, sent } = target(replica, (ops, call) => {
      if (call > 1) return undefined;
      // Someone else adds p2 to br1 meanwhile: our wait that p2 is free fails.
      void replica.applyUpdate2({ Port: { [uuid(30)]: { insert: { name: 'p2', interfaces: set(uuid(31)) } } }, Interface: { [uuid(31)]: { insert: { name: 'p2' } } }, Bridge: { [uuid(20)]: { modify: { ports: set(uuid(30)) } } } });
      const failed = ops.findIndex((op) => op.op === 'wait' && tableOf(op) === 'Port');
      return [...ops.slice(0, failed).map(() => ({})), { error: 'timed out', details: '"where" clause test failed' }];
    });
    const batch = commands(t);
    const port = batch.addPort('br1', 'p2', { mayExist: true });
    const result = await batch.execute({ retries: 2 });
    expect(result.attempts).toBe(2);
    expect(result.status).toBe('unchanged');
    expect(result.uuid(port)).toBe(uuid(30));
    expect(sent).toHaveLength(1);
  });

  it("stays 'try again' after the retries: a retryable OvsdbCommitError", async () => {
    // The first op (a wait) fails every time: the server stops there.
    const { t, sent } = target(world(), (ops) => {
      expect(ops[0].op).toBe('wait');
      return [{ error: 'timed out', details: '"where" clause test failed' }];
    });
    const batch = commands(t);
    batch.addPort('br0', 'p5');
    const error = await batch.execute({ retries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbCommitError);
    expect(error).toMatchObject({ status: 'try again', retryable: true, attempts: 2 });
    expect(sent).toHaveLength(2);
  });

  it('a server error is not retried', async () => {
    const { t, sent } = target(world(), (ops) => [...ops.map(() => ({})), { error: 'constraint violation', details: 'duplicate' }]);
    const batch = commands(t);
    batch.addPort('br0', 'p5');
    await expect(batch.execute({ retries: 5 })).rejects.toMatchObject({ status: 'error', retryable: false, message: expect.stringContaining('constraint violation: duplicate') });
    expect(sent).toHaveLength(1);
  });

  it('waitForVswitchd bumps next_cfg, selects it, and resolves once cur_cfg reaches it', async () => {
    const replica = world();
    const { t, sent } = target(replica);
    const batch = commands(t);
    batch.addPort('br0', 'p5');
    const done = batch.execute({ waitForVswitchd: true, timeoutMs: 5_000 });
    let resolved = false;
    void done.then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(sent[0].slice(-2)).toEqual([
      { op: 'mutate', table: 'Open_vSwitch', where: where(ROOT), mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: where(ROOT), columns: ['next_cfg'] },
    ]);
    expect(resolved).toBe(false);
    void replica.applyUpdate2({ Open_vSwitch: { [ROOT]: { modify: { cur_cfg: 5 } } } });
    const result = await done;
    expect(result.nextCfg).toBe(5);
  });

  it('waitForVswitchd reports the new interfaces ovs-vswitchd could not set up (no ofport), as ovs-vsctl does', async () => {
    const replica = world();
    const { t } = target(replica, (ops) => {
      // Read your writes: the server's update arrives before the reply.
      const results = ops.map((op, i): OperationResult => (op.op === 'insert' ? { uuid: ['uuid', uuid(200 + i)] } : op.op === 'select' ? { rows: [{ next_cfg: 5 }] } : {}));
      const inserted = ops.flatMap((op, i) => (op.op === 'insert' && op.table === 'Interface' ? [[uuid(200 + i), op.row.name]] : []));
      void replica.applyUpdate2({ Interface: Object.fromEntries(inserted.map(([id, name]) => [id, { insert: { name: name as string } }])) });
      return results;
    });
    const batch = commands(t);
    batch.addPort('br0', 'ok1');
    batch.addPort('br0', 'bad1');
    const done = batch.execute({ waitForVswitchd: true, timeoutMs: 5_000 });
    await new Promise((r) => setImmediate(r));
    const uuidNamed = (name: string) => [...replica.table('Interface').values()].find((row) => row.name === name)!._uuid;
    const [okUuid, badUuid] = [uuidNamed('ok1'), uuidNamed('bad1')];
    void replica.applyUpdate2({
      Interface: { [okUuid]: { modify: { ofport: 3 } }, [badUuid]: { modify: { ofport: -1, error: 'could not open network device bad1 (No such device)' } } },
      Open_vSwitch: { [ROOT]: { modify: { cur_cfg: 5 } } },
    });
    const result = await done;
    expect(result.interfaceErrors).toEqual([{ name: 'bad1', uuid: badUuid, error: 'could not open network device bad1 (No such device)' }]);
  });

  it('waitForVswitchd with nothing else to change still waits (as ovs-vsctl does)', async () => {
    const replica = world();
    const { t, sent } = target(replica);
    const batch = commands(t);
    batch.addBridge('br0', { mayExist: true });
    const error = await batch.execute({ waitForVswitchd: true, timeoutMs: 30 }).catch((e: unknown) => e);
    expect(sent).toHaveLength(1);
    expect(error).toBeInstanceOf(OvsdbVswitchdTimeoutError);
    expect(error).toMatchObject({ pendingCfg: 5, curCfg: 4 });
    expect((error as Error).message).toContain('did not apply configuration 5');
  });
});

