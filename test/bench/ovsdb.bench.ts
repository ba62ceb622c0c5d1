/**
 * `npm run bench:ovsdb`: libs/ovsdb against the reference Python IDL (python3-openvswitch)
 * and a raw JSON-RPC writer, each contender on a fresh ovsdb-server (own temp dir, bridge
 * br0 created first), each of ours in its own process:
 *   1. this client, one transaction at a time (insert Interface + Port, add the Port to br0):
 *      OvsdbIdl, which keeps a replica as the Python IDL does (the target's comparison), and
 *      OvsdbClient alone
 *   2. this client, WINDOW transactions in flight: OvsdbClient alone, the same work as the raw
 *      writer (the target's comparison), and OvsdbIdl
 *   3. the Python IDL, one at a time
 *   4. a raw JSON-RPC writer, 64 in flight (about the server's own limit); for reference the
 *      same writer one at a time, and both also monitoring every table on their connection
 *      (the server's work for an IDL, minus any client work): about the best a client can do;
 *      OvsdbIdl one at a time is held against the monitored writer one at a time (target 0.9x);
 *      beside it, as a diagnostic, OvsdbIdl with its replica's upkeep skipped (every update
 *      after the sync dropped unparsed: contenders.ts, ReplicaUpkeep), what the rest costs
 *   5. initial sync of 20,000 ports + interfaces into the replica vs the Python IDL: s, RSS MiB
 *   6. forced reconnect of a clustered server (history) while another client writes:
 *      time until the replica holds everything again, vs the Python IDL
 * Prints one line per contender, the ratios against the targets, and last one line of JSON.
 * Transaction contenders run BENCH_REPEAT (6) interleaved rounds, odd rounds backwards
 * (rounds.ts): this machine (2 virtual cores, shared) is noisy, a single run swings by up to
 * 2x. The two sides of each ratio of ours run together, each on its own fresh server: their
 * warm-ups at once, then their timed runs in turns of BENCH_SEGMENTS (10) segments, a b b a
 * a b ..., so that whatever the machine does falls on both alike. Each keeps its best run
 * (the targets are judged on it) and its median (printed beside it). Every one of them, the Python IDL too, is timed after the
 * same untimed work on its server: BENCH_JIT_WARMUP (3000) transactions, the bridge
 * emptied, then BENCH_WARMUP (300), so that the timed run starts on a bridge of 300 ports
 * behind the same database log. For ours (Node) the first ones are V8's warm-up: after only
 * 300, most of OvsdbIdl's hot functions were still compiled during the timed run (63
 * TurboFan compilations in it, against 26 for the raw writer), on the same 2 cores as
 * ovsdb-server, and its CPU per transaction only levelled off after about 2,000. Ours also
 * report ovsdb-server's CPU per timed transaction (server-cpu.ts), and those one at a time
 * their turnaround, from a reply's bytes arriving to the next request written (median; the
 * same hook on both sides of a ratio: turnaround.ts): the client's own delay per
 * transaction, which throughput alone hides in the server's and the scheduler's.
 * BENCH_TXN, BENCH_WINDOW, BENCH_SYNC_PORTS, BENCH_RECONNECT_ROUNDS change the sizes; BENCH_ONLY
 * (ratio names from the JSON line, comma-separated) runs only those ratios' contenders and
 * prints only those ratios, no sync nor reconnect (select.ts).
 */
import { join } from 'node:path';
import { VSWITCH_SCHEMA, type OvsdbTestServer } from '../support/ovsdb-server';
import type { ReconnectResult, SyncResult, TxnResult } from './ovsdb/contenders';
import { runJsonChild, startSegmentedChild, withServer, type SegmentedRun } from './ovsdb/processes';
import { measurePageFaultCost, type PageFaultCost } from './ovsdb/page-faults';
import { inSegments, median, runRounds, summarize, type TxnSummary } from './ovsdb/rounds';
import { selectContenders } from './ovsdb/select';
import { SERVER_PID_ENV } from './ovsdb/server-cpu';
import { BRIDGE, emptyBridgeOps, populateHostLike } from './ovsdb/workload';
import { fillPorts, rawTransactions } from './peers/raw-jsonrpc';

