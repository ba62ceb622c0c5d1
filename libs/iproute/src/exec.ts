import { execFile } from 'node:child_process';

/** A spawned command that exited non-zero (or could not start). Carries what was run. */
export class CommandError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    cause?: unknown,
  ) {
    super(`${file} ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || String(cause ?? '')}`, { cause });
    this.name = 'CommandError';
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
 * path of the step that later runs it. No shell, as `run`.
 */
export function prepare(file: string, args: readonly string[], options: Omit<RunOptions, 'input'> = {}): PreparedCommand {
  let stdin: NodeJS.WritableStream | null = null;
  let used = false;
  const result = new Promise<RunResult>((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new CommandError(file, args, code, stderr || error.message, error));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    // A process that died early makes the write fail with EPIPE; its exit status tells why.
    child.stdin?.on('error', () => undefined);
    stdin = child.stdin;
  });
  // It may fail before anyone runs it (say, its namespace vanished): run() reports that.
  result.catch(() => undefined);
  const take = (): NodeJS.WritableStream | null => {
    if (used) throw new Error(`${file} ${args.join(' ')}: already run or discarded`);
    used = true;
    return stdin;
  };
  return {
    run(input: string): Promise<RunResult> {
      take()?.end(input);
      return result;
    },
    discard(): void {
      if (used) return;
      take()?.end();
    },
  };
}
