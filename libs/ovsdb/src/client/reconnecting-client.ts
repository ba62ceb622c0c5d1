import { EventEmitter } from 'node:events';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../defaults';
import { OvsdbCancelledError, OvsdbClosedError, OvsdbError, OvsdbTimeoutError } from '../errors';
import type { RequestOptions } from '../protocol/jsonrpc-session';
import type { DatabaseSchema, Operation, OperationResult } from '../protocol/wire';
import { parseRemote } from '../transport/remote';
import { Backoff, BackoffOptions } from './backoff';
import { LeaderWatch, requireLeader } from './leadership';
import { OvsdbClient, OvsdbClientEvents, OvsdbClientOptions, TransactOptions } from './ovsdb-client';

export interface ReconnectingClientOptions extends OvsdbClientOptions {
  /** One remote or several (e.g. the members of a cluster), tried in turn. */
  remotes: string | readonly string[];
  backoff?: BackoffOptions;
  /**
   * Only stay connected to a server where this clustered database has the raft leader
   * (checked in `_Server`'s `Database` table on connect and watched afterwards). A
   * standalone database always qualifies.
   */
  leaderOnly?: string;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

export interface ConnectedInfo {
  remote: string;
  /** False for the first connection of this client, true afterwards. */
  reconnected: boolean;
}

/** The server's notifications, forwarded from whichever connection is current (forwardNotifications). */
type ForwardedEvents = Pick<OvsdbClientEvents, 'update' | 'update2' | 'update3' | 'locked' | 'stolen' | 'monitor_canceled'>;

export interface ReconnectingClientEvents extends ForwardedEvents {
  /** Connected and every onConnect hook has run. */
  connected: [client: OvsdbClient, info: ConnectedInfo];
  /** The connection was lost (or refused); in-flight requests failed with a retryable error. */
  disconnected: [error: Error | undefined, remote: string];
  /** The next attempt is scheduled. */
  reconnecting: [info: { remote: string; delayMs: number; attempt: number }];
}

/** Runs on every (re)connection before it is handed out: re-issue monitors, re-take locks. */
export type ConnectHook = (client: OvsdbClient, info: ConnectedInfo) => Promise<void> | void;

interface Waiter {
  resolve: (client: OvsdbClient) => void;
  reject: (error: Error) => void;
}

/**
 * Keeps one OvsdbClient connected: reconnects with jittered exponential backoff (the
 * first retry after a peer drop is immediate), rotates over several remotes and,
 * optionally, stays only on a cluster's leader. Each connection probes an idle peer with
 * `echo` (`inactivityProbeMs`); a probe that goes unanswered counts as a failed attempt.
 *
 * In-flight requests are not replayed: they fail with a retryable error, since a
 * transaction may or may not have committed. Monitors and locks belong in onConnect
 * hooks, which run on every connection before callers get it (a replica re-issues its
 * monitor_cond_since there with its last txn id).
 */
export class ReconnectingOvsdbClient extends EventEmitter<ReconnectingClientEvents> {
  private readonly remotes: readonly string[];
  private readonly backoff: Backoff;
  private readonly hooks: ConnectHook[] = [];
  private current: OvsdbClient | undefined;
  private currentRemote = '';
  private remoteIndex = 0;
  private failuresThisRound = 0;
  private everConnected = false;
  private connectionState: ConnectionState = 'idle';
  private waiters: Waiter[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private leaderWatch: LeaderWatch | undefined;
  /** Why we are closing the current connection ourselves; undefined: the peer dropped it. */
  private ownCloseReason: Error | undefined;

  constructor(private readonly options: ReconnectingClientOptions) {
    super();
    this.remotes = typeof options.remotes === 'string' ? [options.remotes] : [...options.remotes];
    if (this.remotes.length === 0) throw new RangeError('ReconnectingOvsdbClient needs at least one remote');
    for (const remote of this.remotes) parseRemote(remote); // fail early on a typo
    this.backoff = new Backoff(options.backoff);
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** The connected client, if any (it may still be running onConnect hooks). */
  get client(): OvsdbClient | undefined {
    return this.connectionState === 'connected' ? this.current : undefined;
  }

  get remote(): string | undefined {
    return this.connectionState === 'connected' ? this.currentRemote : undefined;
  }

  /** Adds a hook run on every connection (also now, if already connected). Returns a remover. */
  onConnect(hook: ConnectHook): () => void {
    this.hooks.push(hook);
    if (this.current && this.connectionState === 'connected') {
      void Promise.resolve(hook(this.current, { remote: this.currentRemote, reconnected: true })).catch((error: Error) => this.drop(error));
    }
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index >= 0) this.hooks.splice(index, 1);
    };
  }

