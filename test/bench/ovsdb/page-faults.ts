/**
 * Page faults: each fresh page of memory a process touches costs a minor page fault, and on
 * this virtual machine one costs about a hundred times what it does on bare metal (its
 * page tables are shadowed by the hypervisor). A client that keeps a replica of a growing
 * database touches fresh pages as the replica grows (and while V8 grows its young
 * generation for the rows that survive); the raw writer keeps nothing. The bench counts
 * each contender's faults per transaction and measures here what one costs, so that the
 * share of a gap that is the machine's price for memory shows.
 */

const PAGE = 4096;

/** The minor page faults of this process so far (every thread). */
export function minorFaults(): number {
  return process.resourceUsage().minorPageFault;
}

export interface PageFaultCost {
  /** Microseconds per minor page fault: the best of the rounds. */
  us: number;
  /** Faults counted in that round. */
  faults: number;
}

/**
 * Touches every page of `bytes` of fresh memory (a buffer that large comes straight from
 * mmap: no page of it is mapped yet), `rounds` times, each in new memory; the cheapest
 * round's time per fault. Fails if a round counted fewer faults than half its pages (the
 * memory was not fresh: the figure would not be a page fault's cost). `allocate`: for tests.
 */
export function measurePageFaultCost(bytes = 32 * 2 ** 20, rounds = 3, allocate: (bytes: number) => Buffer = Buffer.allocUnsafeSlow): PageFaultCost {
  let best: PageFaultCost | undefined;
  for (let round = 0; round < rounds; round++) {
    const buffer = allocate(bytes);
    const before = minorFaults();
    const start = process.hrtime.bigint();
    for (let offset = 0; offset < bytes; offset += PAGE) buffer[offset] = 1;
    const us = Number(process.hrtime.bigint() - start) / 1000;
    const faults = minorFaults() - before;
    if (faults < bytes / PAGE / 2) throw new Error(`touching ${bytes / PAGE} fresh pages counted ${faults} page faults: the memory was not fresh`);
    const cost = { us: us / faults, faults };
    if (best === undefined || cost.us < best.us) best = cost;
  }
  return best!;
}
