/**
 * Child processes and servers of one benchmark run, all removed on the way out: normal
 * end, failure, or Ctrl-C/SIGTERM (children killed, servers killed and their temp
 * directories, prefixed `ovs-fleet-bench-`, removed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { OvsdbTestServer, type OvsdbTestServerOptions } from '../../support/ovsdb-server';

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
