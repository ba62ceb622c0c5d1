import { run, RunResult } from './exec';
import { assertNetnsName } from './names';

export interface IpOptions {
  /** Run inside this named network namespace (`ip -n NAME`). */
  netns?: string;
}

function withNetns(args: readonly string[], options: IpOptions): string[] {
  return options.netns === undefined ? [...args] : ['-n', assertNetnsName(options.netns), ...args];
}

/** Runs one `ip` command: `ip([ 'link', 'set', 'x', 'up' ], { netns })`. */
export function ip(args: readonly string[], options: IpOptions = {}): Promise<RunResult> {
  return run('ip', withNetns(args, options));
}

/** Runs `ip -json ...` and parses its output. */
export async function ipJson<T = unknown>(args: readonly string[], options: IpOptions = {}): Promise<T> {
  const { stdout } = await run('ip', withNetns(['-json', ...args], options));
  return (stdout.trim() === '' ? [] : JSON.parse(stdout)) as T;
}

/**
 * Runs many `ip` commands in one process (`ip -batch -`). Each command is an argument
 * array; every argument is checked to hold no whitespace or quote, since the batch
 * format splits lines on whitespace.
 */
export async function ipBatch(commands: readonly (readonly string[])[], options: IpOptions & { force?: boolean } = {}): Promise<RunResult> {
  if (commands.length === 0) return { stdout: '', stderr: '' };
  const input = formatBatch(commands);
  const flags = options.force ? ['-force', '-batch', '-'] : ['-batch', '-'];
  return run('ip', withNetns(flags, options), { input });
}

/**
 * The standard input of `ip -batch -` for these commands, one per line. Throws if an
 * argument is empty or holds whitespace, a quote, a backslash or '#', which the batch
 * format would split or interpret.
 */
export function formatBatch(commands: readonly (readonly string[])[]): string {
  let input = '';
  for (const command of commands) {
    for (const arg of command) {
      if (arg.length === 0 || /[\s"'\\#]/.test(arg)) throw new Error(`ip batch argument ${JSON.stringify(arg)} is empty or holds whitespace/quotes`);
    }
    input += command.join(' ') + '\n';
  }
  return input;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  link?: string;
  link_netnsid?: number;
  master?: string;
  linkinfo?: { info_kind?: string };
}

export interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope?: string;
}

export interface IpAddr extends IpLink {
  addr_info: IpAddrInfo[];
}

export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  protocol?: string;
}

export const listLinks = (options: IpOptions = {}) => ipJson<IpLink[]>(['-details', 'link', 'show'], options);
export const listAddresses = (options: IpOptions = {}) => ipJson<IpAddr[]>(['address', 'show'], options);
export const listRoutes = (family: 4 | 6, options: IpOptions = {}) => ipJson<IpRoute[]>([`-${family}`, 'route', 'show', 'table', 'all'], options);

/** Names of the named network namespaces (/var/run/netns). */
export async function listNetns(): Promise<string[]> {
  const entries = await ipJson<{ name: string }[]>(['netns', 'list']);
  return entries.map((e) => e.name);
}
