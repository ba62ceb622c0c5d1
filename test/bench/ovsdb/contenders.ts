/**
 * What each of our contenders measures, run inside its own child process (a fresh heap,
 * so memory figures are its own). Each prints one line of JSON on stdout.
 */
import { once } from 'node:events';
import { run } from '@ovs-fleet/iproute';
import { OvsdbClient, OvsdbIdl, Replica, type IdlSyncInfo } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, Port } from '@ovs-fleet/ovsdb/vswitch';
import { addPortOps, RawConnection, rawTransactions } from '../peers/raw-jsonrpc';
import type { NextSegment, Segment } from './segments';
import { minorFaults } from './page-faults';
import { serverCpuMeter } from './server-cpu';
import { TurnaroundMeter } from './turnaround';
import { addPort, BRIDGE, bridgeUuid, emptyBridgeOps } from './workload';

const DB = 'Open_vSwitch';

/**
 * Untimed transactions before a timed run: `jit` of them (the JIT compiles the hot path,
 * which takes thousands of transactions for the longer paths), then the bridge emptied
 * (one transaction), then `ports` more, so that the timed run starts on a bridge of `ports`
 * ports, as the Python IDL's does after its own warm-up.
 */
export interface Warmup {
  jit: number;
  ports: number;
  /** With it, the timed run is cut into the segments it asks for (segments.ts); else run in one go. */
  segments?: NextSegment;
}

export interface TxnResult {
  txn: number;
  seconds: number;
  txn_per_s: number;
  /** CPU time (user + system) of the contender's process per transaction: its own cost, whatever the machine's load. */
  cpu_us_per_txn: number;
  /** ovsdb-server's CPU per transaction in the timed run, when the bench gave its pid. */
  server_cpu_us_per_txn?: number;
  /**
   * One at a time only: the client's median turnaround in the timed run, microseconds, from
   * a reply's bytes arriving to the next request written (turnaround.ts).
   */
  turnaround_us?: number;
  /** Minor page faults of the contender's process per transaction: fresh memory touched (page-faults.ts). */
  minor_faults_per_txn?: number;
}

/** The meters of a segment: this process's CPU and page faults, and the server's CPU (when the bench gave its pid), from now on. */
function startMeters(): (txn: number, seconds: number) => Segment {
  const serverCpu = serverCpuMeter();
  const faults = minorFaults();
  const cpu = process.cpuUsage();
  return (txn, seconds) => {
    const used = process.cpuUsage(cpu);
    return { txn, seconds, cpu_us: used.user + used.system, minor_faults: minorFaults() - faults, ...(serverCpu ? { server_cpu_us: serverCpu() } : {}) };
  };
}

/** Times `body` (`txn` transactions), with the meters (and `turnaround`, if any) started right before it. */
async function measured(txn: number, body: () => Promise<void>, turnaround?: TurnaroundMeter): Promise<Segment> {
  const stop = startMeters();
  turnaround?.start();
  const start = process.hrtime.bigint();
  await body();
  const seconds = elapsedS(start);
  turnaround?.stop();
  return stop(txn, seconds);
}

/** One transaction at a time, a turnaround meter on every connection the contender opens from now on (turnaround.ts). */
function turnaroundMeter(window: number): TurnaroundMeter | undefined {
  return window === 1 ? TurnaroundMeter.install() : undefined;
}

/** `result` with `turnaround`'s median; fails if it saw no turnaround at all (it missed the connection). */
function withTurnaround(result: TxnResult, turnaround: TurnaroundMeter | undefined): TxnResult {
  if (turnaround === undefined) return result;
  const us = turnaround.medianUs();
  if (us === undefined) throw new Error('no turnaround measured: the meter saw no reply followed by a request');
  return { ...result, turnaround_us: us };
}

/**
 * The timed run of `count` transactions: `run(n, first)` runs transactions `first` to
 * `first + n - 1`, in one go or in the segments `next` asks for (`count` in all); the
 * figures are those of all of them together.
 */
export async function timedRun(count: number, run: (n: number, first: number) => Promise<Segment>, next?: NextSegment): Promise<TxnResult> {
  const segments: Segment[] = [];
  if (next === undefined) segments.push(await run(count, 0));
  else {
    let done = 0;
    for (let size = await next(); size !== undefined; size = await next(segments.at(-1))) {
      if (done + size > count) throw new Error(`segments of more than ${count} transactions asked for`);
      segments.push(await run(size, done));
      done += size;
    }
    if (done !== count) throw new Error(`${done} of ${count} transactions run in segments`);
  }
  const sum = (pick: (segment: Segment) => number) => segments.reduce((total, segment) => total + pick(segment), 0);
  const seconds = sum((segment) => segment.seconds);
  const result: TxnResult = { txn: count, seconds, txn_per_s: count / seconds, cpu_us_per_txn: sum((segment) => segment.cpu_us) / count };
  if (segments.every((segment) => segment.server_cpu_us !== undefined)) result.server_cpu_us_per_txn = sum((segment) => segment.server_cpu_us!) / count;
  if (segments.every((segment) => segment.minor_faults !== undefined)) result.minor_faults_per_txn = sum((segment) => segment.minor_faults!) / count;
  return result;
}

