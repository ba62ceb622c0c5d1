import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

/** What /proc tells about one process; fields are missing when the process is gone or hidden. */
export interface ProcessInfo {
  pid: number;
  cmdline: string[];
  cwd?: string;
  /** `net:[INODE]` of its network namespace. */
  netns?: string;
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const cmdline = raw.split('\0');
    if (cmdline[cmdline.length - 1] === '') cmdline.pop();
    const info: ProcessInfo = { pid, cmdline };
    // Kernel threads and exiting processes hide these.
    info.cwd = readLink(`/proc/${pid}/cwd`);
    info.netns = readLink(`/proc/${pid}/ns/net`);
    return info;
  } catch {
    return undefined;
  }
}

export function listProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) found.push(info);
  }
  return found;
}

/** `net:[INODE]` for a named namespace, as /proc/PID/ns/net shows it. */
export function netnsId(name: string): string | undefined {
  try {
    return `net:[${statSync(`/run/netns/${name}`).ino}]`;
  } catch {
    return undefined;
  }
}

function within(path: string, dir: string): boolean {
  const clean = path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
  return clean === dir || clean.startsWith(dir + '/');
}

/** True when a process belongs to a run dir: an argument names a path in it, or it works in it. */
export function mentionsDir(info: ProcessInfo, dir: string): boolean {
  if (info.cwd !== undefined && within(info.cwd, dir)) return true;
  return info.cmdline.some((arg) => arg === dir || arg.includes(dir + '/'));
}

/**
 * Processes a lab owns: those naming its run dir (daemons get every path on their
 * command line; Redis works in it) and those living in one of its namespaces.
 */
export function findOwnedProcesses(processes: readonly ProcessInfo[], runDir: string, netnsIds: ReadonlySet<string>): ProcessInfo[] {
  return processes.filter((p) => p.pid !== process.pid && (mentionsDir(p, runDir) || (p.netns !== undefined && netnsIds.has(p.netns))));
}

export function processesInNetns(processes: readonly ProcessInfo[], netnsIds: ReadonlySet<string>): ProcessInfo[] {
  return processes.filter((p) => p.pid !== process.pid && p.netns !== undefined && netnsIds.has(p.netns));
}

/** Reads a pid file; the pid is only returned when that process still names `dir`. */
export function verifiedPid(pidFile: string, dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const info = readProcess(pid);
  return info && isRunning(pid) && mentionsDir(info, dir) ? pid : undefined;
}

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, then SIGKILL for whatever still runs after `graceMs`; resolves when all are gone. */
export async function terminate(pids: readonly number[], graceMs = 3000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  let alive = pids.filter(isRunning);
  for (const deadline = Date.now() + graceMs; alive.length > 0 && Date.now() < deadline; alive = alive.filter(isRunning)) await sleep(25);
  for (const pid of alive) signal(pid, 'SIGKILL');
  for (const deadline = Date.now() + 5000; alive.length > 0 && Date.now() < deadline; alive = alive.filter(isRunning)) await sleep(25);
  if (alive.length > 0) throw new Error(`processes ${alive.join(', ')} survived SIGKILL`);
}

/**
 * Stops the daemon of a pid file (verified to be ours: it names `dir`) with `sig` and resolves
 * once it is gone; SIGKILL is a crash (nothing flushed, pid file and sockets left behind).
 * Resolves at once when it is not running.
 */
export async function stopDaemon(pidFile: string, dir: string, sig: NodeJS.Signals, timeoutMs = 10_000): Promise<void> {
  const pid = verifiedPid(pidFile, dir);
  if (pid === undefined) return;
  signal(pid, sig);
  for (const deadline = Date.now() + timeoutMs; isRunning(pid); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} (${pidFile}) did not end within ${timeoutMs} ms of ${sig}`);
  }
}
