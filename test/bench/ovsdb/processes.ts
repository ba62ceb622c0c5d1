/**
 * Child processes and servers of one benchmark run, all removed on the way out: normal
 * end, failure, or Ctrl-C/SIGTERM (children killed, servers killed and their temp
 * directories, prefixed `ovs-fleet-bench-`, removed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { OvsdbTestServer, type OvsdbTestServerOptions } from '../../support/ovsdb-server';
import { LineQueue } from './line-queue';
import { SEGMENTED_ENV, type Segment } from './segments';

export const SERVER_PREFIX = 'ovs-fleet-bench-';

const children = new Set<ChildProcess>();
const servers = new Set<OvsdbTestServer>();
let hooksInstalled = false;

function installSignalHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of children) child.kill('SIGKILL');
      for (const server of servers) server.killSync();
      console.error(`\n${signal}: children and servers removed`);
      process.exit(130);
    });
  }
}

/** Starts a fresh ovsdb-server (own temp dir), runs `body`, removes the server whatever happens. */
export async function withServer<T>(options: OvsdbTestServerOptions, body: (server: OvsdbTestServer) => Promise<T>): Promise<T> {
  installSignalHooks();
  const server = await OvsdbTestServer.start({ prefix: SERVER_PREFIX, ...options });
  servers.add(server);
  try {
    return await body(server);
  } finally {
    servers.delete(server);
    await server.dispose();
  }
}

/**
 * Runs `file args...` (with `env` added to this process's environment) and resolves with
 * the JSON of the last line it printed on stdout; killed after `timeoutMs`.
 */
export function runJsonChild<T>(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<T> {
  installSignalHooks();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    children.add(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')}: exited with ${signal ?? code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${file}: no JSON result in ${JSON.stringify(out.slice(-300))}`));
      }
    });
  });
}

/** A child whose timed run is cut into segments the bench asks for (segments.ts); see inSegments (rounds.ts). */
export interface SegmentedRun<T> {
  /** The child's pid. */
  readonly pid: number | undefined;
  /** Resolves when the child has warmed up and waits for its first segment. */
  ready: Promise<void>;
  /** Runs `count` more of its timed transactions; resolves with their figures when they are done. */
  segment(count: number): Promise<Segment>;
  /** Ends the timed run; resolves with the child's result (the JSON of its last line). */
  finish(): Promise<T>;
  /** Kills the child (nothing if it has ended). */
  abort(): void;
}

/**
 * Starts `file args...` with `env` and BENCH_CHILD_SEGMENTED=1 added: its timed run then
 * goes one segment at a time, as the bench asks (segments.ts). Killed after `timeoutMs`.
 */
export function startSegmentedChild<T>(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): SegmentedRun<T> {
  installSignalHooks();
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env, [SEGMENTED_ENV]: '1' } });
  children.add(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const lines = new LineQueue(child.stdout!);
  const exited = new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      children.delete(child);
      lines.close(error);
      reject(error);
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== 0) return fail(new Error(`${file} ${args.join(' ')}: exited with ${signal ?? code}`));
      clearTimeout(timer);
      children.delete(child);
      lines.close(new Error(`${file}: ended`));
      resolve();
    });
  });
  exited.catch(() => undefined);
  child.stdin!.on('error', () => undefined); // a child that died: its exit says why
  const expect = async (what: string, check: (line: string) => boolean): Promise<string> => {
    const line = await lines.next();
    if (!check(line)) throw new Error(`${file}: expected ${what}, got ${JSON.stringify(line.slice(0, 300))}`);
    return line;
  };
  const ready = expect('ready', (line) => line === 'ready').then(() => undefined);
  ready.catch(() => undefined);
  return {
    pid: child.pid,
    ready,
    async segment(count) {
      child.stdin!.write(`run ${count}\n`);
      return JSON.parse(await expect('a segment', (line) => line.startsWith('{'))) as Segment;
    },
    async finish() {
      child.stdin!.end('end\n');
      const last = lines.next();
      await exited;
      try {
        return JSON.parse(await last) as T;
      } catch {
        throw new Error(`${file}: no JSON result`);
      }
    },
    abort() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