const TXN = Number(process.env.BENCH_TXN ?? 3000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const RAW_WINDOW = 64;
const SYNC_PORTS = Number(process.env.BENCH_SYNC_PORTS ?? 20_000);
const RECONNECT_ROUNDS = Number(process.env.BENCH_RECONNECT_ROUNDS ?? 5);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 6);
/** Segments of each timed run of ours, the two sides of a ratio taking turns (rounds.ts). */
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 10);
/** Untimed transactions first, for every transaction contender alike; the timed run starts on a bridge of this many ports. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
/** Untimed transactions before those, for every transaction contender alike (for ours, V8's JIT warm-up); their ports are removed again. */
const JIT_WARMUP = Number(process.env.BENCH_JIT_WARMUP ?? 3000);
const RECONNECT_PORTS = 2000;
const PYTHON = '/usr/bin/python3';
const PYTHON_IDL = join(__dirname, 'peers', 'python_idl.py');
const CHILD = join(__dirname, 'ovsdb', 'child.ts');
const MIB = 2 ** 20;

/** One of our contenders in a fresh Node process (tsx's loader flags inherited; gc exposed for memory figures). */
function ours<T>(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  return runJsonChild<T>(process.execPath, [...process.execArgv, '--expose-gc', CHILD, ...args], env);
}

/**
 * One of our transaction contenders: `mode` with `window` in flight, after both warm-ups; it
 * also meters the server's CPU. Started, its timed run in the segments the bench asks for
 * (rounds.ts, inSegments).
 */
function oursTxn(mode: string, window: number): (server: OvsdbTestServer) => SegmentedRun<TxnResult> {
  return (server) => {
    const env = { [SERVER_PID_ENV]: String(server.pid) };
    const args = [...process.execArgv, '--expose-gc', CHILD, mode, server.unixRemote, String(TXN), String(window), String(WARMUP), String(JIT_WARMUP)];
    return startSegmentedChild<TxnResult>(process.execPath, args, env);
  };
}

function python<T>(args: readonly string[]): Promise<T> {
  return runJsonChild<T>(PYTHON, [PYTHON_IDL, ...args]);
}

/**
 * The Python IDL's transactions, after the same untimed server work as ours: JIT_WARMUP of
 * its own transactions (in a process of their own, their figures dropped), the bridge
 * emptied, then the timed process with its WARMUP untimed ones first. Its ports are named
 * alike in both processes: the first ones are gone with the emptied bridge.
 */
async function pythonTxn(server: OvsdbTestServer): Promise<TxnResult> {
  const txn = (count: number, warmup: number) => python<TxnResult>(['txn', server.unixRemote, VSWITCH_SCHEMA, String(count), String(warmup)]);
  if (JIT_WARMUP > 0) {
    await txn(JIT_WARMUP, 0);
    await rawTransactions(server.socket, 1, 1, () => emptyBridgeOps());
  }
  return txn(TXN, WARMUP);
}

async function addBridge(server: OvsdbTestServer): Promise<void> {
  await server.vsctl(['add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev']);
}

async function portCount(server: OvsdbTestServer): Promise<number> {
  const out = (await server.vsctl(['list-ports', BRIDGE])).stdout.trim();
  return out === '' ? 0 : out.split('\n').length;
}

/** A transaction contender: run in one go (the Python IDL), or started with its timed run in segments (ours). */
type TxnContender = { key: string; label: string } & (
  | { run: (server: OvsdbTestServer) => Promise<TxnResult> }
  | { start: (server: OvsdbTestServer) => SegmentedRun<TxnResult> }
);

/** After a run: the bridge must hold exactly `WARMUP + TXN` ports. */
async function checkPorts(label: string, server: OvsdbTestServer): Promise<void> {
  const ports = await portCount(server);
  if (ports !== TXN + WARMUP) throw new Error(`${label}: ${ports} ports on ${BRIDGE}, expected ${TXN + WARMUP}`);
}

