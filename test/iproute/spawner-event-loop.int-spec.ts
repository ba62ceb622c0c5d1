import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { run } from '@ovs-fleet/iproute';

/**
 * The claim of libs/iproute's README: processes are started by a helper process, so the event
 * loop never waits for a fork. An integration suite (run in band) rather than a unit spec: its
 * bound is on time, and unit specs run in parallel workers that compete for the 2 cores.
 */
const PROCESSES = 200;
/**
 * Generous: a fork-and-exec costs 1-2 ms on a quiet machine and several under load, so 200
 * of them on the event loop stall it for far longer than this; through the spawner helper the
 * loop only sees the messages, and whatever the shared machine's scheduler adds.
 */
const BOUND_MS = 200;

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest event-loop delay (ms) seen while `work` runs; the timer runs before and after it so a stall at either end is caught. */
async function longestStallMs(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await tick(20);
    await work();
    await tick(20);
  } finally {
    histogram.disable();
  }
  return histogram.max / 1e6;
}

const startAll = (start: () => Promise<unknown>) => () => Promise.all(Array.from({ length: PROCESSES }, start));

/**
 * Rounds through the helper; the best one is held to the bound. Waiting for the forks would
 * stall every round by about as much; the machine's scheduler (200 processes starting on 2
 * cores, or another suite's leftovers of load) stalls some rounds and not others: in one full
 * `npm test` a single round stalled 305 ms, rounds on a quiet machine 49 to 100 ms.
 */
const ROUNDS = 3;

describe('the spawner helper', () => {
  it(`keeps the event loop free while ${PROCESSES} processes start at once`, async () => {
    await run('true', []); // the helper itself starts on first use
    const rounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await longestStallMs(startAll(() => run('true', []))));
    const throughSpawner = Math.min(...rounds);
    // The instrument sees a stall when the same processes are started from the event loop.
    const fromTheLoop = await longestStallMs(startAll(() => new Promise((resolve, reject) => spawn('true', []).on('exit', resolve).on('error', reject))));
    expect(fromTheLoop).toBeGreaterThan(throughSpawner);
    expect(throughSpawner).toBeLessThan(BOUND_MS);
  }, 60_000);
});
