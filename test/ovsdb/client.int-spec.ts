/**
 * OvsdbClient against a real ovsdb-server: every method, typed errors, concurrency, locks,
 * cancellation. Each server lives in its own temp dir and is removed in afterAll/finally.
 */
import { readFileSync } from 'node:fs';
import {
  OvsdbCancelledError,
  OvsdbClient,
  OvsdbDisconnectedError,
  OvsdbProtocolError,
  OvsdbRpcError,
  OvsdbTimeoutError,
  OvsdbTransactionError,
  type Operation,
  type TableUpdates,
  type TableUpdates2,
  type WireUuid,
} from '@ovs-fleet/ovsdb';
import { OvsdbTestServer, VSWITCH_SCHEMA } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';

/** Resolves with the first `event` emission of `emitter` (with a safety timeout). */
function nextEvent<T extends unknown[]>(emitter: { once(event: string, listener: (...args: T) => void): unknown }, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

const uuidOf = (result: { uuid?: WireUuid }) => (result.uuid as WireUuid)[1];

/** The operations of one "add port" change: insert Interface + Port, add the Port to the bridge. */
function addPortOps(bridge: string, port: string): Operation[] {
  return [
    { op: 'insert', table: 'Interface', row: { name: port, type: 'internal' }, 'uuid-name': 'iface' },
    { op: 'insert', table: 'Port', row: { name: port, interfaces: ['named-uuid', 'iface'] }, 'uuid-name': 'port' },
    { op: 'mutate', table: 'Bridge', where: [['name', '==', bridge]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]] },
  ];
}