/** `count` fresh servers, each with the bridge, for `body`; all removed afterwards. */
function withBridgeServers<T>(count: number, body: (servers: OvsdbTestServer[]) => Promise<T>, servers: OvsdbTestServer[] = []): Promise<T> {
  if (servers.length === count) return body(servers);
  return withServer({}, async (server) => {
    await addBridge(server);
    return withBridgeServers(count, body, [...servers, server]);
  });
}

/**
 * One round's run of a group, each member on a fresh server of its own: members started
 * (ours) take turns in segments (rounds.ts, inSegments); a member run in one go (the
 * Python IDL) is alone in its group.
 */
function runTxnGroup(group: readonly TxnContender[]): Promise<TxnResult[]> {
  return withBridgeServers(group.length, async (servers) => {
    const only = group[0];
    let results: TxnResult[];
    if (group.length === 1 && 'run' in only) results = [await only.run(servers[0])];
    else {
      const started = group.map((contender, i) => {
        if (!('start' in contender)) throw new Error(`${contender.label} cannot run in segments`);
        return contender.start(servers[i]);
      });
      results = await inSegments(started, TXN, SEGMENTS);
    }
    for (const [i, contender] of group.entries()) await checkPorts(contender.label, servers[i]);
    return results;
  });
}

/** REPEAT interleaved rounds of the groups (see rounds.ts), one line per contender; each contender's best and median are kept. */
async function txnRounds(groups: readonly (readonly TxnContender[])[]): Promise<TxnSummary[]> {
  const runs = await runRounds(groups, REPEAT, runTxnGroup);
  return groups.flat().map(({ label }, i) => {
    const summary = summarize(runs[i]);
    const server = summary.serverCpuUsPerTxn === undefined ? '  -' : String(Math.round(summary.serverCpuUsPerTxn)).padStart(3);
    const all = summary.runs.map(Math.round).join(', ');
    const turnaround = summary.turnaroundUs === undefined ? '' : `, turnaround us ${String(Math.round(summary.turnaroundUs)).padStart(3)}`;
    const faults = summary.faultsPerTxn === undefined ? '' : `, page faults/txn ${summary.faultsPerTxn.toFixed(2)}`;
    console.log(
      `${label.padEnd(42)} ${String(Math.round(summary.best)).padStart(5)} txn/s (median ${String(Math.round(summary.median)).padStart(4)}), CPU us/txn client ${String(Math.round(summary.cpuUsPerTxn)).padStart(3)} server ${server}${turnaround}${faults}  (runs: ${all})`,
    );
    return summary;
  });
}

function syncContender(label: string, start: (server: OvsdbTestServer) => Promise<SyncResult>): Promise<SyncResult> {
  return withServer({}, async (server) => {
    await addBridge(server);
    await populateHostLike(server.unixRemote, SYNC_PORTS);
    const result = await start(server);
    const heap = result.heap_after_gc_bytes === undefined ? '' : `, heap retained ${(result.heap_after_gc_bytes / MIB).toFixed(1)} MiB`;
    console.log(`${label.padEnd(46)} ${result.seconds.toFixed(2)} s, RSS +${(result.rss_growth_bytes / MIB).toFixed(1)} MiB${heap}`);
    return result;
  });
}

function reconnectContender(label: string, start: (server: OvsdbTestServer) => Promise<ReconnectResult>): Promise<ReconnectResult> {
  return withServer({ clustered: true }, async (server) => {
    await addBridge(server);
    await fillPorts(server.socket, BRIDGE, RECONNECT_PORTS);
    const result = await start(server);
    const kinds = result.kinds ? ` (${[...new Set(result.kinds)].join(', ')})` : '';
    console.log(`${label.padEnd(46)} median ${median(result.ms).toFixed(1)} ms, max ${Math.max(...result.ms).toFixed(1)} ms over ${result.rounds} rounds${kinds}`);
    return result;
  });
}

function verdict(label: string, ratio: number, target: string, met: boolean, unit = 'x'): void {
  console.log(`  ${label.padEnd(50)} ${ratio.toFixed(2)}${unit}  (target ${target})  ${met ? 'met' : 'MISSED'}`);
}