export interface SyncResult {
  rows: number;
  seconds: number;
  rss_growth_bytes: number;
  heap_after_gc_bytes?: number;
}

export interface ReconnectResult {
  rounds: number;
  /** Per round: from issuing `ovsdb-server/reconnect` to the replica holding every change written meanwhile. */
  ms: number[];
  kinds: string[];
}

function connectIdl(remote: string): Promise<OvsdbIdl> {
  return OvsdbIdl.connect({
    remote,
    database: DB,
    schema: OpenVSwitchSchema,
    indexes: [
      { table: 'Port', column: 'name', unique: true },
      { table: 'Interface', column: 'name', unique: true },
    ],
  });
}

function elapsedS(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `count` IDL transactions with `window` in flight, ports named `prefix<i>` from `first` on. */
async function addPorts(idl: OvsdbIdl, count: number, window: number, prefix: string, first = 0): Promise<void> {
  const bridge = bridgeUuid(idl);
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) await addPort(idl, bridge, `${prefix}${next++}`);
  };
  await Promise.all(Array.from({ length: window }, worker));
}

/**
 * What OvsdbIdl does with the updates: `kept` (the product), or `skipped`, a diagnostic: each
 * update after the initial sync is dropped unparsed (`deferUpdate3` of this IDL's replica
 * does nothing), so the run shows what everything but the replica's upkeep costs (the IDL
 * transaction, its validation, the session and its promises), against the same server work.
 */
export type ReplicaUpkeep = 'kept' | 'skipped';

/** Contender 1 and 2: `window` IDL transactions in flight (1: one at a time), after the untimed `warmup`. */
export async function idlTransactions(remote: string, count: number, window: number, warmup: Warmup, upkeep: ReplicaUpkeep = 'kept'): Promise<TxnResult> {
  const turnaround = turnaroundMeter(window);
  const idl = await connectIdl(remote);
  if (upkeep === 'skipped') (idl.replica as { deferUpdate3: (...args: unknown[]) => void }).deferUpdate3 = () => undefined;
  try {
    if (warmup.jit > 0) {
      await addPorts(idl, warmup.jit, window, 'j');
      await idl.transact(emptyBridgeOps());
    }
    await addPorts(idl, warmup.ports, window, 'w');
    const result = await timedRun(count, (n, first) => measured(n, () => addPorts(idl, n, window, 'p', first), turnaround), warmup.segments);
    if (upkeep === 'kept' && idl.replica.lookup(Port, 'name', `p${count - 1}`) === undefined) throw new Error('the replica misses the last port');
    return withTurnaround(result, turnaround);
  } finally {
    idl.close();
    turnaround?.close();
  }
}

/**
 * This client without a replica (OvsdbClient, typed errors, timeouts, validation-free ops): the
 * same work as the raw writer, `window` in flight, after the untimed `warmup`.
 */
export async function clientTransactions(remote: string, count: number, window: number, warmup: Warmup): Promise<TxnResult> {
  const turnaround = turnaroundMeter(window);
  const client = await OvsdbClient.connect(remote);
  try {
    const transactMany = async (n: number, prefix: string, first = 0) => {
      let next = first;
      const worker = async () => {
        while (next < first + n) await client.transact(DB, addPortOps(BRIDGE, `${prefix}${next++}`));
      };
      await Promise.all(Array.from({ length: window }, worker));
    };
    if (warmup.jit > 0) {
      await transactMany(warmup.jit, 'j');
      await client.transact(DB, emptyBridgeOps());
    }
    await transactMany(warmup.ports, 'w');
    return withTurnaround(await timedRun(count, (n, first) => measured(n, () => transactMany(n, 'c', first), turnaround), warmup.segments), turnaround);
  } finally {
    client.close();
    turnaround?.close();
  }
}

/**
 * How the raw writer connects (BENCH_RAW_CONNECTION): `per-run` (the default), a connection
 * of its own for each run (warm-ups and each segment of the timed run), as it always did;
 * `kept`, one connection and monitor for all of them, as OvsdbIdl keeps its own
 * (RawConnection). Measured (BENCH_ONLY=idl_seq_vs_raw_monitored, 4 runs of each,
 * alternating): OvsdbIdl against the monitored raw writer per round 0.78x-0.94x (mean 0.834,
 * sd 0.039) per-run, 0.71x-0.88x (mean 0.830, sd 0.036) kept; no more alike, so the
 * default stays.
 */
export const RAW_CONNECTION_ENV = 'BENCH_RAW_CONNECTION';
export type RawConnectionMode = 'per-run' | 'kept';

