import type { TxnResult } from './contenders';
import { median, roundOrder, runRounds, summarize } from './rounds';

const result = (txnPerS: number, serverCpu?: number): TxnResult => ({
  txn: 100,
  seconds: 100 / txnPerS,
  txn_per_s: txnPerS,
  cpu_us_per_txn: 1_000_000 / txnPerS,
  ...(serverCpu === undefined ? {} : { server_cpu_us_per_txn: serverCpu }),
});

describe('roundOrder', () => {
  it('runs even rounds as listed and odd rounds backwards', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
  });
});

describe('runRounds', () => {
  it('runs every contender once per round, alternating the order, and returns the runs in the contenders’ order', async () => {
    const calls: string[] = [];
    let clock = 0;
    const runs = await runRounds(['a', 'b'], 3, async (name) => {
      calls.push(name);
      return result(++clock);
    });
    expect(calls).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(runs.map((list) => list.map((run) => run.txn_per_s))).toEqual([
      [1, 4, 5],
      [2, 3, 6],
    ]);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});

describe('summarize', () => {
  it('keeps the best and the median throughput, and the median CPU figures', () => {
    const summary = summarize([result(100, 50), result(400, 20), result(200, 30), result(300, 40)]);
    expect(summary.best).toBe(400);
    expect(summary.median).toBe(250);
    expect(summary.cpuUsPerTxn).toBeCloseTo((1_000_000 / 300 + 1_000_000 / 200) / 2);
    expect(summary.serverCpuUsPerTxn).toBe(35);
    expect(summary.runs).toEqual([100, 400, 200, 300]);
  });

  it('gives no server figure unless every run has one', () => {
    expect(summarize([result(100, 50), result(200)]).serverCpuUsPerTxn).toBeUndefined();
  });

  it('refuses an empty list', () => {
    expect(() => summarize([])).toThrow('no runs');
  });
});