/** Throughput of `ours` over `theirs`: best run against best run, and median against median. */
function txnRatio(ours: TxnSummary, theirs: TxnSummary): { best: number; median: number } {
  return { best: ours.best / theirs.best, median: ours.median / theirs.median };
}

/** A throughput target, judged on the best runs (as every contender keeps its best); the medians' ratio beside it. */
function txnVerdict(label: string, ratio: { best: number; median: number }, atLeast: number): void {
  const met = ratio.best >= atLeast;
  console.log(`  ${label.padEnd(50)} ${ratio.best.toFixed(2)}x (median ${ratio.median.toFixed(2)}x)  (target >= ${atLeast}x)  ${met ? 'met' : 'MISSED'}`);
}

/**
 * The per-contender figures of the JSON line, keyed `<key>_turnaround_us` (one at a time)
 * and `<key>_page_faults_per_txn` (dashes as underscores), for each contender that has them.
 */
function contenderFigures(summaries: ReadonlyMap<string, TxnSummary>): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const [key, summary] of summaries) {
    const name = key.replaceAll('-', '_');
    if (summary.turnaroundUs !== undefined) figures[`${name}_turnaround_us`] = round(summary.turnaroundUs, 1);
    if (summary.faultsPerTxn !== undefined) figures[`${name}_page_faults_per_txn`] = round(summary.faultsPerTxn, 2);
  }
  return figures;
}

/** Beside OvsdbIdl's target: both sides' turnaround, what the client adds per transaction once the reply is in. */
function turnaroundLine(idl: TxnSummary, raw: TxnSummary): void {
  if (idl.turnaroundUs === undefined || raw.turnaroundUs === undefined) return;
  console.log(`    client turnaround (reply in -> next request written), median us: OvsdbIdl ${Math.round(idl.turnaroundUs)}, raw writer + monitor ${Math.round(raw.turnaroundUs)}`);
}

/**
 * Beside OvsdbIdl's target: how much of the client CPU it spends per transaction beyond the
 * monitored raw writer's is page faults, at what one costs on this machine (page-faults.ts):
 * the replica's growth touches fresh memory, the raw writer keeps nothing. CPU, not wall
 * time: most of them come in the update's apply, after the request is written, while the
 * server works on it (a longer warm-up that halved them did not move the ratio).
 */
function pageFaultLine(idl: TxnSummary, raw: TxnSummary, cost: PageFaultCost): void {
  if (idl.faultsPerTxn === undefined || raw.faultsPerTxn === undefined) return;
  const cpuUs = idl.cpuUsPerTxn - raw.cpuUsPerTxn;
  const faultsUs = (idl.faultsPerTxn - raw.faultsPerTxn) * cost.us;
  console.log(
    `    page faults per txn (fresh memory touched): OvsdbIdl ${idl.faultsPerTxn.toFixed(2)}, raw writer + monitor ${raw.faultsPerTxn.toFixed(2)}; one costs ${cost.us.toFixed(1)} us on this machine: ${faultsUs.toFixed(0)} us of the ${cpuUs.toFixed(0)} us of client CPU per transaction between them`,
  );
}

/** The diagnostic beside OvsdbIdl's target: the same contender with the replica's upkeep skipped (contenders.ts, ReplicaUpkeep). */
const UPKEEP_SKIPPED_LABEL = '  OvsdbIdl without replica upkeep vs raw + monitor';

/** An informative ratio, no target; `(with a monitor: ...)` when a monitored variant is given. */
function reference(label: string, ratio: { best: number; median: number }, monitoredRatio?: { best: number; median: number }): void {
  const monitored = monitoredRatio === undefined ? '' : `; with a monitor ${monitoredRatio.best.toFixed(2)}x (median ${monitoredRatio.median.toFixed(2)}x)`;
  console.log(`  ${label.padEnd(50)} ${ratio.best.toFixed(2)}x (median ${ratio.median.toFixed(2)}x)${monitored}`);
}

