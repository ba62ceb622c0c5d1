import { timedRun } from './contenders';
import type { NextSegment, Segment } from './segments';

/** A run that records what it was asked and reports `seconds` and CPU per transaction as given. */
function recorder(perTxn: { seconds: number; cpu: number; server?: number; faults?: number }) {
  const calls: [number, number][] = [];
  const run = async (n: number, first: number): Promise<Segment> => {
    calls.push([n, first]);
    return {
      txn: n,
      seconds: n * perTxn.seconds,
      cpu_us: n * perTxn.cpu,
      ...(perTxn.server === undefined ? {} : { server_cpu_us: n * perTxn.server }),
      ...(perTxn.faults === undefined ? {} : { minor_faults: n * perTxn.faults }),
    };
  };
  return { calls, run };
}

/** Segments of these sizes, then the end; records what each call reported. */
function asking(sizes: number[]) {
  const reported: (Segment | undefined)[] = [];
  const next: NextSegment = async (done) => {
    reported.push(done);
    return sizes.shift();
  };
  return { reported, next };
}

describe('timedRun', () => {
  it('runs all transactions in one go without segments', async () => {
    const { calls, run } = recorder({ seconds: 0.001, cpu: 200, server: 300 });
    const result = await timedRun(100, run);
    expect(calls).toEqual([[100, 0]]);
    expect(result).toEqual({ txn: 100, seconds: 0.1, txn_per_s: 1000, cpu_us_per_txn: 200, server_cpu_us_per_txn: 300 });
  });

  it('runs the segments asked for, numbering on, reports each, and sums them up', async () => {
    const { calls, run } = recorder({ seconds: 0.002, cpu: 100, server: 50 });
    const { reported, next } = asking([30, 30, 40]);
    const result = await timedRun(100, run, next);
    expect(calls).toEqual([
      [30, 0],
      [30, 30],
      [40, 60],
    ]);
    expect(reported.map((segment) => segment?.txn)).toEqual([undefined, 30, 30, 40]);
    expect(result.txn).toBe(100);
    expect(result.seconds).toBeCloseTo(0.2);
    expect(result.txn_per_s).toBeCloseTo(500);
    expect(result.cpu_us_per_txn).toBeCloseTo(100);
    expect(result.server_cpu_us_per_txn).toBeCloseTo(50);
  });

  it('gives no server figure without the server’s CPU', async () => {
    const { run } = recorder({ seconds: 0.001, cpu: 1 });
    expect((await timedRun(10, run, asking([5, 5]).next)).server_cpu_us_per_txn).toBeUndefined();
  });

  it('sums the segments’ page faults per transaction, none unless every segment counted them', async () => {
    expect((await timedRun(100, recorder({ seconds: 0.001, cpu: 1, faults: 1.5 }).run, asking([30, 70]).next)).minor_faults_per_txn).toBeCloseTo(1.5);
    expect((await timedRun(10, recorder({ seconds: 0.001, cpu: 1 }).run, asking([5, 5]).next)).minor_faults_per_txn).toBeUndefined();
  });

  it('refuses segments that do not add up to the run', async () => {
    await expect(timedRun(100, recorder({ seconds: 1, cpu: 1 }).run, asking([60, 60]).next)).rejects.toThrow('segments of more than 100 transactions asked for');
    await expect(timedRun(100, recorder({ seconds: 1, cpu: 1 }).run, asking([60]).next)).rejects.toThrow('60 of 100 transactions run in segments');
  });
});
