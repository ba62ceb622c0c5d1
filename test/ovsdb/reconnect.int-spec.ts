/**
 * ReconnectingOvsdbClient against real ovsdb-servers that get killed, restarted, frozen
 * (SIGSTOP) and told to drop their clients. Every server is removed in finally blocks.
 */
import { join } from 'node:path';
import { OvsdbClient, OvsdbDisconnectedError, ReconnectingOvsdbClient, ZERO_TXN_ID, type ConnectedInfo, type Operation, type TableUpdates2 } from '@ovs-fleet/ovsdb';
import { OvsdbTestServer } from '../support/ovsdb-server';

const DB = 'Open_vSwitch';

function nextEvent<T extends unknown[]>(emitter: { once(event: string, listener: (...args: T) => void): unknown }, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

const blockedWait: Operation = { op: 'wait', table: 'Bridge', where: [['name', '==', 'never']], columns: ['name'], until: '==', rows: [{ name: 'never' }], timeout: 60_000 };

async function withServer(options: Parameters<typeof OvsdbTestServer.start>[0], body: (server: OvsdbTestServer) => Promise<void>): Promise<void> {
  const server = await OvsdbTestServer.start(options);
  try {
    await body(server);
  } finally {
    await server.dispose();
  }
}

describe('ReconnectingOvsdbClient', () => {
  const clients: ReconnectingOvsdbClient[] = [];
  const make = (options: ConstructorParameters<typeof ReconnectingOvsdbClient>[0]) => {
    const client = new ReconnectingOvsdbClient(options);
    clients.push(client);
    return client;
  };
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('server killed and restarted: in-flight calls fail retryable, the client reconnects by itself', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote, backoff: { initialDelayMs: 50, maxDelayMs: 400 } });
      const connections: ConnectedInfo[] = [];
      rc.on('connected', (_client, info) => connections.push(info));
      const delays: number[] = [];
      rc.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
      await rc.start();
      expect(connections).toEqual([{ remote: server.unixRemote, reconnected: false }]);

      const inFlight = rc.transact(DB, [blockedWait]).catch((e: unknown) => e);
      await rc.echo([]);
      const disconnected = nextEvent<[Error | undefined]>(rc, 'disconnected');
      await server.kill();
      const error = (await inFlight) as OvsdbDisconnectedError;
      expect(error).toBeInstanceOf(OvsdbDisconnectedError);
      expect(error.retryable).toBe(true);
      await disconnected;

      // While down: the first retry was immediate, later ones back off.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(delays[0]).toBe(0);
      expect(delays.length).toBeGreaterThan(1);
      expect(rc.state).not.toBe('connected');

      const reconnected = nextEvent<[OvsdbClient, ConnectedInfo]>(rc, 'connected');
      await server.launch();
      const [, info] = await reconnected;
      expect(info).toEqual({ remote: server.unixRemote, reconnected: true });
      const [result] = await rc.transact(DB, [{ op: 'select', table: 'Open_vSwitch', where: [], columns: ['_uuid'] }]);
      expect(result.rows).toHaveLength(1);
    });
  });

  it('a request made while disconnected waits for the reconnection', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote, backoff: { initialDelayMs: 20, maxDelayMs: 100 } });
      await rc.start();
      await server.kill();
      await nextEvent(rc, 'disconnected');
      const pending = rc.listDbs({ timeoutMs: 20_000 });
      await server.launch();
      expect((await pending).sort()).toEqual(['Open_vSwitch', '_Server']);
    });
  });

  it('a request made while disconnected fails with a timeout if no connection comes', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote, backoff: { initialDelayMs: 20, maxDelayMs: 100 } });
      await rc.start();
      await server.kill();
      await nextEvent(rc, 'disconnected');
      await expect(rc.listDbs({ timeoutMs: 200 })).rejects.toMatchObject({ name: 'OvsdbTimeoutError', retryable: true });
    });
  });

  it('inactivity probe: a frozen server (SIGSTOP) is dropped, then reconnected when it thaws', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote, inactivityProbeMs: 400, backoff: { initialDelayMs: 50, maxDelayMs: 200 } });
      await rc.start();
      const pid = server.pid as number;
      const disconnected = nextEvent<[Error | undefined]>(rc, 'disconnected');
      process.kill(pid, 'SIGSTOP');
      try {
        const [reason] = await disconnected;
        expect(reason?.message).toMatch(/inactivity probe: no reply to echo within 400 ms/);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await nextEvent(rc, 'connected');
      expect(await rc.echo(['back'])).toEqual(['back']);
    });
  });

  it('an idle but healthy connection survives many probe intervals', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote, inactivityProbeMs: 300 });
      const client = await rc.start();
      let drops = 0;
      rc.on('disconnected', () => drops++);
      const quietSince = client.session.lastReceivedAt;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(drops).toBe(0);
      // Nothing but probe replies came in, and they kept coming.
      expect(client.session.lastReceivedAt - quietSince).toBeGreaterThan(1000);
      expect(rc.state).toBe('connected');
    });
  });

  it('tries remotes in turn: a dead first remote does not stop it reaching the second', async () => {
    await withServer({}, async (server) => {
      const dead = `unix:${join(server.dir, 'nobody-listens.sock')}`;
      const rc = make({ remotes: [dead, server.unixRemote] });
      const failures: string[] = [];
      rc.on('disconnected', (_error, remote) => failures.push(remote));
      const client = await rc.start({ timeoutMs: 10_000 });
      expect(failures).toEqual([dead]);
      expect(rc.remote).toBe(server.unixRemote);
      expect(await client.listDbs()).toContain(DB);
    });
  });

  it('onConnect hooks re-issue monitor_cond_since after a server-initiated disconnect and resume (found=true)', async () => {
    await withServer({ clustered: true, tcp: true }, async (server) => {
      // Enough rows that the server keeps recent history (it trims history larger than the database).
      await server.vsctl(['add-br', 'seed', '--', 'set', 'bridge', 'seed', 'datapath_type=netdev', ...Array.from({ length: 60 }, (_, i) => `external_ids:k${i}=value-${i}`)]);
      const rc = make({ remotes: server.tcpRemote });
      let lastTxnId: string | null = null;
      const resumes: { found: boolean; reconnected: boolean; updates: TableUpdates2 }[] = [];
      rc.on('update3', (_id, txnId) => {
        lastTxnId = txnId;
      });
      rc.onConnect(async (client, info) => {
        const [found, txnId, updates] = await client.monitorCondSince(DB, 'replica', { Bridge: { columns: ['name'] } }, lastTxnId);
        lastTxnId = txnId;
        resumes.push({ found, reconnected: info.reconnected, updates });
      });
      await rc.start();
      expect(resumes[0].found).toBe(false);
      expect(lastTxnId).not.toBe(ZERO_TXN_ID);

      const update = nextEvent(rc, 'update3');
      await server.vsctl(['add-br', 'after', '--', 'set', 'bridge', 'after', 'datapath_type=netdev']);
      await update;
      const seen = lastTxnId;

      const reconnected = nextEvent<[OvsdbClient, ConnectedInfo]>(rc, 'connected');
      await server.appctl(['ovsdb-server/reconnect']);
      await reconnected;
      expect(resumes).toHaveLength(2);
      expect(resumes[1]).toEqual({ found: true, reconnected: true, updates: {} });
      expect(lastTxnId).toBe(seen);
    });
  });

  it('leader-only: refuses a follower, connects to the leader, and follows leadership when it moves', async () => {
    const first = await OvsdbTestServer.start({ clustered: true });
    let second: OvsdbTestServer | undefined;
    try {
      second = await OvsdbTestServer.start({ joinCluster: first });
      const follower = second.unixRemote;
      const leader = first.unixRemote;
      const rc = make({ remotes: [follower, leader], leaderOnly: DB, backoff: { initialDelayMs: 50, maxDelayMs: 300 } });
      const refusals: [string, string | undefined][] = [];
      rc.on('disconnected', (error, remote) => refusals.push([remote, error?.message]));
      await rc.start({ timeoutMs: 15_000 });
      expect(rc.remote).toBe(leader);
      expect(refusals[0][0]).toBe(follower);
      expect(refusals[0][1]).toMatch(/not the leader of clustered database Open_vSwitch/);

      const onNewLeader = new Promise<void>((resolve) => {
        rc.on('connected', (_client, info) => {
          if (info.remote === follower) resolve();
        });
      });
      await first.appctl(['cluster/failure-test', 'transfer-leadership']);
      await onNewLeader;
      expect(rc.remote).toBe(follower);
      expect(await second.clusterStatus()).toMatch(/Role: leader/);
      await expect(rc.transact(DB, [{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] }])).resolves.toEqual([{ count: 1 }]);
    } finally {
      for (const client of clients.splice(0)) client.close();
      await second?.dispose();
      await first.dispose();
    }
  });

  it('leader-only accepts a standalone database and refuses a server that lacks the database', async () => {
    await withServer({}, async (server) => {
      const standalone = make({ remotes: server.unixRemote, leaderOnly: DB });
      await expect(standalone.start({ timeoutMs: 10_000 })).resolves.toBeDefined();

      const wrongDb = make({ remotes: server.unixRemote, leaderOnly: 'OVN_Northbound', backoff: { initialDelayMs: 20, maxDelayMs: 50 } });
      const reasons: string[] = [];
      wrongDb.on('disconnected', (error) => reasons.push(error?.message ?? ''));
      await expect(wrongDb.start({ timeoutMs: 500 })).rejects.toMatchObject({ name: 'OvsdbTimeoutError' });
      expect(reasons.length).toBeGreaterThan(1);
      expect(reasons[0]).toMatch(/does not serve database OVN_Northbound/);
    });
  });

  it('close() stops reconnecting and rejects waiters', async () => {
    await withServer({}, async (server) => {
      const rc = make({ remotes: server.unixRemote });
      await rc.start();
      await server.kill();
      await nextEvent(rc, 'disconnected');
      const waiting = rc.listDbs().catch((e: unknown) => e);
      rc.close();
      expect(await waiting).toMatchObject({ name: 'OvsdbClosedError', retryable: false });
      expect(rc.state).toBe('closed');
    });
  });
});
