import { execFile } from 'node:child_process';

export interface ProgramResult {
  /** Exit status; null when killed by a signal (timeout included). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ProgramOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs a program with an argument array (no shell) and resolves with its exit status and
 * output whatever the status, as autotest's AT_CHECK sees them. Only a failure to start it
 * at all rejects.
 */
export function runProgram(file: string, args: readonly string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          reject(new Error(`${file}: ${error.message}`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // A program that never reads its input may be gone before we finish writing it.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** Like runProgram, but a non-zero exit is an error naming the command and its stderr. */
export async function runChecked(file: string, args: readonly string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  const result = await runProgram(file, args, options);
  if (result.code !== 0) throw new Error(`${[file, ...args].join(' ').slice(0, 300)} exited ${String(result.code)}: ${result.stderr.trim().slice(0, 2000)}`);
  return result;
}