  /**
   * Starts connecting (idempotent). Resolves at the first connection and keeps retrying
   * until then, except that a failure that is not retryable (the peer does not speak
   * OVSDB, a hook was refused for good) rejects every waiter at once; close the client then.
   */
  start(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<OvsdbClient> {
    if (this.connectionState === 'idle') void this.attempt();
    return this.whenConnected(options);
  }

  /** Resolves with the connected client, waiting for a (re)connection if needed. */
  whenConnected(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<OvsdbClient> {
    if (this.connectionState === 'closed') return Promise.reject(new OvsdbClosedError('ReconnectingOvsdbClient'));
    if (this.connectionState === 'connected' && this.current && !this.current.closed) return Promise.resolve(this.current);
    if (options.signal?.aborted) return Promise.reject(new OvsdbCancelledError('connect', options.signal.reason));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const { signal, timeoutMs } = options;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = {
        resolve: (client) => {
          done();
          resolve(client);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new OvsdbCancelledError('connect', signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs && timeoutMs > 0) timer = setTimeout(() => waiter.reject(new OvsdbTimeoutError('connect', timeoutMs)), timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Runs `fn` with the connected client (waiting for one); the request's timeout covers the wait too. */
  use<T>(fn: (client: OvsdbClient, options: RequestOptions) => Promise<T>, options: RequestOptions = {}): Promise<T> {
    const current = this.current;
    if (this.connectionState === 'connected' && current !== undefined && !current.closed) {
      // Nothing to wait for (the hot path): the whole timeout is left for the request.
      try {
        return fn(current, options);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.useWhenConnected(fn, options);
  }

  private async useWhenConnected<T>(fn: (client: OvsdbClient, options: RequestOptions) => Promise<T>, options: RequestOptions): Promise<T> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const client = await this.whenConnected({ signal: options.signal, timeoutMs });
    const remaining = timeoutMs > 0 ? Math.max(1, timeoutMs - (Date.now() - started)) : 0;
    return fn(client, { ...options, timeoutMs: remaining });
  }

  transact(database: string, operations: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    const current = this.current;
    // The hot path, as in use() but with no closure or options copy per transaction.
    if (this.connectionState === 'connected' && current !== undefined && !current.closed) return current.transact(database, operations, options);
    return this.useWhenConnected((client, requestOptions) => client.transact(database, operations, { ...options, ...requestOptions }), options);
  }

  listDbs(options?: RequestOptions): Promise<string[]> {
    return this.use((client, requestOptions) => client.listDbs(requestOptions), options);
  }

  getSchema(database: string, options?: RequestOptions): Promise<DatabaseSchema> {
    return this.use((client, requestOptions) => client.getSchema(database, requestOptions), options);
  }

  echo<T extends unknown[]>(params: T, options?: RequestOptions): Promise<T> {
    return this.use((client, requestOptions) => client.echo(params, requestOptions), options);
  }

  /** Disconnects for good: no more reconnects; waiters and in-flight requests fail. */
  close(): void {
    if (this.connectionState === 'closed') return;
    this.connectionState = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.forgetConnection();
    this.ownCloseReason = new OvsdbClosedError('ReconnectingOvsdbClient');
    this.current?.close();
    this.current = undefined;
    for (const waiter of [...this.waiters]) waiter.reject(new OvsdbClosedError('ReconnectingOvsdbClient'));
  }

  private async attempt(): Promise<void> {
    if (this.connectionState === 'closed') return;
    this.connectionState = 'connecting';
    const remote = this.remotes[this.remoteIndex];
    let client: OvsdbClient | undefined;
    try {
      client = await OvsdbClient.connect(remote, this.options);
      if (this.isClosed()) {
        client.close();
        return;
      }
      this.current = client;
      this.currentRemote = remote;
      this.ownCloseReason = undefined;
      client.on('close', (error) => this.onClientClose(client as OvsdbClient, error));
      this.forwardNotifications(client);
      if (this.options.leaderOnly) {
        this.leaderWatch = await requireLeader(client, this.options.leaderOnly, (reason) => this.drop(reason));
      }
      const info: ConnectedInfo = { remote, reconnected: this.everConnected };
      for (const hook of [...this.hooks]) await hook(client, info);
      if (this.isClosed() || client.closed) return;
      this.everConnected = true;
      this.connectionState = 'connected';
      this.failuresThisRound = 0;
      this.backoff.succeeded();
      this.emit('connected', client, info);
      for (const waiter of [...this.waiters]) waiter.resolve(client);
    } catch (error) {
      if (this.isClosed()) return;
      if (client) {
        // Connected but refused (not the leader, or a hook failed): close and move on.
        // Either way onClientClose schedules the next attempt.
        if (!client.closed) {
          this.ownCloseReason = error as Error;
          client.close(error as Error);
        }
        return;
      }
      this.emit('disconnected', error as Error, remote);
      this.failWaitersIfPermanent(error as Error);
      this.scheduleRetry(false);
    }
  }

  private onClientClose(client: OvsdbClient, error: Error | undefined): void {
    if (client !== this.current) return;
    this.current = undefined;
    this.forgetConnection();
    if (this.isClosed()) return;
    // A silent peer (failed inactivity probe) is treated as a failed attempt, not as a drop.
    const droppedByPeer = this.ownCloseReason === undefined && this.connectionState === 'connected' && !(error instanceof OvsdbTimeoutError);
    const reason = this.ownCloseReason ?? error;
    this.emit('disconnected', reason, this.currentRemote);
    this.ownCloseReason = undefined;
    this.failWaitersIfPermanent(reason);
    this.scheduleRetry(droppedByPeer);
  }

  /** Before the first connection, a failure that retrying cannot cure ends the wait of start() and whenConnected(). */
  private failWaitersIfPermanent(error: Error | undefined): void {
    if (this.everConnected || !(error instanceof OvsdbError) || error.retryable) return;
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }

  private scheduleRetry(droppedByPeer: boolean): void {
    this.connectionState = 'backoff';
    let delayMs: number;
    if (droppedByPeer) {
      // Same remote first: a restarting server comes back where it was.
      this.backoff.droppedByPeer();
      delayMs = this.backoff.nextDelayMs();
      this.failuresThisRound = 0;
    } else {
      this.remoteIndex = (this.remoteIndex + 1) % this.remotes.length;
      this.failuresThisRound++;
      // Try every remote once without waiting; back off only when a whole round failed.
      delayMs = this.failuresThisRound < this.remotes.length ? 0 : this.backoff.nextDelayMs();
      if (this.failuresThisRound >= this.remotes.length) this.failuresThisRound = 0;
    }
    const remote = this.remotes[this.remoteIndex];
    this.emit('reconnecting', { remote, delayMs, attempt: this.backoff.attempts });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delayMs);
  }

  /**
   * Re-emits the connection's notifications as ours (the leader watch's own monitor
   * excepted). Each event keeps its own arity, and nothing is done for an event nobody
   * listens to: an IDL listens on the connection itself, once per update.
   */
  private forwardNotifications(client: OvsdbClient): void {
    const ownsMonitor = (monitorId: unknown) => this.leaderWatch?.owns(monitorId) === true;
    client.on('update', (id, updates) => {
      if (this.listenerCount('update') > 0 && !ownsMonitor(id)) this.emit('update', id, updates);
    });
    // The deferred events: an update is parsed only when someone here listens for it.
    client.on('deferred-update2', (id, updates) => {
      if (this.listenerCount('update2') > 0 && !ownsMonitor(id)) this.emit('update2', id, updates.value);
    });
    client.on('deferred-update3', (id, lastTxnId, updates) => {
      if (this.listenerCount('update3') > 0 && !ownsMonitor(id)) this.emit('update3', id, lastTxnId, updates.value);
    });
    client.on('locked', (lockName) => this.emit('locked', lockName));
    client.on('stolen', (lockName) => this.emit('stolen', lockName));
    client.on('monitor_canceled', (id) => this.emit('monitor_canceled', id));
  }

  /** Closes the current connection ourselves (probe timeout, lost leadership, failed hook). */
  private drop(reason: Error): void {
    const client = this.current;
    if (!client || client.closed) return;
    this.ownCloseReason = reason;
    client.close(reason);
  }

  private forgetConnection(): void {
    this.leaderWatch = undefined;
  }

  private isClosed(): boolean {
    return this.connectionState === 'closed';
  }
}
