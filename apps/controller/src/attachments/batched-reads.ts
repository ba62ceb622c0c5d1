import { GroupWhileBusy } from '../common/group-while-busy';

/**
 * Reads shared by the callers that want them at about the same time: one read in flight at
 * a time, and the keys asked for meanwhile are read together (each once) by the next one.
 * That read starts after they were asked for, so each caller sees state at least as fresh as
 * a read of its own would have shown. The values are shared between callers: treat them as
 * read-only.
 */
export class BatchedReads<V> {
  private readonly reads: GroupWhileBusy<string, V | undefined>;

  /** `readMany` answers the keys it was given; a key it leaves out reads as undefined. */
  constructor(readMany: (keys: string[]) => Promise<Map<string, V>>) {
    this.reads = new GroupWhileBusy(async (keys) => {
      const values = await readMany([...new Set(keys)]);
      return keys.map((key) => values.get(key));
    });
  }

  get(key: string): Promise<V | undefined> {
    return this.reads.run(key);
  }
}
