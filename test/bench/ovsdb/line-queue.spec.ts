import { PassThrough } from 'node:stream';
import { LineQueue } from './line-queue';

describe('LineQueue', () => {
  it('gives each line once, trimmed and in order, whether it came before or after it was asked for', async () => {
    const input = new PassThrough();
    const lines = new LineQueue(input);
    const first = lines.next();
    input.write(' ready\r\nrun 3\n{"tx');
    expect(await first).toBe('ready');
    expect(await lines.next()).toBe('run 3');
    const third = lines.next();
    input.write('n":1}\n');
    expect(await third).toBe('{"txn":1}');
  });

  it('once closed, answers the lines left, then the close\'s error, also to those already waiting', async () => {
    const input = new PassThrough();
    const lines = new LineQueue(input);
    input.write('last\n');
    await new Promise((resolve) => setImmediate(resolve));
    const closing = new Error('ended');
    lines.close(closing);
    expect(await lines.next()).toBe('last');
    await expect(lines.next()).rejects.toBe(closing);

    const other = new LineQueue(new PassThrough());
    const waiting = other.next();
    other.close(closing);
    await expect(waiting).rejects.toBe(closing);
  });
});
