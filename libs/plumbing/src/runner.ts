import { formatBatch, IpBatchSession, prepare, PreparedCommand, run, RunOptions, RunResult } from '@ovs-fleet/iproute';
import { NamespaceTarget } from './types';

/**
 * Spawns a program with an argument array (never a shell); `run` from @ovs-fleet/iproute by
 * default. `prepare`, when present, starts the program at once and lets it wait for its input;
 * without it a prepared command simply starts when it is run.
 */
export type Runner = ((file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>) & {
  prepare?: (file: string, args: readonly string[]) => PreparedCommand;
  /** A long-lived `ip -force -batch -` for many batches; without it each batch is `ip -force -batch -` of its own. */
  session?: (netns: string | undefined) => BatchSession;
};

/** Runs `ip` batches with -force semantics (every command runs; any failure rejects with ip's messages). */
export interface BatchSession {
  run(commands: readonly (readonly string[])[]): Promise<RunResult>;
  close(): Promise<void>;
}

/** A runner that counts the processes it starts (for the "spawns per attach" figure). */
export function countingRunner(inner: Runner): Runner & { spawns: number } {
  const counted = Object.assign(
    (file: string, args: readonly string[], options?: RunOptions) => {
      counted.spawns++;
      return inner(file, args, options);
    },
    {
      spawns: 0,
      prepare: (file: string, args: readonly string[]): PreparedCommand => {
        counted.spawns++;
        return prepareWith(inner, file, args);
      },
      // One process for the session's life, not per batch: counted when made.
      session: (netns: string | undefined): BatchSession => {
        counted.spawns++;
        return sessionWith(inner, netns);
      },
    },
  );
  return counted;
}

export const defaultRunner: Runner = Object.assign((file: string, args: readonly string[], options?: RunOptions) => run(file, args, options), {
  prepare: (file: string, args: readonly string[]) => prepare(file, args),
  session: (netns: string | undefined) => new IpBatchSession({ netns }),
});

/** The runner's ip session for `netns`, or one `ip -force -batch -` per batch. */
export function sessionWith(runner: Runner, netns: string | undefined): BatchSession {
  if (runner.session) return runner.session(netns);
  return { run: (commands) => ipBatchIn(runner, netns, commands, { force: true }), close: async () => undefined };
}

function prepareWith(runner: Runner, file: string, args: readonly string[]): PreparedCommand {
  if (runner.prepare) return runner.prepare(file, args);
  let used = false;
  return {
    run: (input) => {
      if (used) throw new Error(`${file} ${args.join(' ')}: already run or discarded`);
      used = true;
      return runner(file, args, { input });
    },
    discard: () => {
      used = true;
    },
  };
}

/** A process started ahead of its input, which it takes as `T` (ip commands, sysctl settings). */
export interface Prepared<T> {
  run(input: T): Promise<RunResult>;
  discard(): void;
}

function formattedAs<T>(command: PreparedCommand, format: (input: T) => string): Prepared<T> {
  return { run: (input) => command.run(format(input)), discard: () => command.discard() };
}

export type PreparedBatch = Prepared<readonly (readonly string[])[]>;

export interface BatchFlags {
  json?: boolean;
  details?: boolean;
  force?: boolean;
}

function ipArgs(netns: string | undefined, flags: BatchFlags): string[] {
  const args: string[] = netns === undefined ? [] : ['-n', netns];
  if (flags.json) args.push('-json');
  if (flags.details) args.push('-details');
  if (flags.force) args.push('-force');
  args.push('-batch', '-');
  return args;
}

/** `ip ... -batch -` inside a container's namespace: `ip -n NAME`, or `nsenter --net=/proc/PID/ns/net ip`. */
function ipInTarget(target: NamespaceTarget, flags: BatchFlags): [file: string, args: string[]] {
  if (target.kind === 'netns') return ['ip', ipArgs(target.name, flags)];
  return ['nsenter', [`--net=${target.path}`, 'ip', ...ipArgs(undefined, flags)]];
}

/** The container-side `ip -batch -`, started now. */
export function prepareIpBatchInTarget(runner: Runner, target: NamespaceTarget, flags: { json?: boolean } = {}): PreparedBatch {
  return formattedAs(prepareWith(runner, ...ipInTarget(target, flags)), formatBatch);
}

/** `ip [-n NS] [-json] [-details] [-force] -batch -` in a named namespace, or the current one when `netns` is undefined. Formats and validates before anything starts: a bad argument spawns nothing. */
export function ipBatchIn(runner: Runner, netns: string | undefined, commands: readonly (readonly string[])[], flags: BatchFlags = {}): Promise<RunResult> {
  const input = formatBatch(commands);
  return runner('ip', ipArgs(netns, flags), { input });
}

export function ipBatchInTarget(runner: Runner, target: NamespaceTarget, commands: readonly (readonly string[])[], flags: { json?: boolean } = {}): Promise<RunResult> {
  const input = formatBatch(commands);
  return runner(...ipInTarget(target, flags), { input });
}

/** Sysctls as `sysctl -p -` reads them, one `key=value` per line; keys must not hold whitespace. */
function formatSysctls(settings: readonly string[]): string {
  for (const s of settings) if (!/^[^\s=]+=[^\s=]+$/.test(s)) throw new Error(`sysctl setting ${JSON.stringify(s)} is not key=value`);
  return settings.map((s) => s + '\n').join('');
}

/** An `nsenter --net=NS sysctl -q -p -` started ahead of its settings (/proc/sys/net follows the caller's namespace). */
export function prepareSysctlInTarget(runner: Runner, target: NamespaceTarget): Prepared<readonly string[]> {
  return formattedAs(prepareWith(runner, 'nsenter', [`--net=${target.path}`, 'sysctl', '-q', '-p', '-']), formatSysctls);
}

/** Splits `ip -json -batch` output (one JSON document per command) into parsed documents. */
export function parseJsonLines<T>(stdout: string): T[] {
  const out: T[] = [];
  for (const line of stdout.split('\n')) if (line.trim() !== '') out.push(JSON.parse(line) as T);
  return out;
}
