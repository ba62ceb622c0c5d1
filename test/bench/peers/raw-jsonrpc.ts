/**
 * The "server limit" peer: a minimal JSON-RPC writer with no client library, no replica
 * and no validation, keeping WINDOW `transact` requests in flight on one unix socket.
 * It also fills a database quickly for the sync benchmark.
 */
import { connect, Socket } from 'node:net';
import type { Operation } from '@ovs-fleet/ovsdb';

/** Cuts a byte stream into complete top-level JSON values (replies), nothing more. */
class ReplyCounter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private partial: Buffer[] = [];

  constructor(private readonly onReply: (text: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === 0x5c) this.escaped = true;
        else if (byte === 0x22) this.inString = false;
      } else if (byte === 0x22) this.inString = true;
      else if (byte === 0x7b || byte === 0x5b) {
        if (this.depth++ === 0) start = i;
      } else if (byte === 0x7d || byte === 0x5d) {
        if (--this.depth === 0) {
          this.partial.push(chunk.subarray(start, i + 1));
          this.onReply(Buffer.concat(this.partial).toString('utf8'));
          this.partial = [];
        }
      }
    }
    if (this.depth > 0) this.partial.push(chunk.subarray(start));
  }
}

export interface RawResult {
  txn: number;
  seconds: number;
  txnPerS: number;
}

/**
 * Sends `count` transactions built by `makeOps(i)`, `window` in flight; fails on any error.
 * With `monitor` (monitor_cond requests per table), a monitor_cond_since on the same
 * connection comes first: the server then sends this connection an update3 per
 * transaction too, which is read and dropped (the server's work for an IDL, without one).
 */
export function rawTransactions(
  socketPath: string,
  count: number,
  window: number,
  makeOps: (i: number) => unknown[],
  monitor?: Record<string, unknown>,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(socketPath);
    let sent = 0;
    let done = 0;
    let start = process.hrtime.bigint();
    const send = () => {
      while (sent < count && sent - done < window) {
        socket.write(JSON.stringify({ method: 'transact', params: ['Open_vSwitch', ...makeOps(sent)], id: sent }));
        sent++;
      }
    };
    const counter = new ReplyCounter((text) => {
      const reply = JSON.parse(text) as { id: unknown; method?: string; result?: { error?: string }[]; error?: unknown };
      if (reply.method === 'echo') {
        socket.write(JSON.stringify({ result: [], error: null, id: reply.id }));
        return;
      }
      if (reply.method !== undefined) return; // a monitor's update3
      if (reply.id === 'monitor') {
        if (reply.error) return reject(new Error(`monitor_cond_since failed: ${JSON.stringify(reply.error)}`));
        start = process.hrtime.bigint();
        return send();
      }
      const failed = reply.error ?? reply.result?.find((r) => r && r.error);
      if (failed) {
        socket.destroy();
        reject(new Error(`transaction ${String(reply.id)} failed: ${JSON.stringify(failed)}`));
        return;
      }
      done++;
      if (done === count) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        socket.end();
        resolve({ txn: count, seconds, txnPerS: count / seconds });
      } else send();
    });
    socket.on('data', (chunk) => counter.push(chunk));
    socket.on('error', reject);
    socket.on('connect', () => {
      if (monitor === undefined) return send();
      socket.write(JSON.stringify({ method: 'monitor_cond_since', params: ['Open_vSwitch', 'raw', monitor, '00000000-0000-0000-0000-000000000000'], id: 'monitor' }));
    });
  });
}

type Reply = { id: unknown; method?: string; result?: { error?: string }[]; error?: unknown };

/**
 * One connection kept across runs, as OvsdbIdl keeps its own: with `monitor`, its
 * monitor_cond_since (the whole database) is sent once, when it opens, not before every
 * run as rawTransactions does; the server then sends it an update3 per transaction, read
 * and dropped. Each run's clock starts when it is called, on the open connection.
 */
export class RawConnection {
  private readonly socket: Socket;
  private nextId = 0;
  /** The reply handler of the run in progress. */
  private onReply: ((reply: Reply) => void) | undefined;
  /** Fails the open or the run in progress (the connection is unusable from then on). */
  private onFailure: ((error: Error) => void) | undefined;
  private failure: Error | undefined;

