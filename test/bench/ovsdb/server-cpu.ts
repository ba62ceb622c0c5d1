/**
 * The CPU time (user + system) ovsdb-server spends, read from /proc by its pid: with many
 * transactions in flight the server is the bottleneck, so its CPU per transaction shows
 * whether both sides of a comparison gave it the same work.
 */
import { readFileSync } from 'node:fs';

/** Environment variable through which the bench hands a contender's child the server's pid. */
export const SERVER_PID_ENV = 'BENCH_OVSDB_SERVER_PID';

const TICKS_PER_S = 100; // USER_HZ, 100 on Linux whatever the kernel's HZ

/** The process's user + system CPU in microseconds (fields 14 and 15 of /proc/PID/stat). */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_S;
}

/** A meter of the server's CPU from now on, or undefined when the bench gave no pid. */
export function serverCpuMeter(env: NodeJS.ProcessEnv = process.env): (() => number) | undefined {
  const pid = Number(env[SERVER_PID_ENV]);
  if (!Number.isInteger(pid) || pid < 1) return undefined;
  const start = processCpuUs(pid);
  return () => processCpuUs(pid) - start;
}
