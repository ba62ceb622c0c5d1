import { runJsonChild, startSegmentedChild } from './processes';

// A child speaking segments.ts's protocol: ready, one JSON line per `run N`, its total at `end`
// (or it exits with 3 at `run 13`).
const SEGMENTED = `
if (process.env.BENCH_CHILD_SEGMENTED !== '1') process.exit(2);
const { lineSegments } = require(${JSON.stringify(require.resolve('./segments'))});
(async () => {
  const next = lineSegments();
  let total = 0;
  for (let n = await next(); n !== undefined; n = await next({ txn: n, seconds: 0, cpu_us: 0 })) {
    if (n === 13) process.exit(3);
    total += n;
  }
  process.stdout.write(JSON.stringify({ total, at: Date.now() }) + '\\n');
})();
`;

describe('runJsonChild', () => {
  it('resolves with the JSON of the last line', async () => {
    await expect(runJsonChild(process.execPath, ['-e', 'console.log("noise"); console.log(JSON.stringify({ a: 1 }))'])).resolves.toEqual({ a: 1 });
  });
});

describe('startSegmentedChild', () => {
  // The child requires segments.ts, a TypeScript file: it runs under tsx, as the bench's children do.
  const tsx = ['--import', 'tsx'];

  it('is ready, runs the segments asked for one at a time, and resolves with the child’s result at the end', async () => {
    const child = startSegmentedChild<{ total: number; at: number }>(process.execPath, [...tsx, '-e', SEGMENTED]);
    await child.ready;
    await expect(child.segment(300)).resolves.toEqual({ txn: 300, seconds: 0, cpu_us: 0 });
    await child.segment(7);
    const before = Date.now();
    const result = await child.finish();
    expect(result.total).toBe(307);
    expect(result.at).toBeGreaterThanOrEqual(before);
  }, 30_000);

  it('fails a segment whose child dies, and the child that never gets ready when aborted', async () => {
    const dying = startSegmentedChild(process.execPath, [...tsx, '-e', SEGMENTED]);
    await dying.ready;
    await expect(dying.segment(13)).rejects.toThrow('exited with 3');
    const stuck = startSegmentedChild(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    stuck.abort();
    await expect(stuck.ready).rejects.toThrow('exited with SIGKILL');
  }, 30_000);
});
