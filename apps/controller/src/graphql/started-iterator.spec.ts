import { NotFoundError } from '../common/api-errors';
import { startedIterator } from './started-iterator';

/** A source that yields `values`, counting how it is ended. */
function source(values: number[]): AsyncIterator<number> & { returned: number } {
  let i = 0;
  const it = {
    returned: 0,
    async next(): Promise<IteratorResult<number>> {
      return i < values.length ? { done: false, value: values[i++] } : { done: true, value: undefined };
    },
    async return(): Promise<IteratorResult<number>> {
      it.returned++;
      return { done: true, value: undefined };
    },
  };
  return it;
}

describe('startedIterator', () => {
  it('yields the first value it waited for, then the rest', async () => {
    const values: number[] = [];
    for await (const value of await startedIterator(source([1, 2, 3]))) values.push(value);
    expect(values).toEqual([1, 2, 3]);
  });

  it('has read the first value before it is handed out', async () => {
    const inner = source([7]);
    const next = jest.spyOn(inner, 'next');
    await startedIterator(inner);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('fails where it is made when the source fails at once', async () => {
    const failing: AsyncIterator<number> = { next: () => Promise.reject(new NotFoundError('id', 'operation "x" does not exist')) };
    await expect(startedIterator(failing)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('ends the source when ended early, and yields nothing more', async () => {
    const inner = source([1, 2, 3]);
    const started = await startedIterator(inner);
    expect(await started.next()).toEqual({ done: false, value: 1 });
    expect(await started.return?.()).toEqual({ done: true, value: undefined });
    expect(inner.returned).toBe(1);
    expect(await started.next()).toEqual({ done: true, value: undefined });
  });
});
