import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { DEFAULT_INACTIVITY_PROBE_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../defaults';
import { OvsdbCancelledError, OvsdbDisconnectedError, OvsdbError, OvsdbProtocolError, OvsdbRpcError, OvsdbTimeoutError } from '../errors';
import { splitNotification, type DeferredParams } from './deferred-json';
import { FrameParserOptions, JsonFrameParser } from './framing';
import type { JsonRpcId } from './wire';

export interface JsonRpcSessionOptions extends FrameParserOptions {
  /** Names the peer in error messages (e.g. the remote string). */
  remote?: string;
  /** Default per-request timeout in ms (default DEFAULT_REQUEST_TIMEOUT_MS, 60 s); 0: none. */
  requestTimeoutMs?: number;
  /**
   * Send `echo` after this many ms without receiving anything, and drop the connection if
   * nothing arrives within as long again (default DEFAULT_INACTIVITY_PROBE_MS, 5 s, as
   * OVS's clients do); 0: never probe.
   */
  inactivityProbeMs?: number;
}

/** The id of our inactivity probes, as OVS's clients spell it; ours are numbers otherwise, and the reply is not waited for. */
const PROBE_ID = 'echo';

export interface RequestOptions {
  /** Overrides the session's default timeout; 0: none. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the request id when the caller gives up (abort or timeout), e.g. to send OVSDB `cancel`. */
  onGiveUp?: (id: JsonRpcId) => void;
}

export interface JsonRpcSessionEvents {
  /** A JSON-RPC notification (id null) from the peer. */
  notification: [method: string, params: unknown[]];
  /**
   * A notification of a method registered with `deferParams`, its last param not parsed
   * yet; emitted instead of `notification` when the message has the shape ovsdb-server
   * writes (see splitNotification), else the message goes to `notification` parsed.
   */
  'deferred-notification': [method: string, params: DeferredParams];
  /** A request from the peer other than `echo` (answered automatically). Reply with `session.reply`. */
  request: [method: string, params: unknown[], id: JsonRpcId];
  /** A reply whose request was already given up (timed out or cancelled). */
  'orphan-reply': [id: JsonRpcId, result: unknown, error: unknown];
  /** The connection is gone; every pending request has been rejected. `error`: why, if not a clean close. */
  close: [error: Error | undefined];
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timeoutMs: number;
  /** performance.now() by which the reply is due; Infinity: no timeout. */
  deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  onGiveUp: ((id: JsonRpcId) => void) | undefined;
  /** The caller's own `options.onGiveUp`, called after `onGiveUp`. */
  onGiveUpToo: ((id: JsonRpcId) => void) | undefined;
  /** Turns the reply's `result` into what the request resolves with; what it throws, the request rejects with. */
  check: ((result: unknown) => unknown) | undefined;
}

const unset = (): void => undefined;
function resolveChecked(entry: Pending, result: unknown): void {
  let checked: unknown;
  try {
    checked = entry.check!(result);
  } catch (error) {
    entry.reject(error as Error);
    return;
  }
  entry.resolve(checked);
}

/** The request whose promise is being made: takeSettlers, one executor for every request, hands it resolve and reject. */
let settlersFor: Pending | undefined;
function takeSettlers(resolve: (result: never) => void, reject: (error: Error) => void): void {
  settlersFor!.resolve = resolve as (result: unknown) => void;
  settlersFor!.reject = reject;
  settlersFor = undefined;
}

/**
 * JSON-RPC 1.0 over one OVSDB connection: numbered requests matched to replies, peer
 * notifications as events, `echo` answered by itself, an idle peer probed with `echo`.
 * Outgoing messages are gathered for the current tick and written at once, so pipelining
 * many requests costs one write.
 */
export class JsonRpcSession extends EventEmitter<JsonRpcSessionEvents> {
  readonly remote: string | undefined;
  private readonly parser: JsonFrameParser;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private readonly defaultTimeoutMs: number;
  private readonly probeMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  /** Date.now() when the unanswered probe was sent. */
  private probeSentAt: number | undefined;
  private nextId = 1;
  private outbox: string[] = [];
  private flushScheduled = false;
  /** flush() as a callback, made once rather than per message. */
  private readonly flushQueued = (): void => this.flush();
  private closeError: Error | undefined;
  private isClosed = false;
  private closing = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private awaitingDrain = false;
  /**
   * One timer for every request's timeout, armed for the earliest deadline in flight (a
   * timer per request cost more than the rest of a request's bookkeeping). It holds the
   * event loop open only while some request with a timeout is pending, as per-request
   * timers did.
   */
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineAt = Infinity;
  private timedPending = 0;
  /** Methods whose notifications are handed on with their last param unparsed, by their count of leading string params (deferParams). */
  private readonly deferredMethods = new Map<string, number>();
  /** Closes the connection on a broken message (a protocol error names the remote). */
  private readonly failed = (error: Error): void => {
    const named = error instanceof OvsdbProtocolError && this.remote ? new OvsdbProtocolError(`${this.remote}: ${error.message}`, { cause: error }) : error;
    this.close(named);
  };
  /** Date.now() of the last bytes received: feeds the inactivity probe. */
  lastReceivedAt = Date.now();

  constructor(
    private readonly stream: Duplex,
    options: JsonRpcSessionOptions = {},
  ) {
    super();
    this.remote = options.remote;
    this.defaultTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.probeMs = options.inactivityProbeMs ?? DEFAULT_INACTIVITY_PROBE_MS;
    this.parser = new JsonFrameParser(
      (message) => this.dispatch(message),
      options,
      (text) => this.claimNotification(text),
    );
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', (error) => {
      this.closeError ??= error;
    });
    stream.on('end', () => stream.destroy());
    stream.on('close', () => this.finish());
    if (this.probeMs > 0) this.scheduleProbe(this.probeMs);
  }

  /** True once close() was called or the connection ended: no more requests are accepted. */
  get closed(): boolean {
    return this.isClosed || this.closing;
  }

  /** Requests awaiting their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends a request and resolves with its `result`; rejects with OvsdbRpcError on an `error`
   * reply. `onGiveUp`, for a layer above the session (e.g. OVSDB's `cancel`), is called
   * like `options.onGiveUp` and before it, without the caller building new options.
   * `check`, when given, is called with the reply's `result` as it is dispatched: the
   * request resolves with what it returns, or rejects with what it throws (a layer above
   * that checks a reply this way adds no promise of its own, so its caller resumes sooner).
   */
  request<T = unknown>(
    method: string,
    params: unknown[],
    options: RequestOptions = {},
    onGiveUp?: (id: JsonRpcId) => void,
    check?: (result: unknown) => T,
  ): Promise<T> {
    if (this.isClosed || this.closing) return Promise.reject(this.closedError(method));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new OvsdbCancelledError(method, signal.reason));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    const entry: Pending = { method, resolve: unset, reject: unset, timeoutMs, deadline, signal, onAbort: undefined, onGiveUp, onGiveUpToo: options.onGiveUp, check };
    settlersFor = entry;
    const promise = new Promise<T>(takeSettlers);
    try {
      if (signal) {
        entry.onAbort = () => this.giveUp(id, new OvsdbCancelledError(method, signal.reason));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(id, entry);
      if (deadline !== Infinity) this.watchDeadline(deadline);
      this.send({ id, method, params });
    } catch (error) {
      // As when this ran inside the executor: the request's promise rejects, nothing is thrown.
      entry.reject(error as Error);
    }
    return promise;
  }

  /**
   * Notifications of `method` whose params are `leading` strings then one value are
   * emitted as `deferred-notification`, that value parsed only when read: its consumer can
   * put the parse off (e.g. until after its next request is sent). Only for messages in
   * ovsdb-server's own layout; any other goes to `notification`, parsed. A value that
   * turns out not to parse closes the connection then, with the protocol error a message
   * that does not parse gets at once.
   */
  deferParams(method: string, leading: number): void {
    this.deferredMethods.set(method, leading);
  }

  /** Sends a notification (no reply expected). Dropped silently once closed. */
  notify(method: string, params: unknown[]): void {
    if (!this.isClosed && !this.closing) this.send({ id: null, method, params });
  }

  /** Answers a peer's request. */
  reply(id: JsonRpcId, result: unknown, error: unknown = null): void {
    if (!this.isClosed && !this.closing) this.send({ id, result, error });
  }

  /**
   * Closes the connection. Without `error`, what is queued is written first (the peer gets
   * a clean end; a peer that neither reads nor hangs up is cut after a second). With
   * `error` (a protocol violation, a failed probe), the connection is cut at once and
   * `error` becomes the cause of the disconnection. Pending requests fail as disconnected.
   */
  close(error?: Error): void {
    if (this.isClosed) return;
    if (error) {
      this.closeError ??= error;
      this.stream.destroy();
      return;
    }
    if (this.closing) return;
    this.closing = true;
    this.flush(true);
    this.stream.end();
    this.closeTimer = setTimeout(() => this.stream.destroy(), 1000);
    this.closeTimer.unref();
  }

  private send(message: object): void {
    this.outbox.push(JSON.stringify(message));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushQueued);
    }
  }

  private flush(force = false): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0 || this.stream.destroyed) return;
    if (this.stream.writableNeedDrain && !force) {
      // Backpressure: keep gathering until the peer has read what we wrote.
      if (!this.awaitingDrain) {
        this.awaitingDrain = true;
        this.stream.once('drain', () => {
          this.awaitingDrain = false;
          this.flush();
        });
      }
      return;
    }
    const data = this.outbox.length === 1 ? this.outbox[0] : this.outbox.join('');
    this.outbox = [];
    this.stream.write(data);
  }

  private receive(chunk: Buffer): void {
    this.lastReceivedAt = Date.now();
    try {
      this.parser.push(chunk);
    } catch (error) {
      this.failed(error as Error);
    }
  }

  /**
   * Why a request cannot be answered on a closed connection: a broken protocol (the peer
   * does not speak OVSDB, or sent garbage) is not worth a retry; anything else is a
   * disconnection, retryable.
   */
  private closedError(method: string): Error {
    if (this.closeError instanceof OvsdbProtocolError) return this.closeError;
    return new OvsdbDisconnectedError(method, this.remote, { cause: this.closeError });
  }

  private scheduleProbe(delayMs: number): void {
    this.probeTimer = setTimeout(() => this.probe(), delayMs);
    // The connection itself keeps the process alive, not its probe.
    this.probeTimer.unref();
  }

  /** OVS's inactivity probe: anything received counts as an answer, not only the echo reply. */
  private probe(): void {
    this.probeTimer = undefined;
    if (this.closed) return;
    if (this.probeSentAt !== undefined) {
      if (this.lastReceivedAt < this.probeSentAt) {
        const where = this.remote ? `${this.remote}: ` : '';
        this.close(new OvsdbTimeoutError('echo', this.probeMs, `${where}inactivity probe: no reply to echo within ${this.probeMs} ms`));
        return;
      }
      this.probeSentAt = undefined;
    }
    const idleMs = Date.now() - this.lastReceivedAt;
    if (idleMs < this.probeMs) {
      this.scheduleProbe(this.probeMs - idleMs);
      return;
    }
    this.probeSentAt = Date.now();
    this.send({ id: PROBE_ID, method: 'echo', params: [] });
    this.scheduleProbe(this.probeMs);
  }

  private claimNotification(text: string): boolean {
    if (this.deferredMethods.size === 0) return false;
    const split = splitNotification(text, this.deferredMethods, this.failed);
    if (split === undefined) return false;
    this.emit('deferred-notification', split.method, split.params);
    return true;
  }

  private dispatch(message: unknown): void {
    const { id, method, params, result, error } = message as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    if (typeof method === 'string') {
      if (!Array.isArray(params)) throw new OvsdbProtocolError(`"${method}" message without a params array`);
      if (id === null || id === undefined) {
        this.emit('notification', method, params);
      } else if (method === 'echo') {
        this.reply(id as JsonRpcId, params);
      } else if (this.listenerCount('request') > 0) {
        this.emit('request', method, params, id as JsonRpcId);
      } else {
        this.reply(id as JsonRpcId, null, { error: 'unknown method', details: method });
      }
      return;
    }
    if (typeof id !== 'number' && typeof id !== 'string') throw new OvsdbProtocolError(`message is neither a request nor a reply: ${JSON.stringify(message).slice(0, 200)}`);
    const entry = this.pending.get(id);
    if (!entry) {
      if (id === PROBE_ID) return; // the probe's reply: receiving it was the point
      this.emit('orphan-reply', id, result, error);
      return;
    }
    this.settle(id, entry);
    if (error !== null && error !== undefined) entry.reject(new OvsdbRpcError(entry.method, error));
    else if (entry.check === undefined) entry.resolve(result);
    else resolveChecked(entry, result);
  }

  private giveUp(id: JsonRpcId, error: OvsdbError): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.settle(id, entry);
    entry.reject(error);
    if (this.closed) return;
    entry.onGiveUp?.(id);
    entry.onGiveUpToo?.(id);
  }

  private settle(id: JsonRpcId, entry: Pending): void {
    this.pending.delete(id);
    if (entry.deadline !== Infinity && --this.timedPending === 0) this.deadlineTimer?.unref();
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
  }

  /** A request with this deadline is pending: the timer must fire by then, and hold the loop open. */
  private watchDeadline(deadline: number): void {
    if (++this.timedPending === 1) this.deadlineTimer?.ref();
    if (deadline < this.deadlineAt) this.armDeadline(deadline);
  }

  private armDeadline(deadline: number): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineAt = deadline;
    this.deadlineTimer = setTimeout(() => this.expireRequests(), Math.max(0, Math.ceil(deadline - performance.now())));
  }

  /** Gives up every request past its deadline (in the order they were made) and re-arms for the next one. */
  private expireRequests(): void {
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, entry] of this.pending) {
      if (entry.deadline <= now) this.giveUp(id, new OvsdbTimeoutError(entry.method, entry.timeoutMs));
      else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity && !this.isClosed) this.armDeadline(next);
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.outbox = [];
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    for (const [id, entry] of this.pending) {
      this.settle(id, entry);
      entry.reject(this.closedError(entry.method));
    }
    this.emit('close', this.closeError);
  }
}