  private constructor(socketPath: string) {
    this.socket = connect(socketPath);
    const counter = new ReplyCounter((text) => {
      const reply = JSON.parse(text) as Reply;
      if (reply.method === 'echo') {
        this.socket.write(JSON.stringify({ result: [], error: null, id: reply.id }));
        return;
      }
      if (reply.method !== undefined) return; // a monitor's update3
      if (this.onReply === undefined) return this.fail(new Error(`reply ${String(reply.id)} while no run is in progress`));
      this.onReply(reply);
    });
    this.socket.on('data', (chunk) => counter.push(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the raw connection closed')));
  }

  /** Connects; with `monitor`, resolves once the monitor's reply is in. */
  static open(socketPath: string, monitor?: Record<string, unknown>): Promise<RawConnection> {
    const connection = new RawConnection(socketPath);
    return new Promise((resolve, reject) => {
      connection.onFailure = reject;
      connection.socket.once('connect', () => {
        if (monitor === undefined) {
          connection.onFailure = undefined;
          return resolve(connection);
        }
        connection.onReply = (reply) => {
          connection.onReply = connection.onFailure = undefined;
          if (reply.id !== 'monitor' || reply.error) reject(new Error(`monitor_cond_since failed: ${JSON.stringify(reply.error ?? reply)}`));
          else resolve(connection);
        };
        connection.socket.write(JSON.stringify({ method: 'monitor_cond_since', params: ['Open_vSwitch', 'raw', monitor, '00000000-0000-0000-0000-000000000000'], id: 'monitor' }));
      });
    });
  }

  /** Sends `count` transactions built by `makeOps(i)`, `window` in flight, as rawTransactions does; fails on any error. */
  transactions(count: number, window: number, makeOps: (i: number) => unknown[]): Promise<RawResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.onReply !== undefined) return Promise.reject(new Error('a run is already in progress'));
    if (count === 0) return Promise.resolve({ txn: 0, seconds: 0, txnPerS: 0 });
    return new Promise((resolve, reject) => {
      let sent = 0;
      let done = 0;
      const start = process.hrtime.bigint();
      const send = () => {
        while (sent < count && sent - done < window) {
          this.socket.write(JSON.stringify({ method: 'transact', params: ['Open_vSwitch', ...makeOps(sent)], id: this.nextId++ }));
          sent++;
        }
      };
      this.onFailure = reject;
      this.onReply = (reply) => {
        const failed = reply.error ?? reply.result?.find((r) => r && r.error);
        if (failed) return this.fail(new Error(`transaction ${String(reply.id)} failed: ${JSON.stringify(failed)}`));
        done++;
        if (done < count) return send();
        this.onReply = this.onFailure = undefined;
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        resolve({ txn: count, seconds, txnPerS: count / seconds });
      };
      send();
    });
  }

  close(): void {
    this.failure ??= new Error('the raw connection was closed');
    this.socket.end();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const onFailure = this.onFailure;
    this.onReply = this.onFailure = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    onFailure?.(error);
  }
}

/** The benchmark's transaction: insert an Interface and a Port, add the Port to the bridge. */
export function addPortOps(bridgeName: string, portName: string): Operation[] {
  return [
    { op: 'insert', table: 'Interface', row: { name: portName }, 'uuid-name': 'i' },
    { op: 'insert', table: 'Port', row: { name: portName, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
    { op: 'mutate', table: 'Bridge', where: [['name', '==', bridgeName]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'p']]]]] },
  ];
}

/** Many ports per transaction: fills a database with `total` ports fast. */
export async function fillPorts(socketPath: string, bridgeName: string, total: number, perTxn = 500, prefix = 'fill'): Promise<void> {
  const txns = Math.ceil(total / perTxn);
  await rawTransactions(socketPath, txns, 4, (t) => {
    const ops: unknown[] = [];
    const ports: unknown[] = [];
    for (let k = t * perTxn; k < Math.min(total, (t + 1) * perTxn); k++) {
      const name = `${prefix}${k}`;
      ops.push({ op: 'insert', table: 'Interface', row: { name, type: 'internal', external_ids: ['map', [['bench', 'sync'], ['index', String(k)]]] }, 'uuid-name': `i${k}` });
      ops.push({ op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', `i${k}`], tag: k % 4000 + 1 }, 'uuid-name': `p${k}` });
      ports.push(['named-uuid', `p${k}`]);
    }
    ops.push({ op: 'mutate', table: 'Bridge', where: [['name', '==', bridgeName]], mutations: [['ports', 'insert', ['set', ports]]] });
    return ops;
  });
}
