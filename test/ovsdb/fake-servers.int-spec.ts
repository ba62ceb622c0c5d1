/**
 * The client against servers that are not ovsdb-server: one that accepts connections and
 * never answers, and ones that speak another protocol (SSH, HTTP). Each listens on a unix
 * socket in a temp dir, so nothing here touches the network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_IDL_CONNECT_TIMEOUT_MS,
  DEFAULT_INACTIVITY_PROBE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  OvsdbClient,
  OvsdbDisconnectedError,
  OvsdbIdl,
  OvsdbProtocolError,
  OvsdbTimeoutError,
} from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';

interface FakeServer {
  remote: string;
  /** Everything each connection sent, in order of connection. */
  received: string[];
  sockets: Socket[];
}

let dir: string;
const servers: Server[] = [];
const accepted: Socket[] = [];
const clients: { close(): void }[] = [];

function track<S extends Server>(server: S): S {
  servers.push(server);
  server.on('connection', (socket: Socket) => accepted.push(socket));
  return server;
}

beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovsdb-fake-'))));
afterEach(async () => {
  jest.useRealTimers();
  for (const client of clients.splice(0)) client.close();
  for (const socket of accepted.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A server on a unix socket; `onConnection` decides how (or whether) it answers. */
async function listen(onConnection: (socket: Socket) => void = () => undefined): Promise<FakeServer> {
  const path = join(dir, `fake-${servers.length}.sock`);
  const fake: FakeServer = { remote: `unix:${path}`, received: [], sockets: [] };
  const server = track(createServer((socket) => {
    const index = fake.received.push('') - 1;
    fake.sockets.push(socket);
    socket.on('data', (chunk) => (fake.received[index] += chunk.toString()));
    socket.on('error', () => undefined);
    onConnection(socket);
  }));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return fake;
}

/** Fake time for timeouts, real I/O for the sockets: each step lets pending I/O run. */
async function advance(ms: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    await jest.advanceTimersByTimeAsync(Math.min(stepMs, ms - elapsed));
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

const useFakeTime = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('a server that accepts the connection and never answers', () => {
  it('OvsdbClient: by default an echo goes out after 5 s of silence and the connection is dropped 5 s later; calls fail as retryable', async () => {
    const server = await listen();
    useFakeTime();
    const client = await OvsdbClient.connect(server.remote);
    clients.push(client);
    const listing = settled(client.listDbs());
    await advance(DEFAULT_INACTIVITY_PROBE_MS);
    expect(server.received[0]).toBe('{"id":1,"method":"list_dbs","params":[]}{"id":"echo","method":"echo","params":[]}');
    expect(client.closed).toBe(false);
    await advance(DEFAULT_INACTIVITY_PROBE_MS);
    const { error } = (await listing) as { error: OvsdbDisconnectedError };
    expect(error).toBeInstanceOf(OvsdbDisconnectedError);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(OvsdbTimeoutError);
    expect((error.cause as Error).message).toMatch(/inactivity probe: no reply to echo within 5000 ms$/);
    expect(client.closed).toBe(true);
  });

  it('OvsdbClient with the probe off: a request times out after DEFAULT_REQUEST_TIMEOUT_MS', async () => {
    const server = await listen();
    useFakeTime();
    const client = await OvsdbClient.connect(server.remote, { inactivityProbeMs: 0 });
    clients.push(client);
    const schema = settled(client.getSchema('Open_vSwitch'));
    await advance(DEFAULT_REQUEST_TIMEOUT_MS - 1000, 1000);
    expect(client.session.pendingCount).toBe(1);
    await advance(1000);
    expect((await schema) as { error: unknown }).toEqual({ error: expect.any(OvsdbTimeoutError) });
    expect(((await schema) as { error: OvsdbTimeoutError }).error).toMatchObject({ method: 'get_schema', timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS });
  });

  it('OvsdbClient: requestTimeoutMs and inactivityProbeMs are overridable', async () => {
    const server = await listen();
    const client = await OvsdbClient.connect(server.remote, { requestTimeoutMs: 200, inactivityProbeMs: 0 });
    clients.push(client);
    const started = Date.now();
    await expect(client.echo(['x'])).rejects.toMatchObject({ name: 'OvsdbTimeoutError', timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);

    const probed = await OvsdbClient.connect(server.remote, { inactivityProbeMs: 150 });
    clients.push(probed);
    const closed = new Promise<Error | undefined>((resolve) => probed.once('close', resolve));
    expect(await closed).toMatchObject({ name: 'OvsdbTimeoutError', message: expect.stringMatching(/no reply to echo within 150 ms$/) });
  });

  it('OvsdbIdl.connect gives up after DEFAULT_IDL_CONNECT_TIMEOUT_MS, having probed and reconnected meanwhile', async () => {
    const server = await listen();
    useFakeTime();
    const connecting = settled(OvsdbIdl.connect({ remote: server.remote, database: 'Open_vSwitch', schema: OpenVSwitchSchema }));
    await advance(DEFAULT_IDL_CONNECT_TIMEOUT_MS - 500);
    let done = false;
    void connecting.then(() => (done = true));
    await advance(0, 1);
    expect(done).toBe(false);
    await advance(1000);
    const outcome = (await connecting) as { error: OvsdbTimeoutError };
    expect(outcome.error).toBeInstanceOf(OvsdbTimeoutError);
    expect(outcome.error).toMatchObject({ method: 'connect', timeoutMs: DEFAULT_IDL_CONNECT_TIMEOUT_MS });
    // The silent connection was probed and dropped, then tried again.
    expect(server.received.length).toBeGreaterThanOrEqual(2);
    expect(server.received[0]).toContain('"method":"monitor_cond_since"');
    expect(server.received[0]).toContain('{"id":"echo","method":"echo","params":[]}');
  });

  it('OvsdbIdl.connect: connectTimeoutMs overrides the default', async () => {
    const server = await listen();
    const started = Date.now();
    await expect(OvsdbIdl.connect({ remote: server.remote, database: 'Open_vSwitch', schema: OpenVSwitchSchema, connectTimeoutMs: 300 })).rejects.toMatchObject({
      name: 'OvsdbTimeoutError',
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('a server that speaks another protocol', () => {
  const sshBanner = (socket: Socket) => socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');

  it('an SSH server: requests fail with a non-retryable OvsdbProtocolError naming it', async () => {
    const server = await listen(sshBanner);
    const client = await OvsdbClient.connect(server.remote);
    clients.push(client);
    const error = (await client.listDbs().catch((e: unknown) => e)) as OvsdbProtocolError;
    expect(error).toBeInstanceOf(OvsdbProtocolError);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('OVSDB_PROTOCOL');
    expect(error.message).toBe(`${server.remote}: the peer does not speak OVSDB JSON-RPC: it sent "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" (an SSH server?)`);
    await expect(client.echo([])).rejects.toBeInstanceOf(OvsdbProtocolError);
  });

  it('an HTTP server: the request fails with OvsdbProtocolError naming HTTP', async () => {
    const path = join(dir, 'http.sock');
    const http = track(createHttpServer((_req, res) => res.end('hello')));
    await new Promise<void>((resolve) => http.listen(path, resolve));
    const client = await OvsdbClient.connect(`unix:${path}`);
    clients.push(client);
    const error = (await client.listDbs().catch((e: unknown) => e)) as OvsdbProtocolError;
    expect(error).toBeInstanceOf(OvsdbProtocolError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/the peer does not speak OVSDB JSON-RPC: it sent "HTTP\/1\.1 400 Bad Request" \(an HTTP server\?\)$/);
  });

  it('OvsdbIdl.connect to an SSH server fails at once with the protocol error, without waiting for its timeout', async () => {
    const server = await listen(sshBanner);
    const started = Date.now();
    const error = await OvsdbIdl.connect({ remote: server.remote, database: 'Open_vSwitch', schema: OpenVSwitchSchema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbProtocolError);
    expect((error as Error).message).toMatch(/\(an SSH server\?\)$/);
    expect(Date.now() - started).toBeLessThan(DEFAULT_IDL_CONNECT_TIMEOUT_MS / 3);
  });
});
