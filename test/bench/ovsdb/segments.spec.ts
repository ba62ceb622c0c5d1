import { PassThrough } from 'node:stream';
import { lineSegments } from './segments';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('lineSegments', () => {
  it('says ready, answers each `run N` with the segment done, and ends at `end`', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let said = '';
    output.setEncoding('utf8').on('data', (text: string) => (said += text));
    const next = lineSegments(input, output);

    const first = next();
    await settle();
    expect(said).toBe('ready\n');
    input.write('run 3');
    await settle();
    let got: number | undefined | 'pending' = 'pending';
    void first.then((size) => (got = size));
    await settle();
    expect(got).toBe('pending'); // not a whole line yet
    input.write('00\nrun 7\n'); // a line and the next one at once
    await expect(first).resolves.toBe(300);

    await expect(next({ txn: 300, seconds: 0.1, cpu_us: 5000 })).resolves.toBe(7);
    expect(said).toBe('ready\n{"txn":300,"seconds":0.1,"cpu_us":5000}\n');
    const last = next({ txn: 7, seconds: 0.01, cpu_us: 70, server_cpu_us: 90 });
    input.write('end\n');
    await expect(last).resolves.toBeUndefined();
  });

  it('refuses anything else, and an input that ends before `end`', async () => {
    const input = new PassThrough();
    const next = lineSegments(input, new PassThrough());
    const first = next();
    input.write('run 0\n');
    await expect(first).rejects.toThrow('expected `run N` or `end`, got "run 0"');
    const second = next();
    input.end();
    await expect(second).rejects.toThrow('stdin ended before `end`');
    await expect(next()).rejects.toThrow('stdin ended before `end`');
  });
});
