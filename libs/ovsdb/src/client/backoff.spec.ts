import fc from 'fast-check';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles the ceiling per failure up to the max, with full jitter below it', () => {
    const rolls = [0.999, 0.5, 0, 0.999, 0.999, 0.999, 0.999, 0.999];
    let k = 0;
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => rolls[k++] });
    const delays = rolls.map(() => backoff.nextDelayMs());
    // ceilings: 100, 200, 400, 800, 1000, 1000, 1000, 1000
    expect(delays).toEqual([99, 100, 0, 799, 999, 999, 999, 999]);
    expect(backoff.attempts).toBe(8);
  });

  it('keeps every delay within [0, ceiling) for any random source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 100_000 }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 80 }), (initial, extra, rolls) => {
        let k = 0;
        const backoff = new Backoff({ initialDelayMs: initial, maxDelayMs: initial + extra, random: () => rolls[k++] });
        for (let i = 0; i < rolls.length; i++) {
          const ceiling = Math.min(initial + extra, initial * 2 ** i);
          const delay = backoff.nextDelayMs();
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        }
      }),
    );
  });

  it('retries at once after a peer drop, then backs off from the start', () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 8000, random: () => 0.999 });
    for (let i = 0; i < 6; i++) backoff.nextDelayMs();
    backoff.succeeded();
    backoff.droppedByPeer();
    expect(backoff.nextDelayMs()).toBe(0);
    expect(backoff.nextDelayMs()).toBe(99);
    expect(backoff.nextDelayMs()).toBe(199);
  });

  it('starts over after a success', () => {
    const backoff = new Backoff({ initialDelayMs: 10, maxDelayMs: 10_000, random: () => 0.5 });
    for (let i = 0; i < 10; i++) backoff.nextDelayMs();
    expect(backoff.ceilingMs).toBe(10_000);
    backoff.succeeded();
    expect(backoff.ceilingMs).toBe(10);
    expect(backoff.nextDelayMs()).toBe(5);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialDelayMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialDelayMs: 100, maxDelayMs: 50 })).toThrow(RangeError);
  });
});