describe('OvsdbClient (real ovsdb-server)', () => {
  let server: OvsdbTestServer;
  let client: OvsdbClient;
  const extraClients: OvsdbClient[] = [];

  const connect = async (remote = server.unixRemote) => {
    const c = await OvsdbClient.connect(remote);
    extraClients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await OvsdbTestServer.start({ tcp: true });
    await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev']);
    client = await OvsdbClient.connect(server.tcpRemote);
  });

  afterAll(async () => {
    client?.close();
    for (const c of extraClients) c.close();
    await server?.dispose();
  });

  it('list_dbs, get_schema, echo, get_server_id, set_db_change_aware', async () => {
    expect((await client.listDbs()).sort()).toEqual(['Open_vSwitch', '_Server']);
    const schema = await client.getSchema(DB);
    const file = JSON.parse(readFileSync(VSWITCH_SCHEMA, 'utf8'));
    expect(schema.name).toBe(DB);
    expect(schema.version).toBe(file.version);
    expect(Object.keys(schema.tables).sort()).toEqual(Object.keys(file.tables).sort());
    expect(await client.echo(['ping', { a: [1, 'ü'] }])).toEqual(['ping', { a: [1, 'ü'] }]);
    const id = await client.getServerId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await (await connect()).getServerId()).toBe(id);
    await expect(client.setDbChangeAware(true)).resolves.toBeUndefined();
  });

  it('transact: inserts and mutates, visible to ovs-vsctl', async () => {
    const results = await client.transact(DB, addPortOps('br0', 'tp1'));
    expect(results).toHaveLength(3);
    expect(uuidOf(results[0])).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[2]).toEqual({ count: 1 });
    expect((await server.vsctl(['list-ports', 'br0'])).stdout.split('\n')).toContain('tp1');
    const [select] = await client.transact(DB, [{ op: 'select', table: 'Port', where: [['name', '==', 'tp1']], columns: ['name', 'interfaces'] }]);
    expect(select.rows).toEqual([{ name: 'tp1', interfaces: ['uuid', uuidOf(results[0])] }]);
  });

  it('referential integrity violation surfaces as OvsdbTransactionError at commit', async () => {
    const error = await client
      .transact(DB, [{ op: 'insert', table: 'Port', row: { name: 'dangling', interfaces: ['uuid', '11111111-2222-3333-4444-555555555555'] } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbTransactionError);
    const txError = error as OvsdbTransactionError;
    expect(txError.error).toBe('referential integrity violation');
    expect(txError.opIndex).toBeUndefined();
    expect(txError.details).toMatch(/nonexistent row 11111111-2222-3333-4444-555555555555/);
    expect(txError.retryable).toBe(false);
    expect(txError.message).toMatch(/at commit: referential integrity violation/);
    expect((await server.vsctl(['--columns=name', 'find', 'Port', 'name=dangling'])).stdout.trim()).toBe('');
  });

  it('constraint violation and per-operation errors carry the failing op index', async () => {
    const maxRows = (await client.transact(DB, [{ op: 'insert', table: 'Open_vSwitch', row: {} }]).catch((e: unknown) => e)) as OvsdbTransactionError;
    expect(maxRows).toBeInstanceOf(OvsdbTransactionError);
    expect(maxRows.error).toBe('constraint violation');
    expect(maxRows.details).toMatch(/greater than the schema-defined limit of 1 row/);

    const ops: Operation[] = [
      { op: 'comment', comment: 'first is fine' },
      { op: 'insert', table: 'Port', row: { name: 'empty', interfaces: ['set', []] } },
    ];
    const syntax = (await client.transact(DB, ops).catch((e: unknown) => e)) as OvsdbTransactionError;
    expect(syntax).toBeInstanceOf(OvsdbTransactionError);
    expect(syntax.opIndex).toBe(1);
    expect(syntax.operation).toBe(ops[1]);
    expect(syntax.error).toBe('syntax error');
    expect(syntax.message).toMatch(/in operation 1 \(insert Port\)/);

    const raw = await client.transact(DB, ops, { allowErrors: true });
    expect(raw[1]).toMatchObject({ error: 'syntax error' });
  });

  it('an unknown database is a JSON-RPC error', async () => {
    const error = (await client.transact('Nope', [{ op: 'comment', comment: 'x' }]).catch((e: unknown) => e)) as OvsdbRpcError;
    expect(error).toBeInstanceOf(OvsdbRpcError);
    expect(error.errorName).toBe('unknown database');
    await expect(client.getSchema('Nope')).rejects.toThrow(/unknown database/);
    // Names that cannot be OVSDB ids never leave the client.
    await expect(client.transact('Open vSwitch; x', [])).rejects.toThrow(/not an OVSDB id/);
    await expect(client.monitorCond('', 'm', {})).rejects.toThrow(TypeError);
  });

  it('two clients transacting concurrently both land every change', async () => {
    const other = await connect();
    const [a, b] = await Promise.all(
      [client, other].map((c, k) => Promise.all(Array.from({ length: 40 }, (_, i) => c.transact(DB, addPortOps('br0', `cc${k}-${i}`))))),
    );
    expect(a).toHaveLength(40);
    expect(b).toHaveLength(40);
    const ports = (await server.vsctl(['list-ports', 'br0'])).stdout.split('\n').filter((name) => name.startsWith('cc'));
    expect(ports).toHaveLength(80);
  });

  it('wait-based optimistic concurrency: one writer wins, the other gets "timed out"', async () => {
    const other = await connect();
    const [read] = await client.transact(DB, [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] }]);
    const seen = read.rows?.[0].next_cfg as number;
    const guardedBump = (): Operation[] => [
      { op: 'wait', table: 'Open_vSwitch', where: [], columns: ['next_cfg'], until: '==', rows: [{ next_cfg: seen }], timeout: 0 },
      { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
    ];
    const outcomes = await Promise.allSettled([client.transact(DB, guardedBump()), other.transact(DB, guardedBump())]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const conflict = lost[0].reason as OvsdbTransactionError;
    expect(conflict).toBeInstanceOf(OvsdbTransactionError);
    expect(conflict.error).toBe('timed out');
    expect(conflict.opIndex).toBe(0);
    expect(conflict.retryable).toBe(true);
    const [after] = await client.transact(DB, [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] }]);
    expect(after.rows?.[0].next_cfg).toBe(seen + 1);
  });

  it('lock moves between clients with locked/stolen events', async () => {
    const a = await connect();
    const b = await connect();
    await expect(a.lock('fleet-lock')).rejects.toThrow(/not an OVSDB id/);
    expect(await a.lock('fleet_lock')).toEqual({ locked: true });
    expect(await b.lock('fleet_lock')).toEqual({ locked: false });
    const granted = nextEvent<[string]>(b, 'locked');
    await a.unlock('fleet_lock');
    expect(await granted).toEqual(['fleet_lock']);

    // While b holds the lock, `assert` passes for b and fails for a.
    await expect(b.transact(DB, [{ op: 'assert', lock: 'fleet_lock' }])).resolves.toHaveLength(1);
    await expect(a.transact(DB, [{ op: 'assert', lock: 'fleet_lock' }])).rejects.toMatchObject({ error: 'not owner' });

    const stolen = nextEvent<[string]>(b, 'stolen');
    expect(await a.steal('fleet_lock')).toEqual({ locked: true });
    expect(await stolen).toEqual(['fleet_lock']);
    await expect(b.transact(DB, [{ op: 'assert', lock: 'fleet_lock' }])).rejects.toMatchObject({ error: 'not owner' });
  });

  it('monitor: initial rows, update events, monitor_cancel stops them', async () => {
    const watcher = await connect();
    const initial = await watcher.monitor(DB, 'bridges', { Bridge: { columns: ['name'] } });
    expect(Object.values(initial.Bridge).map((row) => row.new?.name)).toContain('br0');
    const update = nextEvent<[unknown, TableUpdates]>(watcher, 'update');
    await server.vsctl(['add-br', 'mon1', '--', 'set', 'bridge', 'mon1', 'datapath_type=netdev']);
    const [id, changes] = await update;
    expect(id).toBe('bridges');
    expect(Object.values(changes.Bridge)).toEqual([{ new: { name: 'mon1' } }]);

    await watcher.monitorCancel('bridges');
    let after = 0;
    watcher.on('update', () => after++);
    await server.vsctl(['del-br', 'mon1']);
    await watcher.echo([]); // the server answers in order: any update would have come first
    await client.echo([]);
    expect(after).toBe(0);
    await expect(watcher.monitorCancel('bridges')).rejects.toThrow(OvsdbRpcError);
  });

  it('monitor_cond with conditions, update2, monitor_cond_change', async () => {
    const watcher = await connect();
    await server.vsctl(['add-br', 'cond-a', '--', 'set', 'bridge', 'cond-a', 'datapath_type=netdev']);
    await server.vsctl(['add-br', 'cond-b', '--', 'set', 'bridge', 'cond-b', 'datapath_type=netdev']);
    const initial = await watcher.monitorCond(DB, ['m', 1], { Bridge: { columns: ['name'], where: [['name', '==', 'cond-a']] } });
    expect(Object.values(initial.Bridge)).toEqual([{ initial: { name: 'cond-a' } }]);

    const changed = nextEvent<[unknown, TableUpdates2]>(watcher, 'update2');
    await watcher.monitorCondChange(['m', 1], ['m', 2], { Bridge: [{ where: [['name', '==', 'cond-b']] }] });
    const [id, updates] = await changed;
    expect(id).toEqual(['m', 2]);
    const rows = Object.values(updates.Bridge);
    expect(rows).toContainEqual({ delete: null });
    expect(rows).toContainEqual({ insert: { name: 'cond-b' } });

    const condB = Object.keys(updates.Bridge).find((uuid) => 'insert' in updates.Bridge[uuid]);

    // Only cond-b is watched now: a new bridge is not sent, cond-b's removal is.
    const next = nextEvent<[unknown, TableUpdates2]>(watcher, 'update2');
    await server.vsctl(['add-br', 'cond-c', '--', 'set', 'bridge', 'cond-c', 'datapath_type=netdev']);
    await server.vsctl(['del-br', 'cond-b']);
    const [, removal] = await next;
    expect(removal).toEqual({ Bridge: { [condB as string]: { delete: null } } });
  });

  it('AbortSignal cancels a blocked transact and sends `cancel` to the server', async () => {
    const blocked: Operation = { op: 'wait', table: 'Bridge', where: [['name', '==', 'never-there']], columns: ['name'], until: '==', rows: [{ name: 'never-there' }], timeout: 60_000 };
    const orphan = nextEvent<[unknown, unknown, unknown]>(client.session, 'orphan-reply');
    const controller = new AbortController();
    const pending = client.transact(DB, [blocked], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('operator gave up')), 100);
    const error = (await pending.catch((e: unknown) => e)) as OvsdbCancelledError;
    expect(error).toBeInstanceOf(OvsdbCancelledError);
    expect(error.message).toMatch(/operator gave up/);
    // ovsdb-server answers the cancelled request with error "canceled": proof the cancel arrived.
    const [, , rpcError] = await orphan;
    expect(rpcError).toBe('canceled');
    expect(client.session.pendingCount).toBe(0);
  });

  it('a per-request timeout rejects with OvsdbTimeoutError and cancels server-side', async () => {
    const blocked: Operation = { op: 'wait', table: 'Bridge', where: [['name', '==', 'never-there']], columns: ['name'], until: '==', rows: [{ name: 'never-there' }], timeout: 60_000 };
    const orphan = nextEvent<[unknown, unknown, unknown]>(client.session, 'orphan-reply');
    const error = (await client.transact(DB, [blocked], { timeoutMs: 150 }).catch((e: unknown) => e)) as OvsdbTimeoutError;
    expect(error).toBeInstanceOf(OvsdbTimeoutError);
    expect(error.retryable).toBe(true);
    expect((await orphan)[2]).toBe('canceled');
  });

  it('large values cross many socket chunks intact (multi-byte UTF-8 included)', async () => {
    const big = 'ü€😀"\\'.repeat(200_000); // about 2.4 MB of JSON-escaped, multi-byte text
    await client.transact(DB, [{ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['external_ids', 'insert', ['map', [['big', big]]]]] }]);
    const [select] = await client.transact(DB, [{ op: 'select', table: 'Bridge', where: [['name', '==', 'br0']], columns: ['external_ids'] }]);
    const pairs = (select.rows?.[0].external_ids as ['map', [string, string][]])[1];
    expect(pairs.find(([key]) => key === 'big')?.[1] === big).toBe(true);
    await client.transact(DB, [{ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['external_ids', 'delete', ['set', ['big']]]] }]);
  });

  it('a reply over maxFrameBytes is a protocol error (not retryable) that closes the connection', async () => {
    const small = await OvsdbClient.connect(server.unixRemote, { maxFrameBytes: 4096 });
    extraClients.push(small);
    const closed = nextEvent<[Error | undefined]>(small, 'close');
    const error = await small.getSchema(DB).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbProtocolError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/^unix:.*: message of \d+\+ bytes exceeds the 4096-byte limit$/) });
    const [cause] = await closed;
    expect(cause).toBe(error);
  });

  it('many requests pipelined on one connection all resolve, in any order', async () => {
    const replies = await Promise.all(Array.from({ length: 500 }, (_, i) => client.echo([i])));
    expect(replies.map(([i]) => i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

describe('monitor_cond_since on a clustered database', () => {
  it('resumes from the last txn id: found=true and only the changes made since', async () => {
    const server = await OvsdbTestServer.start({ clustered: true });
    const clients: OvsdbClient[] = [];
    try {
      // The server drops history that outweighs the database itself, so give it some weight.
      await server.vsctl(['add-br', 'seed', '--', 'set', 'bridge', 'seed', 'datapath_type=netdev', ...Array.from({ length: 60 }, (_, i) => `external_ids:k${i}=value-${i}`)]);
      const first = await OvsdbClient.connect(server.unixRemote);
      clients.push(first);
      const [found, txnId, initial] = await first.monitorCondSince(DB, 'r', { Bridge: { columns: ['name'] } });
      expect(found).toBe(false);
      expect(txnId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.values(initial.Bridge)).toEqual([{ initial: { name: 'seed' } }]);
      const update = nextEvent<[unknown, string, TableUpdates2]>(first, 'update3');
      await server.vsctl(['add-br', 'one', '--', 'set', 'bridge', 'one', 'datapath_type=netdev']);
      const [, lastSeen] = await update;
      expect(lastSeen).not.toBe(txnId);
      first.close();

      // Changes made while nobody watched.
      await server.vsctl(['add-br', 'two', '--', 'set', 'bridge', 'two', 'datapath_type=netdev']);
      await server.vsctl(['del-br', 'one']);

      const second = await OvsdbClient.connect(server.unixRemote);
      clients.push(second);
      const [resumed, newest, changes] = await second.monitorCondSince(DB, 'r', { Bridge: { columns: ['name'] } }, lastSeen);
      expect(resumed).toBe(true);
      expect(newest).not.toBe(lastSeen);
      const rows = Object.values(changes.Bridge);
      expect(rows).toHaveLength(2);
      expect(rows).toContainEqual({ insert: { name: 'two' } });
      expect(rows).toContainEqual({ delete: null });
    } finally {
      for (const c of clients) c.close();
      await server.dispose();
    }
  });
});

describe('OvsdbClient when the server dies', () => {
  it('fails in-flight requests with a retryable OvsdbDisconnectedError', async () => {
    const server = await OvsdbTestServer.start();
    const client = await OvsdbClient.connect(server.unixRemote);
    try {
      const blocked = client
        .transact(DB, [{ op: 'wait', table: 'Bridge', where: [['name', '==', 'x']], columns: ['name'], until: '==', rows: [{ name: 'x' }], timeout: 60_000 }])
        .catch((e: unknown) => e);
      const closed = nextEvent<[Error | undefined]>(client, 'close');
      await client.echo([]); // the wait is now registered server-side
      await server.kill();
      const error = (await blocked) as OvsdbDisconnectedError;
      expect(error).toBeInstanceOf(OvsdbDisconnectedError);
      expect(error.retryable).toBe(true);
      expect(error.method).toBe('transact');
      await closed;
      expect(client.closed).toBe(true);
      await expect(client.listDbs()).rejects.toBeInstanceOf(OvsdbDisconnectedError);
    } finally {
      client.close();
      await server.dispose();
    }
  });
});
