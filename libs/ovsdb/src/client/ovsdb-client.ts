import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { OvsdbProtocolError, OvsdbTransactionError } from '../errors';
import { DeferredJson, type DeferredParams } from '../protocol/deferred-json';
import { JsonRpcSession, JsonRpcSessionOptions, RequestOptions } from '../protocol/jsonrpc-session';
import type {
  DatabaseSchema,
  JsonRpcId,
  MonitorCondRequest,
  MonitorRequest,
  Operation,
  OperationResult,
  TableUpdates,
  TableUpdates2,
  UuidString,
} from '../protocol/wire';
import { connectRemote, ConnectOptions } from '../transport/connect';
import { formatRemote, parseRemote, Remote } from '../transport/remote';

/** Any JSON value the caller picks to tell its monitors apart in notifications. */
export type MonitorId = unknown;

/** Per-table monitor requests: one request or several (for different column sets). */
export type MonitorRequests = Record<string, MonitorRequest | MonitorRequest[]>;
export type MonitorCondRequests = Record<string, MonitorCondRequest | MonitorCondRequest[]>;

/** `monitor_cond_since` reply: whether the server resumed from `lastTxnId`, its newest txn id, and the updates. */
export type MonitorCondSinceResult = [found: boolean, lastTxnId: UuidString, updates: TableUpdates2];

/** The txn id meaning "nothing seen yet" for monitor_cond_since. */
export const ZERO_TXN_ID = '00000000-0000-0000-0000-000000000000';

export interface OvsdbClientEvents {
  update: [monitorId: MonitorId, updates: TableUpdates];
  update2: [monitorId: MonitorId, updates: TableUpdates2];
  update3: [monitorId: MonitorId, lastTxnId: UuidString, updates: TableUpdates2];
  /**
   * Every `update2`, emitted before `update2`, its updates parsed when first read
   * (`updates.value`): a consumer may apply them later, off the round trip in progress.
   * `update2` itself is only parsed for when it has listeners.
   */
  'deferred-update2': [monitorId: MonitorId, updates: DeferredJson<TableUpdates2>];
  /** Every `update3`, as `deferred-update2`. */
  'deferred-update3': [monitorId: MonitorId, lastTxnId: UuidString, updates: DeferredJson<TableUpdates2>];
  locked: [lockName: string];
  stolen: [lockName: string];
  /** The server dropped a monitor (e.g. its database was removed; needs set_db_change_aware). */
  monitor_canceled: [monitorId: MonitorId];
  /** Any other notification. */
  notification: [method: string, params: unknown[]];
  close: [error: Error | undefined];
}

export type OvsdbClientOptions = JsonRpcSessionOptions & ConnectOptions;

export interface TransactOptions extends RequestOptions {
  /** Resolve with the raw results instead of throwing OvsdbTransactionError on an error element. */
  allowErrors?: boolean;
}

/**
 * One OVSDB connection and every RFC 7047 method (plus Open vSwitch's extensions), with
 * server notifications as typed events. It does not reconnect: see ReconnectingOvsdbClient.
 */
export class OvsdbClient extends EventEmitter<OvsdbClientEvents> {
  readonly session: JsonRpcSession;
  /** Sends OVSDB `cancel` for a request given up on; one function for every transact. */
  private readonly cancelOnGiveUp = (id: JsonRpcId): void => this.cancel(id);
  /** The database of the last transact, already checked to be an OVSDB id (one regex per database, not per transaction). */
  private lastTransactDatabase: string | undefined;

  constructor(stream: Duplex, options: JsonRpcSessionOptions = {}) {
    super();
    this.session = new JsonRpcSession(stream, options);
    this.session.on('notification', (method, params) => this.onNotification(method, params));
    // [monitor-id, updates] and [monitor-id, last-txn-id, updates]: the ids are read, the updates parsed when read.
    this.session.deferParams('update2', 1);
    this.session.deferParams('update3', 2);
    this.session.on('deferred-notification', (method, params) => this.onDeferredNotification(method, params));
    this.session.on('close', (error) => this.emit('close', error));
  }

