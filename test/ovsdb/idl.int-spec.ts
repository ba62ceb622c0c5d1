/**
 * OvsdbIdl against real ovsdb-servers: read-your-writes, resuming with
 * monitor_cond_since across a forced reconnect (no purge), resync after a restart with a
 * database changed offline, IDL transactions (verify/try again, increment).
 */
import { once } from 'node:events';
import { run } from '@ovs-fleet/iproute';
import { OvsdbClient, OvsdbIdl, type ChangeEvent, type ChangeSubscription, type IdlSyncInfo } from '@ovs-fleet/ovsdb';
import { Bridge, OpenVSwitchSchema, Open_vSwitch, QoS } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';
/** Each forced reconnect must resume (command to `resynced`) within this; runs take about 10-50 ms. */
const RESUME_BOUND_MS = 2000;

/** QoS is a root table: a row inserted alone stays (a lone Bridge would be garbage-collected). */
function insertQos(type: string) {
  return { op: 'insert' as const, table: 'QoS', row: { type } };
}

/** Moves every queued event into `events`; a gap (lost events) fails the test. */
function drain(events: ChangeEvent[], subscription: ChangeSubscription): void {
  for (let event = subscription.poll(); event !== undefined; event = subscription.poll()) {
    if (event.type === 'gap') throw new Error('unexpected gap');
    events.push(event);
  }
}

