import { FleetError } from '@ovs-fleet/errors';
import { spawnOffThread } from './spawner';

/** A spawned command that exited non-zero (or could not start). Carries what was run. */
export class CommandError extends FleetError {
  readonly code: string = 'COMMAND_FAILED';

  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    cause?: unknown,
  ) {
    super(`${file} ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || String(cause ?? '')}`, { cause });
  }
}

export interface RunOptions {
  /** Written to the process's standard input (e.g. `ip -batch -`). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument array: never through a shell, so no argument is
 * ever interpreted. Rejects with a CommandError naming the command on failure.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { input, ...rest } = options;
  return prepare(file, args, rest).run(input ?? '');
}

/** A process already started and waiting for its standard input. */
export interface PreparedCommand {
  /** Writes `input`, closes standard input, and resolves when the process exits 0. */
  run(input: string): Promise<RunResult>;
  /** Closes standard input unread (a batch then runs nothing); its outcome is ignored. */
  discard(): void;
}

/**
 * Starts a program now and lets it wait for its input (e.g. `ip -batch -`), so the cost of
 * starting it (fork, exec, entering a namespace) overlaps with other work and is off the
 * path of the step that later runs it. No shell, as `run`. Processes are started from a
 * helper process (see spawner.ts): starting one never stalls the event loop.
 */
export function prepare(file: string, args: readonly string[], options: Omit<RunOptions, 'input'> = {}): PreparedCommand {
  const child = spawnOffThread(file, args, options.env, options.timeoutMs ?? 60_000);
  const result = child.outcome.then(({ stdout, stderr, error }) => {
    if (error) throw new CommandError(file, args, error.code, stderr || error.message, new Error(error.message));
    return { stdout, stderr };
  });
  // It may fail before anyone runs it (say, its namespace vanished): run() reports that.
  result.catch(() => undefined);
  let used = false;
  const take = (): void => {
    if (used) throw new Error(`${file} ${args.join(' ')}: already run or discarded`);
    used = true;
  };
  return {
    run(input: string): Promise<RunResult> {
      take();
      child.end(input);
      return result;
    },
    discard(): void {
      if (used) return;
      take();
      child.end('');
    },
  };
}
