import { BatchedReads } from './batched-reads';

/** A readMany that reads `values` as they are when it is called, and answers when `release()` is called. */
function source(values: Map<string, number>) {
  const reads: string[][] = [];
  const held: (() => void)[] = [];
  let failNext: Error | null = null;
  const readMany = (keys: string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => {
      reads.push(keys);
      const read = new Map(keys.filter((k) => values.has(k)).map((k) => [k, values.get(k) as number]));
      held.push(() => {
        const failure = failNext;
        failNext = null;
        if (failure) reject(failure);
        else resolve(read);
      });
    });
  const release = async () => {
    for (const answer of held.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { reads, readMany, release, failWith: (error: Error) => (failNext = error) };
}

describe('BatchedReads', () => {
  it('reads a lone key at once', async () => {
    const s = source(new Map([['a', 1]]));
    const value = new BatchedReads(s.readMany).get('a');
    expect(s.reads).toEqual([['a']]);
    await s.release();
    await expect(value).resolves.toBe(1);
  });

  it('reads the keys asked for during a read together in the next one, which sees what changed since', async () => {
    const values = new Map([['a', 1], ['b', 2]]);
    const s = source(values);
    const reads = new BatchedReads(s.readMany);
    const first = reads.get('a');
    values.set('a', 10);
    const later = [reads.get('a'), reads.get('b'), reads.get('a'), reads.get('missing')];
    await s.release();
    await s.release();
    expect(s.reads).toEqual([['a'], ['a', 'b', 'missing']]);
    await expect(first).resolves.toBe(1);
    await expect(Promise.all(later)).resolves.toEqual([10, 2, 10, undefined]);
  });

  it('fails the callers of a failed read and serves the next ones', async () => {
    const s = source(new Map([['a', 1]]));
    const reads = new BatchedReads(s.readMany);
    s.failWith(new Error('Connection is closed'));
    const failed = reads.get('a');
    const assertion = expect(failed).rejects.toThrow('Connection is closed');
    await s.release();
    await assertion;
    const next = reads.get('a');
    await s.release();
    await expect(next).resolves.toBe(1);
  });
});
