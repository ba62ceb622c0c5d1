/**
 * Entry point of one of our contenders in its own process:
 *   child.ts idl|idl-upkeep-skipped|client|raw|raw-monitored REMOTE COUNT WINDOW WARMUP [JIT_WARMUP]
 *       (IDL transactions, plain client transactions or the raw writer, WINDOW in flight; untimed
 *       first: JIT_WARMUP transactions, the bridge emptied, then WARMUP; see Warmup)
 *   child.ts sync REMOTE ROWS
 *   child.ts reconnect REMOTE ROUNDS UNIXCTL
 * Prints one line of JSON. With BENCH_CHILD_SEGMENTED=1 in its environment, a transaction
 * contender's timed run is cut into the segments the bench asks for on its stdin
 * (segments.ts): how the two sides of a ratio take turns (rounds.ts).
 */
import { clientTransactions, idlTransactions, initialSync, rawWriter, reconnect, type Warmup } from './contenders';
import { lineSegments, SEGMENTED_ENV } from './segments';

async function main(argv: readonly string[]): Promise<unknown> {
  const [mode, remote, n, extra, warmupArg, jitWarmupArg] = argv;
  const warmup: Warmup = { jit: Number(jitWarmupArg ?? 0), ports: Number(warmupArg ?? 0), ...(process.env[SEGMENTED_ENV] === '1' ? { segments: lineSegments() } : {}) };
  const count = Number(n);
  if (!remote || !Number.isInteger(count) || count < 1) throw new Error(`usage: child.ts MODE REMOTE COUNT [WINDOW|UNIXCTL] [WARMUP] [JIT_WARMUP], got ${argv.join(' ')}`);
  if (!Number.isInteger(warmup.jit) || warmup.jit < 0 || !Number.isInteger(warmup.ports) || warmup.ports < 0) throw new Error(`WARMUP and JIT_WARMUP must be whole numbers, got ${argv.join(' ')}`);
  switch (mode) {
    case 'idl':
      return idlTransactions(remote, count, Number(extra), warmup);
    case 'idl-upkeep-skipped':
      return idlTransactions(remote, count, Number(extra), warmup, 'skipped');
    case 'client':
      return clientTransactions(remote, count, Number(extra), warmup);
    case 'raw':
      return rawWriter(remote, count, Number(extra), warmup);
    case 'raw-monitored':
      return rawWriter(remote, count, Number(extra), warmup, true);
    case 'sync':
      return initialSync(remote, count);
    case 'reconnect':
      return reconnect(remote, count, extra);
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
