import { Duplex } from 'node:stream';
import { DEFAULT_INACTIVITY_PROBE_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../defaults';
import { OvsdbCancelledError, OvsdbDisconnectedError, OvsdbProtocolError, OvsdbRpcError, OvsdbTimeoutError } from '../errors';
import type { DeferredParams } from './deferred-json';
import { JsonRpcSession } from './jsonrpc-session';
import { fakePeer } from './testing/fake-peer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('JsonRpcSession', () => {
  it('numbers requests, matches replies by id in any order', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const a = session.request('list_dbs', []);
    const b = session.request('echo', [1]);
    await tick();
    const [first, second] = peer.sent();
    expect(first).toEqual({ id: 1, method: 'list_dbs', params: [] });
    expect(second).toEqual({ id: 2, method: 'echo', params: [1] });
    peer.deliver({ id: 2, result: [1], error: null });
    peer.deliver({ id: 1, result: ['Open_vSwitch'], error: null });
    await expect(a).resolves.toEqual(['Open_vSwitch']);
    await expect(b).resolves.toEqual([1]);
    expect(session.pendingCount).toBe(0);
  });

  it('writes all requests made in one tick with a single write', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    for (let i = 0; i < 64; i++) void session.request('echo', [i]).catch(() => undefined);
    await tick();
    expect(peer.writes).toHaveLength(1);
    expect(peer.sent()).toHaveLength(64);
    session.close();
  });

  it('hands on notifications of a method registered with deferParams unparsed when in ovsdb-server layout, parsed otherwise', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    session.deferParams('update2', 1);
    const deferred: [string, readonly string[], number][] = [];
    const parsed: unknown[] = [];
    session.on('deferred-notification', (method, params) => deferred.push([method, params.leading, params.last.pendingLength]));
    session.on('notification', (method, params) => parsed.push([method, params]));
    peer.deliver('{"id":null,"method":"update2","params":["m",{"T":{}}]}');
    peer.deliver({ method: 'update2', params: ['m', { T: {} }], id: null });
    peer.deliver({ id: null, method: 'update', params: ['m', { T: {} }] });
    await tick();
    expect(deferred).toEqual([['update2', ['m'], '{"T":{}}'.length]]);
    expect(parsed).toEqual([
      ['update2', ['m', { T: {} }]],
      ['update', ['m', { T: {} }]],
    ]);
  });

  it('closes the connection with a protocol error naming the remote when a deferred param turns out not to parse, as when a message does not parse', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { remote: 'unix:/x' });
    session.deferParams('update2', 1);
    const deferred: DeferredParams[] = [];
    session.on('deferred-notification', (_method, params) => deferred.push(params));
    const closed = new Promise<Error | undefined>((resolve) => session.once('close', resolve));
    peer.deliver('{"id":null,"method":"update2","params":["m",{"T":{},}]}');
    await tick();
    expect(session.closed).toBe(false);
    expect(() => deferred[0].last.value).toThrow(OvsdbProtocolError);
    const cause = await closed;
    expect(cause).toBeInstanceOf(OvsdbProtocolError);
    expect(cause!.message).toMatch(/^unix:\/x: invalid JSON/);
  });

  it('answers the server\'s echo by itself and emits notifications', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const notifications: unknown[] = [];
    session.on('notification', (method, params) => notifications.push([method, params]));
    peer.deliver({ id: 'echo', method: 'echo', params: ['x'] });
    peer.deliver({ id: null, method: 'update2', params: ['m', { T: {} }] });
    await tick();
    expect(peer.sent()).toEqual([{ id: 'echo', result: ['x'], error: null }]);
    expect(notifications).toEqual([['update2', ['m', { T: {} }]]]);
  });

  it('replies "unknown method" to other server requests nobody handles', async () => {
    const peer = fakePeer();
    new JsonRpcSession(peer.stream);
    peer.deliver({ id: 7, method: 'frobnicate', params: [] });
    await tick();
    expect(peer.sent()).toEqual([{ id: 7, result: null, error: { error: 'unknown method', details: 'frobnicate' } }]);
  });

  it('turns an error reply into OvsdbRpcError', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const pending = session.request('get_schema', ['Nope']);
    peer.deliver({ id: 1, result: null, error: { error: 'unknown database', details: 'Nope' } });
    const error = (await pending.catch((e: unknown) => e)) as OvsdbRpcError;
    expect(error).toBeInstanceOf(OvsdbRpcError);
    expect(error.errorName).toBe('unknown database');
    expect(error.message).toBe('"get_schema" failed: unknown database: Nope');
  });

  it('a request with check resolves with what check makes of the result, rejects with what it throws; an error reply skips it', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const seen: unknown[] = [];
    const check = (result: unknown) => {
      seen.push(result);
      if (!Array.isArray(result)) throw new OvsdbProtocolError('not an array');
      return result.length;
    };
    const counted = session.request('transact', ['db'], {}, undefined, check);
    const refused = session.request('transact', ['db'], {}, undefined, check);
    const failed = session.request('transact', ['db'], {}, undefined, check);
    peer.deliver({ id: 1, result: [{}, {}], error: null });
    peer.deliver({ id: 2, result: 'nope', error: null });
    peer.deliver({ id: 3, result: null, error: { error: 'syntax error' } });
    await expect(counted).resolves.toBe(2);
    await expect(refused).rejects.toThrow(new OvsdbProtocolError('not an array'));
    await expect(failed).rejects.toBeInstanceOf(OvsdbRpcError);
    expect(seen).toEqual([[{}, {}], 'nope']);
    // What check threw was the request's, not the connection's.
    expect(session.closed).toBe(false);
    const next = session.request('echo', []);
    peer.deliver({ id: 4, result: [], error: null });
    await expect(next).resolves.toEqual([]);
    session.close();
  });

  it('times out a request, tells onGiveUp, and ignores the late reply as an orphan', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { requestTimeoutMs: 1000 });
    const gaveUp: unknown[] = [];
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    let pending: Promise<unknown>;
    try {
      pending = session.request('transact', ['db'], { onGiveUp: (id) => gaveUp.push(id) }).catch((e: unknown) => e);
      jest.advanceTimersByTime(999);
      expect(session.pendingCount).toBe(1);
      jest.advanceTimersByTime(1);
    } finally {
      jest.useRealTimers();
    }
    const error = (await pending) as OvsdbTimeoutError;
    expect(error).toBeInstanceOf(OvsdbTimeoutError);
    expect(error.timeoutMs).toBe(1000);
    expect(gaveUp).toEqual([1]);
    const orphans: unknown[] = [];
    session.on('orphan-reply', (id) => orphans.push(id));
    peer.deliver({ id: 1, result: [], error: null });
    await tick();
    expect(orphans).toEqual([1]);
  });

  it('cancels via AbortSignal, before or after sending', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const controller = new AbortController();
    const gaveUp: unknown[] = [];
    const pending = session.request('transact', ['db'], { signal: controller.signal, onGiveUp: (id) => gaveUp.push(id) });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toBeInstanceOf(OvsdbCancelledError);
    expect(gaveUp).toEqual([1]);
    await expect(session.request('echo', [], { signal: controller.signal })).rejects.toBeInstanceOf(OvsdbCancelledError);
    await tick();
    expect(peer.sent().map((m: { method: string }) => m.method)).toEqual(['transact']);
  });

  it('rejects every in-flight request with a retryable OvsdbDisconnectedError on close', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { remote: 'unix:/x' });
    const pending = [session.request('transact', []), session.request('echo', [])].map((p) => p.catch((e: unknown) => e));
    const closed = new Promise((resolve) => session.once('close', resolve));
    peer.stream.push(null); // the peer hung up
    await closed;
    const errors = (await Promise.all(pending)) as OvsdbDisconnectedError[];
    expect(errors.map((e) => [e.constructor, e.retryable, e.method])).toEqual([
      [OvsdbDisconnectedError, true, 'transact'],
      [OvsdbDisconnectedError, true, 'echo'],
    ]);
    expect(errors[0].message).toBe('unix:/x: connection closed before the reply to "transact" arrived');
    await expect(session.request('echo', [])).rejects.toBeInstanceOf(OvsdbDisconnectedError);
  });

  it('closes the connection on a protocol error, with the cause attached', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const pending = session.request('echo', []).catch((e: unknown) => e);
    const closed = new Promise<Error | undefined>((resolve) => session.once('close', resolve));
    peer.deliver('{"id":1,"result":[]} garbage');
    // The reply before the garbage still counts.
    expect(await pending).toEqual([]);
    expect(await closed).toBeInstanceOf(OvsdbProtocolError);
    expect(session.closed).toBe(true);
  });

  it('refuses messages that are neither requests nor replies', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const closed = new Promise<Error | undefined>((resolve) => session.once('close', resolve));
    peer.deliver({ hello: 'world' });
    expect(await closed).toBeInstanceOf(OvsdbProtocolError);
  });

  it('close() writes what is queued, then ends the stream; later requests fail at once', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream);
    const pending = session.request('echo', ['last']).catch((e: unknown) => e);
    let ended = false;
    peer.stream.on('finish', () => {
      ended = true;
    });
    session.close();
    expect(session.closed).toBe(true);
    await expect(session.request('echo', [])).rejects.toBeInstanceOf(OvsdbDisconnectedError);
    await tick();
    expect(peer.sent()).toEqual([{ id: 1, method: 'echo', params: ['last'] }]);
    expect(ended).toBe(true);
    peer.stream.push(null); // the server hangs up in turn
    expect(await pending).toBeInstanceOf(OvsdbDisconnectedError);
  });

  it('holds writes while the stream needs draining, then sends them in one write', async () => {
    const writes: string[] = [];
    let release: (() => void) | undefined;
    const stream = new Duplex({
      read() {},
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString());
        release = callback; // the peer reads only when told to
      },
    });
    const session = new JsonRpcSession(stream);
    void session.request('echo', ['x'.repeat(64)]).catch(() => undefined);
    await tick();
    expect(writes).toHaveLength(1);
    for (let i = 0; i < 10; i++) void session.request('echo', [i]).catch(() => undefined);
    await tick();
    expect(writes).toHaveLength(1); // held back: the first write is not consumed yet
    release?.();
    await tick();
    expect(writes).toHaveLength(2);
    expect(writes[1].match(/"method":"echo"/g)).toHaveLength(10);
    session.close(new Error('done'));
  });

  it('reports a peer that speaks another protocol as a protocol error, not as a retryable disconnect', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { remote: 'tcp:203.0.113.5:22' });
    const inFlight = session.request('list_dbs', []).catch((e: unknown) => e);
    const closed = new Promise<Error | undefined>((resolve) => session.once('close', resolve));
    peer.deliver('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
    const cause = await closed;
    const error = (await inFlight) as OvsdbProtocolError;
    expect(error).toBeInstanceOf(OvsdbProtocolError);
    expect(error).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('tcp:203.0.113.5:22: the peer does not speak OVSDB JSON-RPC: it sent "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" (an SSH server?)');
    await expect(session.request('echo', [])).rejects.toBe(error);
  });
});

