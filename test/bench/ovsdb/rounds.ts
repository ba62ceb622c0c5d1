/**
 * Interleaved rounds of the transaction contenders, and what is kept of their runs.
 * Every contender runs once per round; odd rounds run the list backwards, so that each
 * contender follows a different one from round to round, and the two sides of a ratio
 * (listed next to each other) take turns at running first. A busy spell of this shared
 * machine then falls on both sides alike, in either order.
 */
import type { TxnResult } from './contenders';

/** The run order of round `round` (0-based): the list as given, backwards in odd rounds. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** `repeat` rounds of `run` over `contenders`; the runs of each contender, in the contenders' order. */
export async function runRounds<C>(contenders: readonly C[], repeat: number, run: (contender: C) => Promise<TxnResult>): Promise<TxnResult[][]> {
  const runs = new Map<C, TxnResult[]>(contenders.map((contender) => [contender, []]));
  for (let round = 0; round < repeat; round++) {
    for (const contender of roundOrder(contenders, round)) runs.get(contender)!.push(await run(contender));
  }
  return contenders.map((contender) => runs.get(contender)!);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A contender's runs, summed up: its best and its median throughput, and its median CPU figures. */
export interface TxnSummary {
  best: number;
  median: number;
  cpuUsPerTxn: number;
  /** Undefined when no run reported the server's CPU (the Python IDL's). */
  serverCpuUsPerTxn?: number;
  runs: number[];
}

export function summarize(runs: readonly TxnResult[]): TxnSummary {
  if (runs.length === 0) throw new Error('no runs to summarize');
  const rates = runs.map((run) => run.txn_per_s);
  const serverCpu = runs.flatMap((run) => (run.server_cpu_us_per_txn === undefined ? [] : [run.server_cpu_us_per_txn]));
  return {
    best: Math.max(...rates),
    median: median(rates),
    cpuUsPerTxn: median(runs.map((run) => run.cpu_us_per_txn)),
    ...(serverCpu.length === runs.length ? { serverCpuUsPerTxn: median(serverCpu) } : {}),
    runs: rates,
  };
}