describe('OvsdbIdl', () => {
  let server: OvsdbTestServer;
  let idl: OvsdbIdl | undefined;

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ clustered: true, prefix: 'ovs-fleet-idl-' });
  });
  afterAll(async () => {
    await server?.dispose();
  });
  afterEach(() => {
    idl?.close();
    idl = undefined;
  });

  it('connects, fetches the schema when not given, and mirrors the database', async () => {
    await server.vsctl(['add-br', 'idl-a', '--', 'set', 'Bridge', 'idl-a', 'datapath_type=netdev']);
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, requestTimeoutMs: 10_000 });
    const names = [...idl.replica.table('Bridge').values()].map((row) => row.name);
    expect(names).toContain('idl-a');
    await server.vsctl(['del-br', 'idl-a']);
  });

  it('read your writes: every transact, sequential and pipelined, is visible in the replica when it resolves', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'] });
    const replica = idl.replica;
    for (let i = 0; i < 50; i++) {
      const [result] = await idl.transact([insertQos(`ryw-${i}`)]);
      const uuid = (result as { uuid: ['uuid', string] }).uuid[1];
      expect(replica.get(QoS, uuid)?.type).toBe(`ryw-${i}`);
      await idl.transact([{ op: 'update', table: 'QoS', where: [['_uuid', '==', ['uuid', uuid]]], row: { type: `ryw-${i}-b` } }]);
      expect(replica.get(QoS, uuid)?.type).toBe(`ryw-${i}-b`);
    }
    const pipelined = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const [result] = await idl!.transact([insertQos(`ryw-p-${i}`)]);
        return replica.get(QoS, (result as { uuid: ['uuid', string] }).uuid[1])?.type;
      }),
    );
    expect(pipelined).toEqual(Array.from({ length: 50 }, (_, i) => `ryw-p-${i}`));
    await idl.transact([{ op: 'delete', table: 'QoS', where: [] }]);
    expect(replica.table(QoS).size).toBe(0);
  });

  it('forced reconnect (ovsdb-server/reconnect): resumes with monitor_cond_since, applies only missed updates, no purge', async () => {
    await server.vsctl(['add-br', 'keep-0', '--', 'set', 'Bridge', 'keep-0', 'datapath_type=netdev']);
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema });
    // 2,000 more rows: resuming must not depend on the database size
    await idl.transact(Array.from({ length: 2000 }, (_, i) => insertQos(`bulk-${i}`)));
    const subscription = idl.replica.subscribe({ capacity: 10_000 });
    const before = new Map(idl.replica.table(Bridge));
    const qosBefore = new Map(idl.replica.table(QoS));
    expect(qosBefore.size).toBe(2000);
    const timings: number[] = [];
    for (let round = 0; round < 5; round++) {
      const resynced = once(idl, 'resynced') as Promise<[IdlSyncInfo]>;
      const started = performance.now();
      await server.appctl(['ovsdb-server/reconnect']);
      const [info] = await resynced;
      timings.push(performance.now() - started);
      expect(info.kind).toBe('resumed');
    }
    const events: ChangeEvent[] = [];
    drain(events, subscription);
    expect(events).toEqual([]);
    // rows kept their identity: nothing was purged and re-inserted
    for (const [uuid, row] of before) expect(idl.replica.get(Bridge, uuid)).toBe(row);
    for (const [uuid, row] of qosBefore) if (idl.replica.get(QoS, uuid) !== row) throw new Error(`QoS ${uuid} was replaced across the reconnect`);
    // A generous bound that catches a resume gone wrong (waiting out a backoff or a timeout),
    // not a figure: `npm run bench:ovsdb` measures reconnects (libs/ovsdb/README.md, Benchmarks).
    expect(Math.max(...timings)).toBeLessThan(RESUME_BOUND_MS);

    // a change made while disconnected arrives as exactly that change
    const disconnected = once(idl, 'disconnected');
    const resynced = once(idl, 'resynced') as Promise<[IdlSyncInfo]>;
    await server.appctl(['ovsdb-server/reconnect']);
    await disconnected;
    await server.vsctl(['add-br', 'missed-1', '--', 'set', 'Bridge', 'missed-1', 'datapath_type=netdev']);
    await resynced;
    await idl.replica.waitFor((r) => [...r.table(Bridge).values()].some((row) => row.name === 'missed-1'), 5000);
    drain(events, subscription);
    const bridgeEvents = events.filter((event) => event.table === 'Bridge');
    expect(bridgeEvents.map((event) => [event.type, (event.new as { name?: string } | undefined)?.name])).toEqual([['insert', 'missed-1']]);
    expect(events.some((event) => event.type === 'delete')).toBe(false);
    await server.vsctl(['del-br', 'missed-1', '--', 'del-br', 'keep-0']);
    await idl.transact([{ op: 'delete', table: 'QoS', where: [] }]);
  });

  it('server restarted on a database changed offline: resync emits only the real changes', async () => {
    const standalone = await OvsdbTestServer.start({ prefix: 'ovs-fleet-idl-' });
    try {
      idl = await OvsdbIdl.connect({ remote: standalone.unixRemote, database: DB, schema: OpenVSwitchSchema, backoff: { initialDelayMs: 20, maxDelayMs: 100 } });
      await idl.transact([insertQos('stay'), insertQos('go'), insertQos('change')]);
      const byType = (type: string) => [...idl!.replica.table(QoS).values()].find((row) => row.type === type);
      const stay = byType('stay')!;
      const subscription = idl.replica.subscribe({ capacity: 1000 });
      await standalone.stop();
      // change the database file while the server is down
      const { stdout } = await run('ovsdb-tool', [
        'transact',
        standalone.dbFile,
        JSON.stringify([
          DB,
          { op: 'delete', table: 'QoS', where: [['type', '==', 'go']] },
          { op: 'insert', table: 'QoS', row: { type: 'new' } },
          { op: 'update', table: 'QoS', where: [['type', '==', 'change']], row: { other_config: ['map', [['k', 'v']]] } },
        ]),
      ]);
      expect(stdout).not.toContain('error');
      const resynced = once(idl, 'resynced') as Promise<[IdlSyncInfo]>;
      await standalone.launch();
      const [info] = await resynced;
      expect(info.kind).toBe('resynced');
      const events: ChangeEvent[] = [];
      drain(events, subscription);
      expect(events.map((event) => [event.table, event.type, ((event.new ?? event.old) as { type?: string }).type]).sort()).toEqual([
        ['QoS', 'delete', 'go'],
        ['QoS', 'insert', 'new'],
        ['QoS', 'modify', 'change'],
      ]);
      expect(byType('change')?.other_config).toEqual(new Map([['k', 'v']]));
      const now = idl.replica.get(QoS, stay._uuid);
      // a reloaded standalone database gives every row a new _version: no event for that alone
      expect(now?.type).toBe('stay');
      expect(idl.replica.table(Open_vSwitch).size).toBe(1);
    } finally {
      idl?.close();
      idl = undefined;
      await standalone.dispose();
    }
  });

  it('IDL transactions: insert returns real uuids; verify fails with "try again" under a concurrent writer; idl.run retries', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS', 'Open_vSwitch'] });
    const txn = idl.transaction();
    const handle = txn.insert(QoS, { type: 'txn-a', other_config: new Map([['n', '0']]) });
    const inserted = await txn.commit();
    expect(inserted.status).toBe('success');
    const uuid = inserted.inserted.get(handle.name)!;
    expect(idl.replica.get(QoS, uuid)?.type).toBe('txn-a');

    // read, then another client writes, then our verified write must not apply
    const stale = idl.transaction();
    stale.verify(QoS, uuid, ['other_config']);
    stale.update(QoS, uuid, { other_config: new Map([['n', '1']]) });
    await server.vsctl(['set', 'QoS', uuid, 'other_config:n=5']);
    const conflicted = await stale.commit();
    expect(conflicted.status).toBe('try again');
    await idl.replica.waitFor((r) => r.get(QoS, uuid)?.other_config.get('n') === '5', 5000);

    // read-modify-write with retries: concurrent increments of a counter in other_config all count
    const bump = () =>
      idl!.run((t, replica) => {
        const n = Number(replica.get(QoS, uuid)!.other_config.get('n'));
        t.verify(QoS, uuid, ['other_config']);
        t.update(QoS, uuid, { other_config: new Map([['n', String(n + 1)]]) });
      }, { retries: 50 });
    const results = await Promise.all(Array.from({ length: 5 }, bump));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('success'));
    expect(idl.replica.get(QoS, uuid)?.other_config.get('n')).toBe('10');

    // unchanged: only verifies
    const noop = idl.transaction();
    noop.verify(QoS, uuid, ['type']);
    expect((await noop.commit()).status).toBe('unchanged');

    // an error the server reports (a uuid that names no row in a strong reference)
    const broken = idl.transaction();
    broken.update(QoS, uuid, { queues: new Map([[1, '00000000-0000-4000-8000-000000000001']]) });
    const failed = await broken.commit();
    expect(failed.status).toBe('error');
    expect(failed.error).toBe('referential integrity violation');

    const cleanup = idl.transaction();
    cleanup.delete(QoS, uuid);
    expect((await cleanup.commit()).status).toBe('success');
    expect(idl.replica.get(QoS, uuid)).toBeUndefined();
  });

  it('increment: mutate += 1 and the new value read back, also when others increment concurrently', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['Open_vSwitch'] });
    const root = [...idl.replica.table(Open_vSwitch).values()][0];
    const start = root.next_cfg;
    const values = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const txn = idl!.transaction();
        txn.increment(Open_vSwitch, root._uuid, 'next_cfg');
        const result = await txn.commit();
        expect(result.status).toBe('success');
        return result.incrementNewValue!;
      }),
    );
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => start + i + 1));
    expect(idl.replica.get(Open_vSwitch, root._uuid)?.next_cfg).toBe(start + 10);
  });

  /**
   * Resolves once the IDL's connection has received the next monitor notification (update2 or
   * update3). Listeners run in order and the IDL's own was added first, so by then the IDL has
   * taken the notification: applied it, or queued it when on hold.
   */
  function notificationReceived(target: OvsdbIdl): Promise<void> {
    const client = target.client.client;
    if (client === undefined) throw new Error('the IDL is not connected');
    return new Promise((resolve) => {
      const received = () => {
        client.off('update2', received);
        client.off('update3', received);
        resolve();
      };
      client.on('update2', received);
      client.on('update3', received);
    });
  }

  /** A QoS-only IDL on hold, and a QoS row another client (ovs-vsctl) created meanwhile: received, not applied. */
  async function heldWithForeignRow(type: string): Promise<{ held: OvsdbIdl; release: () => void; types: () => string[] }> {
    const held = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'] });
    idl = held;
    const release = held.hold();
    const received = notificationReceived(held);
    await server.vsctl(['create', 'QoS', `type=${type}`]);
    await received;
    const types = () => [...held.replica.table(QoS).values()].map((row) => row.type).sort();
    expect(types()).toEqual([]);
    return { held, release, types };
  }

  it('hold(): notifications wait until release, then apply in order; transact still reads its own writes', async () => {
    const { held, release, types } = await heldWithForeignRow('held-1');
    await held.transact([insertQos('held-2')]);
    expect(types()).toEqual(['held-1', 'held-2']);
    const received = notificationReceived(held);
    await server.vsctl(['create', 'QoS', 'type=held-3']);
    await received;
    expect(types()).toEqual(['held-1', 'held-2']);
    release();
    expect(types()).toEqual(['held-1', 'held-2', 'held-3']);
    await held.transact([{ op: 'delete', table: 'QoS', where: [] }]);
  });

  it('hold(): a transaction the server refuses still applies the notifications that arrived before its reply', async () => {
    const { held, release, types } = await heldWithForeignRow('held-before-error');
    await expect(held.transact([{ op: 'wait', table: 'QoS', where: [], columns: ['type'], until: '==', rows: [], timeout: 0 }])).rejects.toThrow(/timed out/);
    expect(types()).toEqual(['held-before-error']);
    release();
    await held.transact([{ op: 'delete', table: 'QoS', where: [] }]);
  });

  it('conditions: only matching rows are mirrored; setConditions moves rows in and out (as inserts and deletes)', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], conditions: { QoS: [['type', '==', 'c-1']] } });
    await idl.transact([insertQos('c-1'), insertQos('c-2')]);
    const types = () => [...idl!.replica.table(QoS).values()].map((row) => row.type).sort();
    expect(types()).toEqual(['c-1']);
    const subscription = idl.replica.subscribe({ capacity: 100 });
    await idl.setConditions('QoS', [['type', '==', 'c-2']]);
    await idl.replica.waitFor(() => types().join() === 'c-2', 5000);
    const events: ChangeEvent[] = [];
    drain(events, subscription);
    expect(events.map((event) => event.type).sort()).toEqual(['delete', 'insert']);
    await idl.transact([{ op: 'delete', table: 'QoS', where: [] }]);
  });

  it('without monitor_cond_since (resume: false): a reconnect diffs a full monitor_cond snapshot, no spurious events', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, resume: false });
    await idl.transact([insertQos('full-1')]);
    const subscription = idl.replica.subscribe({ capacity: 1000 });
    const resynced = once(idl, 'resynced') as Promise<[IdlSyncInfo]>;
    idl.forceReconnect();
    const [info] = await resynced;
    expect(info.kind).toBe('resynced');
    const events: ChangeEvent[] = [];
    drain(events, subscription);
    expect(events).toEqual([]);
    expect([...idl.replica.table(QoS).values()].map((row) => row.type)).toEqual(['full-1']);
    await idl.transact([{ op: 'delete', table: 'QoS', where: [] }]);
  });

  it('read your writes while the replica is busy applying a large update from another client (sliced)', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, tables: ['QoS'], sliceMs: 0 });
    const other = await OvsdbClient.connect(server.unixRemote);
    try {
      for (let round = 0; round < 5; round++) {
        const big = other.transact(DB, Array.from({ length: 3000 }, (_, i) => insertQos(`big-${round}-${i}`)));
        await new Promise((resolve) => setImmediate(resolve));
        const [result] = await idl.transact([insertQos(`mine-${round}`)]);
        const uuid = (result as { uuid: ['uuid', string] }).uuid[1];
        expect(idl.replica.get(QoS, uuid)?.type).toBe(`mine-${round}`);
        await big;
      }
      await idl.transact([{ op: 'delete', table: 'QoS', where: [] }]);
      expect(idl.replica.table(QoS).size).toBe(0);
    } finally {
      other.close();
    }
  });
});
