import { Mutex } from './mutex';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Mutex', () => {
  it('runs one holder at a time, in call order, and says when it is busy', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    let release!: () => void;
    const first = mutex.run(async () => {
      log.push('first in');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('first out');
      return 1;
    });
    const second = mutex.run(async () => {
      log.push('second');
      return 2;
    });
    await tick();
    expect(mutex.busy).toBe(true);
    expect(log).toEqual(['first in']);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first in', 'first out', 'second']);
    expect(mutex.busy).toBe(false);
  });

  it('a holder that throws rejects its own call only; the next one runs', async () => {
    const mutex = new Mutex();
    const failed = mutex.run(() => Promise.reject(new Error('boom')));
    const next = mutex.run(async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    expect(mutex.busy).toBe(false);
  });
});