async function main(): Promise<void> {
  for (const [name, value] of Object.entries({ TXN, WINDOW, SYNC_PORTS, RECONNECT_ROUNDS, REPEAT, SEGMENTS })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }
  if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error('WARMUP must be a whole number');
  if (!Number.isInteger(JIT_WARMUP) || JIT_WARMUP < 0) throw new Error('JIT_WARMUP must be a whole number');
  console.log(
    `${TXN} transactions per run after ${JIT_WARMUP} untimed, the bridge emptied, and ${WARMUP} untimed; ${REPEAT} interleaved rounds (odd ones backwards), best run and median:`,
  );
  // The two sides of each ratio of ours together, in turn (see rounds.ts); the Python IDL
  // next to the OvsdbIdl one at a time.
  const groups: TxnContender[][] = [
    [{ key: 'python-seq', label: 'Python IDL, one at a time', run: pythonTxn }],
    [
      { key: 'idl-seq', label: 'this client (OvsdbIdl), one at a time', start: oursTxn('idl', 1) },
      { key: 'raw-monitored-seq', label: 'raw writer + monitor, one at a time', start: oursTxn('raw-monitored', 1) },
      { key: 'idl-seq-upkeep-skipped', label: 'OvsdbIdl, replica upkeep skipped (diagnostic)', start: oursTxn('idl-upkeep-skipped', 1) },
    ],
    [
      { key: 'client-seq', label: 'this client (OvsdbClient), one at a time', start: oursTxn('client', 1) },
      { key: 'raw-seq', label: 'raw JSON-RPC writer, one at a time', start: oursTxn('raw', 1) },
    ],
    [
      { key: 'client-pipelined', label: `this client (OvsdbClient), ${WINDOW} in flight`, start: oursTxn('client', WINDOW) },
      { key: 'raw-pipelined', label: `raw JSON-RPC writer, ${RAW_WINDOW} in flight`, start: oursTxn('raw', RAW_WINDOW) },
    ],
    [
      { key: 'idl-pipelined', label: `this client (OvsdbIdl), ${WINDOW} in flight`, start: oursTxn('idl', WINDOW) },
      { key: 'raw-monitored-pipelined', label: `raw writer + monitor, ${RAW_WINDOW} in flight`, start: oursTxn('raw-monitored', RAW_WINDOW) },
    ],
  ];
  const txnRatioSides = {
    seq_vs_python_idl: { ours: 'idl-seq', theirs: 'python-seq' },
    pipelined_vs_raw: { ours: 'client-pipelined', theirs: 'raw-pipelined' },
    idl_pipelined_vs_raw_monitored: { ours: 'idl-pipelined', theirs: 'raw-monitored-pipelined' },
    idl_seq_vs_raw_monitored: { ours: 'idl-seq', theirs: 'raw-monitored-seq' },
    idl_seq_upkeep_skipped_vs_raw_monitored: { ours: 'idl-seq-upkeep-skipped', theirs: 'raw-monitored-seq' },
    client_seq_vs_python_idl: { ours: 'client-seq', theirs: 'python-seq' },
    raw_seq_vs_python_idl: { ours: 'raw-seq', theirs: 'python-seq' },
    raw_monitored_seq_vs_python_idl: { ours: 'raw-monitored-seq', theirs: 'python-seq' },
  };
  const selected = selectContenders(
    groups.flat().map(({ key }) => key),
    txnRatioSides,
    process.env.BENCH_ONLY,
  );
  const toRun = groups.map((group) => group.filter(({ key }) => selected.keys.includes(key))).filter((group) => group.length > 0);
  const summaries = new Map((await txnRounds(toRun)).map((summary, i) => [toRun.flat()[i].key, summary]));
  const pageFault = measurePageFaultCost();
  console.log(`a minor page fault (a fresh page of memory touched) costs ${pageFault.us.toFixed(1)} us on this machine (${pageFault.faults} counted)`);
  const ratioOf = (name: keyof typeof txnRatioSides) => {
    const sides = txnRatioSides[name];
    return txnRatio(summaries.get(sides.ours)!, summaries.get(sides.theirs)!);
  };
  if (process.env.BENCH_ONLY) {
    // Only some ratios: those, and the JSON of those; no sync nor reconnect.
    console.log('ratios (best run against best run; the medians\' ratio in brackets):');
    const only = Object.fromEntries(selected.ratios.map((name) => [name, ratioOf(name as keyof typeof txnRatioSides)]));
    for (const [name, ratio] of Object.entries(only)) {
      if (name === 'idl_seq_vs_raw_monitored') {
        txnVerdict('OvsdbIdl one at a time vs raw writer + monitor', ratio, 0.9);
        turnaroundLine(summaries.get('idl-seq')!, summaries.get('raw-monitored-seq')!);
        pageFaultLine(summaries.get('idl-seq')!, summaries.get('raw-monitored-seq')!, pageFault);
      } else if (name === 'pipelined_vs_raw') txnVerdict('pipelined vs raw writer (OvsdbClient, same work)', ratio, 0.9);
      else if (name === 'seq_vs_python_idl') txnVerdict('one at a time vs Python IDL (both with replica)', ratio, 3);
      else if (name === 'idl_seq_upkeep_skipped_vs_raw_monitored') reference(UPKEEP_SKIPPED_LABEL, ratio);
      else reference(name, ratio);
    }
    console.log(
      JSON.stringify({
        txn: TXN,
        repeat: REPEAT,
        warmup: WARMUP,
        jit_warmup: JIT_WARMUP,
        ...Object.fromEntries(Object.entries(only).flatMap(([name, ratio]) => [[name, round(ratio.best, 3)], [`${name}_median`, round(ratio.median, 3)]])),
        ...contenderFigures(summaries),
        page_fault_us: round(pageFault.us, 1),
      }),
    );
    return;
  }
  const summary = (key: string) => summaries.get(key)!;
  const [pythonIdl, seq, rawMonitoredSeq, clientSeq, pipelined, raw, idlPipelined, rawMonitored] = ['python-seq', 'idl-seq', 'raw-monitored-seq', 'client-seq', 'client-pipelined', 'raw-pipelined', 'idl-pipelined', 'raw-monitored-pipelined'].map(summary);
  const rawSeq = summary('raw-seq');
  const sync = await syncContender(`initial sync ${SYNC_PORTS} ports, this client`, (s) => ours(['sync', s.unixRemote, String(SYNC_PORTS)]));
  const pythonSync = await syncContender(`initial sync ${SYNC_PORTS} ports, Python IDL`, (s) => python(['sync', s.unixRemote, VSWITCH_SCHEMA, String(SYNC_PORTS)]));
  const rc = await reconnectContender('forced reconnect, this client', (s) => ours(['reconnect', s.unixRemote, String(RECONNECT_ROUNDS), s.ctl]));
  const pythonRc = await reconnectContender('forced reconnect, Python IDL', (s) => python(['reconnect', s.unixRemote, VSWITCH_SCHEMA, String(RECONNECT_ROUNDS), s.ctl]));

  const txnRatios = {
    seq_vs_python_idl: ratioOf('seq_vs_python_idl'),
    pipelined_vs_raw: ratioOf('pipelined_vs_raw'),
    idl_pipelined_vs_raw_monitored: ratioOf('idl_pipelined_vs_raw_monitored'),
    idl_seq_vs_raw_monitored: ratioOf('idl_seq_vs_raw_monitored'),
    idl_seq_upkeep_skipped_vs_raw_monitored: ratioOf('idl_seq_upkeep_skipped_vs_raw_monitored'),
    client_seq_vs_python_idl: ratioOf('client_seq_vs_python_idl'),
  };
  const ratios = {
    ...Object.fromEntries(Object.entries(txnRatios).map(([key, ratio]) => [key, ratio.best])),
    ...Object.fromEntries(Object.entries(txnRatios).map(([key, ratio]) => [`${key}_median`, ratio.median])),
    sync_speedup_vs_python_idl: pythonSync.seconds / sync.seconds,
    sync_memory_vs_python_idl: sync.rss_growth_bytes / pythonSync.rss_growth_bytes,
  };
  const reconnectMs = Math.max(...rc.ms);
  console.log('ratios (best run against best run; the medians\' ratio in brackets):');
  txnVerdict('one at a time vs Python IDL (both with replica)', txnRatios.seq_vs_python_idl, 3);
  reference('  OvsdbClient alone one at a time vs Python IDL', txnRatios.client_seq_vs_python_idl);
  reference('  ceilings: raw writer one at a time vs Python IDL', ratioOf('raw_seq_vs_python_idl'), ratioOf('raw_monitored_seq_vs_python_idl'));
  txnVerdict('OvsdbIdl one at a time vs raw writer + monitor', txnRatios.idl_seq_vs_raw_monitored, 0.9);
  turnaroundLine(seq, rawMonitoredSeq);
  pageFaultLine(seq, rawMonitoredSeq, pageFault);
  reference(UPKEEP_SKIPPED_LABEL, txnRatios.idl_seq_upkeep_skipped_vs_raw_monitored);
  txnVerdict('pipelined vs raw writer (OvsdbClient, same work)', txnRatios.pipelined_vs_raw, 0.9);
  reference('  OvsdbIdl pipelined vs raw writer + monitor', txnRatios.idl_pipelined_vs_raw_monitored);
  verdict('initial sync, speed vs Python IDL', ratios.sync_speedup_vs_python_idl, '>= 3x', ratios.sync_speedup_vs_python_idl >= 3);
  verdict('initial sync, memory vs Python IDL', ratios.sync_memory_vs_python_idl, '<= 0.33x', ratios.sync_memory_vs_python_idl <= 1 / 3);
  verdict('forced reconnect, slowest round', reconnectMs, '<= 150 ms', reconnectMs <= 150, ' ms');
  const perS = (summary: TxnSummary) => Math.round(summary.best);
  const serverCpu = (summary: TxnSummary) => (summary.serverCpuUsPerTxn === undefined ? null : Math.round(summary.serverCpuUsPerTxn));
  console.log(
    JSON.stringify({
      seq_txn_per_s: perS(seq),
      seq_contender: 'OvsdbIdl (replica, as the Python IDL)',
      pipelined_txn_per_s: perS(pipelined),
      pipelined_contender: 'OvsdbClient (no replica, as the raw writer)',
      client_seq_txn_per_s: perS(clientSeq),
      idl_pipelined_txn_per_s: perS(idlPipelined),
      python_idl_txn_per_s: perS(pythonIdl),
      raw_limit_txn_per_s: perS(raw),
      raw_one_at_a_time_txn_per_s: perS(rawSeq),
      raw_monitored_txn_per_s: perS(rawMonitored),
      raw_monitored_one_at_a_time_txn_per_s: perS(rawMonitoredSeq),
      pipelined_server_cpu_us_per_txn: serverCpu(pipelined),
      raw_limit_server_cpu_us_per_txn: serverCpu(raw),
      sync_20k_s: round(sync.seconds, 3),
      sync_20k_mib: round(sync.rss_growth_bytes / MIB, 1),
      python_idl_sync_20k_s: round(pythonSync.seconds, 3),
      python_idl_sync_20k_mib: round(pythonSync.rss_growth_bytes / MIB, 1),
      reconnect_ms: round(reconnectMs, 1),
      reconnect_median_ms: round(median(rc.ms), 1),
      python_idl_reconnect_ms: round(Math.max(...pythonRc.ms), 1),
      python_idl_reconnect_median_ms: round(median(pythonRc.ms), 1),
      txn: TXN,
      repeat: REPEAT,
      warmup: WARMUP,
      jit_warmup: JIT_WARMUP,
      window: WINDOW,
      sync_ports: SYNC_PORTS,
      ...contenderFigures(summaries),
      page_fault_us: round(pageFault.us, 1),
      ...Object.fromEntries(Object.entries(ratios).map(([key, value]) => [key, round(value, 3)])),
    }),
  );
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