describe('JsonRpcSession timeouts and inactivity probe', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const probes = (peer: ReturnType<typeof fakePeer>) => peer.sent().filter((m: { id?: unknown }) => m.id === 'echo');

  it('by default, a request without a reply times out after DEFAULT_REQUEST_TIMEOUT_MS', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { inactivityProbeMs: 0 });
    const pending = session.request('get_schema', ['Open_vSwitch']).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(DEFAULT_REQUEST_TIMEOUT_MS - 1);
    expect(session.pendingCount).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ name: 'OvsdbTimeoutError', method: 'get_schema', timeoutMs: 60_000, retryable: true });
    session.close(new Error('done'));
  });

  it('requestTimeoutMs overrides the default; 0 waits for ever', async () => {
    const peer = fakePeer();
    const quick = new JsonRpcSession(peer.stream, { requestTimeoutMs: 250, inactivityProbeMs: 0 });
    const pending = quick.request('echo', []).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(250);
    expect(await pending).toBeInstanceOf(OvsdbTimeoutError);

    const patient = new JsonRpcSession(fakePeer().stream, { requestTimeoutMs: 0, inactivityProbeMs: 0 });
    let settled = false;
    const waiting = patient.request('echo', []).then(
      () => (settled = true),
      () => (settled = true),
    );
    await jest.advanceTimersByTimeAsync(24 * 3600_000);
    expect(settled).toBe(false);
    patient.close(new Error('done'));
    await waiting;
  });

  it('requests with different timeouts each time out at their own deadline, whatever order they were made in', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { requestTimeoutMs: 1000, inactivityProbeMs: 0 });
    const settled: string[] = [];
    const track = (name: string, promise: Promise<unknown>) => promise.then(
      () => settled.push(`${name} ok`),
      (error: unknown) => settled.push(`${name} ${(error as Error).name}`),
    );
    const slow = track('slow', session.request('echo', [])); // id 1, 1000 ms
    const quick = track('quick', session.request('echo', [], { timeoutMs: 200 })); // id 2
    const answered = track('answered', session.request('echo', [], { timeoutMs: 100 })); // id 3
    peer.deliver({ id: 3, result: [], error: null });
    await jest.advanceTimersByTimeAsync(199);
    expect(settled).toEqual(['answered ok']);
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toEqual(['answered ok', 'quick OvsdbTimeoutError']);
    const later = track('later', session.request('echo', [], { timeoutMs: 500 })); // made at 200 ms: due at 700
    await jest.advanceTimersByTimeAsync(499);
    expect(settled).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toEqual(['answered ok', 'quick OvsdbTimeoutError', 'later OvsdbTimeoutError']);
    await jest.advanceTimersByTimeAsync(299);
    expect(session.pendingCount).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await Promise.all([slow, quick, answered, later]);
    expect(settled).toEqual(['answered ok', 'quick OvsdbTimeoutError', 'later OvsdbTimeoutError', 'slow OvsdbTimeoutError']);
    session.close(new Error('done'));
  });

  it('by default, sends echo after 5 s of silence and drops the connection when nothing comes back within 5 s more', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { remote: 'unix:/x' });
    const pending = session.request('transact', ['Open_vSwitch']).catch((e: unknown) => e);
    const closed = new Promise<Error | undefined>((resolve) => session.once('close', resolve));
    await jest.advanceTimersByTimeAsync(DEFAULT_INACTIVITY_PROBE_MS - 1);
    expect(probes(peer)).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(probes(peer)).toEqual([{ id: 'echo', method: 'echo', params: [] }]);
    expect(session.closed).toBe(false);
    await jest.advanceTimersByTimeAsync(DEFAULT_INACTIVITY_PROBE_MS);
    const cause = await closed;
    expect(cause).toBeInstanceOf(OvsdbTimeoutError);
    expect(cause?.message).toBe('unix:/x: inactivity probe: no reply to echo within 5000 ms');
    const error = (await pending) as OvsdbDisconnectedError;
    expect(error).toBeInstanceOf(OvsdbDisconnectedError);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('a peer that answers the probe keeps the connection, and the reply is not an orphan', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { inactivityProbeMs: 1000 });
    const orphans: unknown[] = [];
    session.on('orphan-reply', (id) => orphans.push(id));
    for (let round = 1; round <= 5; round++) {
      await jest.advanceTimersByTimeAsync(1000);
      expect(probes(peer)).toHaveLength(round);
      peer.deliver({ id: 'echo', result: [], error: null });
      await jest.advanceTimersByTimeAsync(0);
    }
    await jest.advanceTimersByTimeAsync(999);
    expect(session.closed).toBe(false);
    expect(orphans).toEqual([]);
    session.close(new Error('done'));
  });

  it('anything received counts as life: a busy connection is never probed', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { inactivityProbeMs: 1000 });
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(600);
      peer.deliver({ id: null, method: 'update2', params: ['m', {}] });
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(probes(peer)).toEqual([]);
    expect(session.closed).toBe(false);
    session.close(new Error('done'));
  });

  it('inactivityProbeMs: 0 never probes', async () => {
    const peer = fakePeer();
    const session = new JsonRpcSession(peer.stream, { inactivityProbeMs: 0 });
    await jest.advanceTimersByTimeAsync(3600_000);
    expect(probes(peer)).toEqual([]);
    expect(session.closed).toBe(false);
    session.close(new Error('done'));
  });
});
