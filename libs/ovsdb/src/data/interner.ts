/**
 * Map keys repeat across rows (`external_ids:iface-id`, the keys of `Interface.statistics`
 * on every interface...), and JSON.parse makes a new string for each occurrence. Decoding
 * map keys through this table keeps one copy. Bounded: once `capacity` distinct strings
 * are held, new ones pass through unshared, so unusual keys cannot grow memory forever.
 */
export class StringInterner {
  private readonly strings = new Map<string, string>();

  constructor(readonly capacity: number) {}

  intern(text: string): string {
    const shared = this.strings.get(text);
    if (shared !== undefined) return shared;
    if (this.strings.size < this.capacity) this.strings.set(text, text);
    return text;
  }

  get size(): number {
    return this.strings.size;
  }
}

/** Shared by every string-keyed map column decoded in this process. */
export const mapKeys = new StringInterner(16_384);
