/**
 * The child's side of a timed run cut into segments (rounds.ts, inSegments): with
 * BENCH_CHILD_SEGMENTED=1 in its environment, a transaction contender says `ready` on
 * stdout after its warm-up; then, for each line `run N` on its stdin, it runs N more of its
 * timed transactions and prints that segment's figures as one line of JSON; at `end` it
 * prints its result, all segments together, as a contender run in one go does. The bench's
 * side: startSegmentedChild (processes.ts).
 */
import { LineQueue } from './line-queue';

export const SEGMENTED_ENV = 'BENCH_CHILD_SEGMENTED';

/** One segment of a timed run. */
export interface Segment {
  txn: number;
  seconds: number;
  /** The contender's own CPU (user + system), microseconds. */
  cpu_us: number;
  /** ovsdb-server's, when the bench gave its pid. */
  server_cpu_us?: number;
  /** The contender's minor page faults (page-faults.ts). */
  minor_faults?: number;
}

/** Asks for the next segment, after reporting `done` (the one just run; none before the first): its size, or undefined at the end. */
export type NextSegment = (done?: Segment) => Promise<number | undefined>;

/** The segments asked for by lines on `input` (`run N`, `end`), answered on `output`. */
export function lineSegments(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): NextSegment {
  const lines = new LineQueue(input);
  input.on('end', () => lines.close(new Error('stdin ended before `end`')));
  return async (done) => {
    output.write(done === undefined ? 'ready\n' : `${JSON.stringify(done)}\n`);
    const line = await lines.next();
    if (line === 'end') {
      input.pause();
      return undefined;
    }
    const match = /^run ([1-9]\d*)$/.exec(line);
    if (!match) throw new Error(`expected \`run N\` or \`end\`, got ${JSON.stringify(line)}`);
    return Number(match[1]);
  };
}