export function rawConnectionMode(value = process.env[RAW_CONNECTION_ENV]): RawConnectionMode {
  if (value === undefined || value === '' || value === 'per-run') return 'per-run';
  if (value === 'kept') return 'kept';
  throw new Error(`${RAW_CONNECTION_ENV} must be kept or per-run, got ${JSON.stringify(value)}`);
}

/**
 * Contender 4: the raw JSON-RPC writer (no library, no replica), `window` in flight, after the
 * untimed `warmup`; with `monitored`, it also monitors every table on its connection (and
 * drops the updates). `per-run`: each of its runs (rawTransactions) opens its own
 * connection, and its clock starts as it connects (monitored: once the monitor's reply,
 * the whole database, is in). `kept`: one connection (monitored: one monitor) for the
 * warm-ups and every segment, and each run's clock starts on it. The CPU meters start when
 * it builds a run's first transaction.
 */
export async function rawWriter(remote: string, count: number, window: number, warmup: Warmup, monitored = false, mode: RawConnectionMode = rawConnectionMode()): Promise<TxnResult> {
  if (!remote.startsWith('unix:')) throw new Error('the raw writer speaks unix sockets only');
  const socket = remote.slice('unix:'.length);
  const monitor = monitored ? new Replica(OpenVSwitchSchema).monitorRequests() : undefined;
  const turnaround = turnaroundMeter(window);
  const kept = mode === 'kept' ? await RawConnection.open(socket, monitor) : undefined;
  const transactions = (n: number, makeOps: (i: number) => unknown[], unmonitored = false) =>
    kept !== undefined ? kept.transactions(n, window, makeOps) : rawTransactions(socket, n, window, makeOps, unmonitored ? undefined : monitor);
  try {
    if (warmup.jit > 0) {
      await transactions(warmup.jit, (i) => addPortOps(BRIDGE, `j${i}`));
      await transactions(1, () => emptyBridgeOps(), true);
    }
    if (warmup.ports > 0) await transactions(warmup.ports, (i) => addPortOps(BRIDGE, `w${i}`));
    const run = async (n: number, first: number): Promise<Segment> => {
      let stop: ((txn: number, seconds: number) => Segment) | undefined;
      const result = await transactions(n, (i) => {
        if (i === 0) {
          stop = startMeters();
          turnaround?.start();
        }
        return addPortOps(BRIDGE, `r${first + i}`);
      });
      turnaround?.stop();
      return stop!(n, result.seconds);
    };
    return withTurnaround(await timedRun(count, run, warmup.segments), turnaround);
  } finally {
    kept?.close();
    turnaround?.close();
  }
}

/** Contender 5: initial sync of the whole database into the replica; time and RSS growth. */
export async function initialSync(remote: string, rows: number): Promise<SyncResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const idl = await connectIdl(remote);
  try {
    const seconds = elapsedS(start);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const held = idl.replica.table(Port).size;
    if (held < rows) throw new Error(`the replica holds ${held} ports, expected ${rows}`);
    gc?.();
    const heapAfterGc = process.memoryUsage().heapUsed - heapBefore;
    return { rows, seconds, rss_growth_bytes: rssGrowth, ...(gc ? { heap_after_gc_bytes: heapAfterGc } : {}) };
  } finally {
    idl.close();
  }
}

/**
 * Contender 6: the server drops every connection (`ovs-appctl ovsdb-server/reconnect`),
 * then another client adds `writes` ports (one transaction each) while the IDL
 * reconnects; timed until the replica holds all of them after a completed resync.
 */
export async function reconnect(remote: string, rounds: number, ctl: string, writes = 3): Promise<ReconnectResult> {
  const idl = await connectIdl(remote);
  const ms: number[] = [];
  const kinds: string[] = [];
  try {
    const bridge = bridgeUuid(idl);
    for (let round = 0; round < rounds; round++) {
      const names = Array.from({ length: writes }, (_, k) => `rc${round}-${k}`);
      const resynced = once(idl, 'resynced') as Promise<[IdlSyncInfo]>;
      const start = process.hrtime.bigint();
      await run('ovs-appctl', ['-t', ctl, 'ovsdb-server/reconnect']);
      const writer = await OvsdbClient.connect(remote);
      try {
        for (const name of names) await writer.transact(DB, addPortOps(BRIDGE, name));
      } finally {
        writer.close();
      }
      const [[info]] = await Promise.all([resynced, idl.replica.waitFor((replica) => names.every((name) => replica.lookup(Port, 'name', name) !== undefined), 30_000)]);
      ms.push(elapsedS(start) * 1000);
      kinds.push(info.kind);
      if (bridgeUuid(idl) !== bridge) throw new Error('the bridge row changed identity');
    }
    return { rounds, ms, kinds };
  } finally {
    idl.close();
  }
}
