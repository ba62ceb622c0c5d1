import { measurePageFaultCost, minorFaults } from './page-faults';

describe('page faults', () => {
  it('counts the faults of touching fresh memory, one per page at least half the time', () => {
    const before = minorFaults();
    const cost = measurePageFaultCost(4 * 2 ** 20, 2);
    expect(minorFaults() - before).toBeGreaterThanOrEqual(cost.faults);
    expect(cost.faults).toBeGreaterThanOrEqual(512);
    expect(cost.us).toBeGreaterThan(0);
    expect(Number.isFinite(cost.us)).toBe(true);
  });

  it('refuses a measurement whose memory turned out not to be fresh', () => {
    // Filled before it is handed over: every page is mapped before the count starts.
    expect(() => measurePageFaultCost(4 * 2 ** 20, 1, (bytes) => Buffer.allocUnsafeSlow(bytes).fill(1))).toThrow(/was not fresh/);
  });
});
