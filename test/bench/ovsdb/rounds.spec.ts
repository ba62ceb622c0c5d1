import type { TxnResult } from './contenders';
import type { SegmentedRun } from './processes';
import { inSegments, median, roundOrder, runRounds, segmentSizes, summarize } from './rounds';

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
    const runs = await runRounds([['a'], ['b']], 3, async (group) => {
      calls.push(...group);
      return group.map(() => result(++clock));
    });
    expect(calls).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(runs.map((list) => list.map((run) => run.txn_per_s))).toEqual([
      [1, 4, 5],
      [2, 3, 6],
    ]);
  });

  it('runs a group together, its members backwards in odd rounds, and files each result under its member', async () => {
    const calls: string[][] = [];
    const runs = await runRounds([['p'], ['a', 'b']], 2, async (group) => {
      calls.push([...group]);
      return group.map((member) => result(member === 'a' ? 10 : member === 'b' ? 20 : 30));
    });
    expect(calls).toEqual([['p'], ['a', 'b'], ['b', 'a'], ['p']]);
    expect(runs.map((list) => list.map((run) => run.txn_per_s))).toEqual([
      [30, 30],
      [10, 10],
      [20, 20],
    ]);
  });

  it('refuses a contender listed twice, and a group run with a result missing', async () => {
    await expect(runRounds([['a'], ['a', 'b']], 1, async (group) => group.map(() => result(1)))).rejects.toThrow('listed twice');
    await expect(runRounds([['a', 'b']], 1, async () => [result(1)])).rejects.toThrow('1 results for 2 contenders');
  });
});

describe('segmentSizes', () => {
  it('cuts a total into even segments, the larger ones first', () => {
    expect(segmentSizes(3000, 10)).toEqual(Array(10).fill(300));
    expect(segmentSizes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(segmentSizes(5, 1)).toEqual([5]);
  });

  it('refuses fewer transactions than segments, or no segment', () => {
    expect(() => segmentSizes(3, 4)).toThrow('cannot cut 3 transactions into 4 segments');
    expect(() => segmentSizes(3, 0)).toThrow('cannot cut');
  });
});

describe('inSegments', () => {
  /** A member that logs what it is asked; `failAt` makes that segment (0-based) fail. */
  const member = (name: string, log: string[], options: { ready?: Promise<void>; failAt?: number } = {}): SegmentedRun<string> & { aborted: boolean } => {
    let segments = 0;
    let done = 0;
    const self = {
      pid: undefined,
      aborted: false,
      ready: options.ready ?? Promise.resolve(),
      async segment(count: number) {
        if (segments++ === options.failAt) throw new Error(`${name} failed`);
        log.push(`${name}${count}`);
        done += count;
        return { txn: count, seconds: 1, cpu_us: 1 };
      },
      async finish() {
        log.push(`${name} end`);
        return `${name}:${done}`;
      },
      abort() {
        self.aborted = true;
      },
    };
    return self;
  };

  it('waits for every member, then runs their segments in turns, the order reversed every other segment', async () => {
    const log: string[] = [];
    let release!: () => void;
    const late = new Promise<void>((resolve) => (release = resolve));
    const running = inSegments([member('a', log), member('b', log, { ready: late })], 10, 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([]); // b is not ready yet
    release();
    await expect(running).resolves.toEqual(['a:10', 'b:10']);
    expect(log).toEqual(['a3', 'b3', 'b3', 'a3', 'a2', 'b2', 'b2', 'a2', 'a end', 'b end']);
  });

  it('aborts every member when one fails, whether getting ready or in a segment', async () => {
    const log: string[] = [];
    const failedReady = Promise.reject(new Error('a died warming up'));
    const a = member('a', log, { ready: failedReady });
    const b = member('b', log);
    await expect(inSegments([a, b], 10, 2)).rejects.toThrow('a died warming up');
    expect([a.aborted, b.aborted, log]).toEqual([true, true, []]);

    const c = member('c', log);
    const d = member('d', log, { failAt: 1 });
    await expect(inSegments([c, d], 10, 2)).rejects.toThrow('d failed');
    expect([c.aborted, d.aborted, log]).toEqual([true, true, ['c5', 'd5']]);
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

  it('keeps the median of the runs’ turnarounds, none unless every run has one', () => {
    const turning = (txnPerS: number, turnaroundUs?: number): TxnResult => ({ ...result(txnPerS), ...(turnaroundUs === undefined ? {} : { turnaround_us: turnaroundUs }) });
    expect(summarize([turning(100, 60), turning(300, 40), turning(200, 90)]).turnaroundUs).toBe(60);
    expect(summarize([turning(100, 60), turning(300)]).turnaroundUs).toBeUndefined();
  });

  it('keeps the median of the runs’ page faults per transaction, none unless every run counted them', () => {
    const faulting = (txnPerS: number, faults?: number): TxnResult => ({ ...result(txnPerS), ...(faults === undefined ? {} : { minor_faults_per_txn: faults }) });
    expect(summarize([faulting(100, 1.5), faulting(300, 0.5), faulting(200, 2)]).faultsPerTxn).toBe(1.5);
    expect(summarize([faulting(100, 1.5), faulting(300)]).faultsPerTxn).toBeUndefined();
  });

  it('refuses an empty list', () => {
    expect(() => summarize([])).toThrow('no runs');
  });
});
