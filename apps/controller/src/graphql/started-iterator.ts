/**
 * Waits for a source's first value, then hands out an iterator that yields it and the rest.
 * A subscription built on it fails when it is made (unknown id, no such operation) with a
 * GraphQL error in the usual shape, instead of failing the stream after it was accepted.
 * Ending it early (`return()`, a subscriber leaving) ends the source at once.
 */
export async function startedIterator<T>(source: AsyncIterator<T>): Promise<AsyncIterableIterator<T>> {
  let first: IteratorResult<T> | null = await source.next();
  let ended = false;
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (ended) return { done: true, value: undefined };
      if (first) {
        const result = first;
        first = null;
        return result;
      }
      return source.next();
    },
    async return() {
      ended = true;
      first = null;
      return (await source.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