  /** Connects to an active remote (`unix:`, `tcp:`, `ssl:`). */
  static async connect(remote: string | Remote, options: OvsdbClientOptions = {}): Promise<OvsdbClient> {
    const parsed = typeof remote === 'string' ? parseRemote(remote) : remote;
    const socket = await connectRemote(parsed, options);
    return new OvsdbClient(socket, { ...options, remote: options.remote ?? formatRemote(parsed) });
  }

  get closed(): boolean {
    return this.session.closed;
  }

  get remote(): string | undefined {
    return this.session.remote;
  }

  /** Closes cleanly; with `error`, cuts the connection at once and reports `error` as the cause. */
  close(error?: Error): void {
    this.session.close(error);
  }

  listDbs(options?: RequestOptions): Promise<string[]> {
    return this.session.request<string[]>('list_dbs', [], options);
  }

  async getSchema(database: string, options?: RequestOptions): Promise<DatabaseSchema> {
    return this.session.request<DatabaseSchema>('get_schema', [assertDatabaseName(database)], options);
  }

  /**
   * Runs operations atomically. Resolves with one result per operation; throws
   * OvsdbTransactionError naming the failing operation (or the commit) when the server
   * refused. Aborting (or timing out) sends `cancel` for this request.
   */
  transact(database: string, operations: readonly Operation[], options: TransactOptions = {}): Promise<OperationResult[]> {
    try {
      if (database !== this.lastTransactDatabase) this.lastTransactDatabase = assertDatabaseName(database);
      // The reply is checked as the session dispatches it (no await here): one promise
      // fewer between the reply and the caller.
      const check = options.allowErrors ? transactResults : (result: unknown) => throwIfFailed(operations, transactResults(result));
      return this.session.request('transact', [database, ...operations], options, this.cancelOnGiveUp, check);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Asks the server to drop an outstanding `transact` (RFC 7047 4.1.4); it then replies with error "canceled". */
  cancel(requestId: JsonRpcId): void {
    this.session.notify('cancel', [requestId]);
  }

  /** `monitor` (RFC 7047 4.1.5): resolves with the initial contents; changes come as `update` events. */
  async monitor(database: string, monitorId: MonitorId, requests: MonitorRequests, options?: RequestOptions): Promise<TableUpdates> {
    return this.session.request<TableUpdates>('monitor', [assertDatabaseName(database), monitorId, requests], options);
  }

  /** `monitor_cond`: conditional monitor; changes come as `update2` events. */
  async monitorCond(database: string, monitorId: MonitorId, requests: MonitorCondRequests, options?: RequestOptions): Promise<TableUpdates2> {
    return this.session.request<TableUpdates2>('monitor_cond', [assertDatabaseName(database), monitorId, requests], options);
  }

  /** `monitor_cond_change`: replaces conditions (and optionally renames the monitor). */
  async monitorCondChange(monitorId: MonitorId, newMonitorId: MonitorId, requests: MonitorCondRequests, options?: RequestOptions): Promise<void> {
    await this.session.request('monitor_cond_change', [monitorId, newMonitorId, requests], options);
  }

  /**
   * `monitor_cond_since`: like monitorCond, resuming after `lastTxnId` when the server
   * still has that history (`found` true: only the changes since are returned). Changes
   * then come as `update3` events carrying each new txn id.
   */
  async monitorCondSince(
    database: string,
    monitorId: MonitorId,
    requests: MonitorCondRequests,
    lastTxnId: UuidString | null = null,
    options?: RequestOptions,
  ): Promise<MonitorCondSinceResult> {
    return this.session.request<MonitorCondSinceResult>('monitor_cond_since', [assertDatabaseName(database), monitorId, requests, lastTxnId ?? ZERO_TXN_ID], options);
  }

  async monitorCancel(monitorId: MonitorId, options?: RequestOptions): Promise<void> {
    await this.session.request('monitor_cancel', [monitorId], options);
  }

  /** `lock`: resolves `{locked}`; if false, a `locked` event follows when the lock is granted. */
  async lock(name: string, options?: RequestOptions): Promise<{ locked: boolean }> {
    return this.session.request<{ locked: boolean }>('lock', [assertLockName(name)], options);
  }

  /** `steal`: takes the lock from its owner, who gets a `stolen` event. */
  async steal(name: string, options?: RequestOptions): Promise<{ locked: boolean }> {
    return this.session.request<{ locked: boolean }>('steal', [assertLockName(name)], options);
  }

  async unlock(name: string, options?: RequestOptions): Promise<void> {
    await this.session.request('unlock', [assertLockName(name)], options);
  }

  /** `echo`: the server returns the params unchanged. */
  echo<T extends unknown[]>(params: T, options?: RequestOptions): Promise<T> {
    return this.session.request<T>('echo', params, options);
  }

  /** Asks the server to cancel monitors (not disconnect) when a database changes or goes away. */
  async setDbChangeAware(enabled = true, options?: RequestOptions): Promise<void> {
    await this.session.request('set_db_change_aware', [enabled], options);
  }

  /** The server's id (a UUID), stable across restarts only if its database files are kept. */
  getServerId(options?: RequestOptions): Promise<UuidString> {
    return this.session.request<UuidString>('get_server_id', [], options);
  }

  private onNotification(method: string, params: unknown[]): void {
    switch (method) {
      case 'update':
        this.emit('update', params[0], params[1] as TableUpdates);
        return;
      case 'update2':
        this.update2(params[0], DeferredJson.of(params[1] as TableUpdates2));
        return;
      case 'update3':
        this.update3(params[0], params[1] as UuidString, DeferredJson.of(params[2] as TableUpdates2));
        return;
      case 'locked':
      case 'stolen':
        this.emit(method, params[0] as string);
        return;
      case 'monitor_canceled':
        this.emit('monitor_canceled', params[0]);
        return;
      default:
        this.emit('notification', method, params);
    }
  }

  private onDeferredNotification(method: string, params: DeferredParams): void {
    const { leading, last } = params;
    if (method === 'update3') this.update3(leading[0], leading[1], last as DeferredJson<TableUpdates2>);
    else this.update2(leading[0], last as DeferredJson<TableUpdates2>);
  }

  private update2(monitorId: MonitorId, updates: DeferredJson<TableUpdates2>): void {
    this.emit('deferred-update2', monitorId, updates);
    if (this.listenerCount('update2') > 0) this.emit('update2', monitorId, updates.value);
  }

  private update3(monitorId: MonitorId, lastTxnId: UuidString, updates: DeferredJson<TableUpdates2>): void {
    this.emit('deferred-update3', monitorId, lastTxnId, updates);
    if (this.listenerCount('update3') > 0) this.emit('update3', monitorId, lastTxnId, updates.value);
  }
}

const OVSDB_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Database names are OVSDB <id>s too (e.g. Open_vSwitch, _Server, OVN_Northbound). */
function assertDatabaseName(name: string): string {
  if (typeof name !== 'string' || !OVSDB_ID.test(name)) throw new TypeError(`database name ${JSON.stringify(name)} is not an OVSDB id ([A-Za-z_][A-Za-z0-9_]*)`);
  return name;
}

/** Lock names are OVSDB <id>s (RFC 7047 3.1): letters, digits and '_', not starting with a digit. */
function assertLockName(name: string): string {
  if (typeof name !== 'string' || !OVSDB_ID.test(name)) throw new TypeError(`lock name ${JSON.stringify(name)} is not an OVSDB id ([A-Za-z_][A-Za-z0-9_]*)`);
  return name;
}

/**
 * RFC 7047 5.2: a failing operation carries `error` in its result (later ones are null or
 * absent); an error found at commit (e.g. referential integrity) is an extra element
 * after the last operation's result.
 */
function transactResults(results: unknown): OperationResult[] {
  if (!Array.isArray(results)) throw new OvsdbProtocolError(`transact reply is not an array: ${JSON.stringify(results).slice(0, 200)}`);
  return results as OperationResult[];
}

/** `results`, unless one of them is an error. */
function throwIfFailed(operations: readonly Operation[], results: readonly (OperationResult | null)[]): OperationResult[] {
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    if (result && typeof result.error === 'string') {
      const opIndex = i < operations.length ? i : undefined;
      throw new OvsdbTransactionError(result.error, result.details, opIndex, opIndex === undefined ? undefined : operations[i], results);
    }
  }
  return results as OperationResult[];
}
