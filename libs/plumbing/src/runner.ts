import { formatBatch, run, RunOptions, RunResult } from '@ovs-fleet/iproute';
import { NamespaceTarget } from './types';

/** Spawns a program with an argument array (never a shell); `run` from @ovs-fleet/iproute by default. */
export type Runner = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

/** A runner that counts the processes it starts (for the "spawns per attach" figure). */
export function countingRunner(inner: Runner): Runner & { spawns: number } {
  const counted = Object.assign((file: string, args: readonly string[], options?: RunOptions) => {
    counted.spawns++;
    return inner(file, args, options);
  }, { spawns: 0 });
  return counted;
}

export const defaultRunner: Runner = run;

/** `ip [-n NS] [-json] [-force] -batch -` in a named namespace, or the current one when `netns` is undefined. */
export function ipBatchIn(
  runner: Runner,
  netns: string | undefined,
  commands: readonly (readonly string[])[],
  flags: { json?: boolean; details?: boolean; force?: boolean } = {},
): Promise<RunResult> {
  const args: string[] = netns === undefined ? [] : ['-n', netns];
  if (flags.json) args.push('-json');
  if (flags.details) args.push('-details');
  if (flags.force) args.push('-force');
  args.push('-batch', '-');
  return runner('ip', args, { input: formatBatch(commands) });
}

/** `ip ... -batch -` inside a container's namespace: `ip -n NAME` or `nsenter --net=/proc/PID/ns/net ip`. */
export function ipBatchInTarget(runner: Runner, target: NamespaceTarget, commands: readonly (readonly string[])[], flags: { json?: boolean } = {}): Promise<RunResult> {
  if (target.kind === 'netns') return ipBatchIn(runner, target.name, commands, flags);
  const args = [`--net=${target.path}`, 'ip'];
  if (flags.json) args.push('-json');
  args.push('-batch', '-');
  return runner('nsenter', args, { input: formatBatch(commands) });
}

/** `sysctl -q -w key=value ...` inside the target namespace (/proc/sys/net follows the caller's namespace). */
export function sysctlInTarget(runner: Runner, target: NamespaceTarget, settings: readonly string[]): Promise<RunResult> {
  return runner('nsenter', [`--net=${target.path}`, 'sysctl', '-q', '-w', ...settings]);
}

/** Splits `ip -json -batch` output (one JSON document per command) into parsed documents. */
export function parseJsonLines<T>(stdout: string): T[] {
  const out: T[] = [];
  for (const line of stdout.split('\n')) if (line.trim() !== '') out.push(JSON.parse(line) as T);
  return out;
}
