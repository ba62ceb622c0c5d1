/**
 * Interleaved rounds of the transaction contenders, and what is kept of their runs.
 * Every contender runs once per round; odd rounds run the list backwards, so that each
 * contender follows a different one from round to round, and the two sides of a ratio
 * (listed next to each other) take turns at running first. A busy spell of this shared
 * machine then falls on both sides alike, in either order.
 *
 * The two sides of a ratio of ours run as a group, in segments (inSegments): both start
 * at once, each on its own server (their untimed warm-ups overlap), then their timed runs
 * take turns, a few hundred transactions at a time, so that whatever the machine does
 * falls on both alike. Run one after the other, each side's warm-up came between the two
 * timed runs, and on this virtual machine the steal time alone changes within seconds;
 * what was measured, before and after: libs/ovsdb/README.md, Benchmarks.
 */
import type { TxnResult } from './contenders';
import type { SegmentedRun } from './processes';

/** The run order of round `round` (0-based): the list as given, backwards in odd rounds. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/**
 * `repeat` rounds of `run` over `groups` of contenders (a group: one contender, or the two
 * sides of a ratio, run in turn); in odd rounds the groups and the members of each group
 * come backwards. `run` gets a group's members in their order for this round and returns
 * their results in that order. The runs of each contender, in the order of the contenders
 * as listed (the groups flattened).
 */
export async function runRounds<C>(groups: readonly (readonly C[])[], repeat: number, run: (group: readonly C[]) => Promise<TxnResult[]>): Promise<TxnResult[][]> {
  const contenders = groups.flat();
  if (new Set(contenders).size !== contenders.length) throw new Error('a contender is listed twice');
  const runs = new Map<C, TxnResult[]>(contenders.map((contender) => [contender, []]));
  for (let round = 0; round < repeat; round++) {
    for (const group of roundOrder(groups, round)) {
      const members = roundOrder(group, round);
      const results = await run(members);
      if (results.length !== members.length) throw new Error(`${results.length} results for ${members.length} contenders`);
      members.forEach((member, i) => runs.get(member)!.push(results[i]));
    }
  }
  return contenders.map((contender) => runs.get(contender)!);
}

/** `total` transactions cut into `segments` segments, as even as they come (the larger ones first). */
export function segmentSizes(total: number, segments: number): number[] {
  if (!Number.isInteger(total) || !Number.isInteger(segments) || segments < 1 || total < segments) throw new Error(`cannot cut ${total} transactions into ${segments} segments`);
  return Array.from({ length: segments }, (_, k) => Math.floor(total / segments) + (k < total % segments ? 1 : 0));
}

/**
 * Runs `members` (started at once, their warm-ups overlapping) in turns: once all are
 * ready, each runs a segment of its timed run in turn, the order reversed every other
 * segment (a b, b a, a b, ...), so that each side runs first as often as second and both
 * are timed within a fraction of a second of each other throughout; `total` transactions
 * each in `segments` segments. The results in the members' order; on any failure every
 * member is aborted.
 */
export async function inSegments<T>(members: readonly SegmentedRun<T>[], total: number, segments: number): Promise<T[]> {
  const sizes = segmentSizes(total, segments);
  try {
    await Promise.all(members.map((member) => member.ready));
    for (const [k, size] of sizes.entries()) {
      for (const member of roundOrder(members, k)) await member.segment(size);
    }
    return await Promise.all(members.map((member) => member.finish()));
  } catch (error) {
    for (const member of members) member.abort();
    throw error;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A contender's runs, summed up: its best and its median throughput, and its median CPU (and turnaround) figures. */
export interface TxnSummary {
  best: number;
  median: number;
  cpuUsPerTxn: number;
  /** Undefined when no run reported the server's CPU (the Python IDL's). */
  serverCpuUsPerTxn?: number;
  /** The median of the runs' turnarounds (contenders.ts, TxnResult); undefined unless every run measured one. */
  turnaroundUs?: number;
  /** The median of the runs' page faults per transaction; undefined unless every run counted them. */
  faultsPerTxn?: number;
  runs: number[];
}

export function summarize(runs: readonly TxnResult[]): TxnSummary {
  if (runs.length === 0) throw new Error('no runs to summarize');
  const rates = runs.map((run) => run.txn_per_s);
  const serverCpu = medianOfEvery(runs, (run) => run.server_cpu_us_per_txn);
  const turnaround = medianOfEvery(runs, (run) => run.turnaround_us);
  const faults = medianOfEvery(runs, (run) => run.minor_faults_per_txn);
  return {
    best: Math.max(...rates),
    median: median(rates),
    cpuUsPerTxn: median(runs.map((run) => run.cpu_us_per_txn)),
    ...(serverCpu === undefined ? {} : { serverCpuUsPerTxn: serverCpu }),
    ...(turnaround === undefined ? {} : { turnaroundUs: turnaround }),
    ...(faults === undefined ? {} : { faultsPerTxn: faults }),
    runs: rates,
  };
}

/** The median of a figure over the runs; undefined unless every run has it. */
function medianOfEvery(runs: readonly TxnResult[], pick: (run: TxnResult) => number | undefined): number | undefined {
  const values: number[] = [];
  for (const run of runs) {
    const value = pick(run);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return median(values);
}
