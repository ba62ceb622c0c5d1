import { DesiredStateInputError } from './errors';

/** Items by their key; two items with one key are a caller's bug (`what` names the records). */
export function indexUnique<T>(items: readonly T[], key: (item: T) => string, what: string): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (index.has(k)) throw new DesiredStateInputError(`two ${what} records share the key "${k}"`);
    index.set(k, item);
  }
  return index;
}
