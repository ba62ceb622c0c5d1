/**
 * A real redis-server for integration tests, in its own mkdtemp directory (prefix
 * `ovs-fleet-redis-`) on a free loopback port, with append-only persistence so a restart
 * keeps what was written (as the controller's deployment requires).
 *
 *   const redis = await RedisTestServer.start();
 *   try { ... redis.url ... } finally { await redis.dispose(); }
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { freePort } from './ovsdb-server';
import { isAlive } from './process-state';

const live = new Set<RedisTestServer>();
let exitHookInstalled = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DIR_PREFIX = 'ovs-fleet-redis-';

/**
 * Removes the directories of servers whose test process was killed before it could (the
 * kernel ended the server, nobody removed its data): no live pid in the pidfile, and older
 * than a minute, so a server another process is starting right now is left alone.
 */
export function sweepStaleRedisDirs(root = tmpdir(), now = Date.now()): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(root, name);
    try {
      if (now - statSync(dir).mtimeMs < 60_000) continue;
      const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim());
      if (pid && isAlive(pid)) continue;
    } catch {
      // no pidfile: the server never started or its directory is half gone
    }
    rmSync(dir, { recursive: true, force: true });
    swept.push(dir);
  }
  return swept;
}


export class RedisTestServer {
  readonly pidfile: string;
  readonly logfile: string;
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.pidfile = join(dir, 'redis.pid');
    this.logfile = join(dir, 'redis.log');
  }

  static async start(): Promise<RedisTestServer> {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      sweepStaleRedisDirs();
      // The server is ended with this process: here when it exits or is interrupted (Ctrl-C),
      // and by the kernel (launch's parent-death signal) however else it ends, jest's own
      // SIGTERM or a SIGKILL included, where no handler of ours runs.
      process.on('exit', () => {
        for (const server of live) server.killSync();
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          for (const server of live) server.killSync();
          process.exit(signal === 'SIGINT' ? 130 : 143);
        });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    const server = new RedisTestServer(dir, await freePort());
    live.add(server);
    try {
      await server.launch();
      return server;
    } catch (error) {
      await server.dispose();
      throw error;
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    try {
      return Number(readFileSync(this.pidfile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Starts the server in the foreground as a child of this process, under `setpriv
   * --pdeathsig KILL`: the kernel kills it when this process ends, however it ends.
   */
  async launch(): Promise<void> {
    rmSync(this.pidfile, { force: true });
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server',
      '--bind', '127.0.0.1',
      '--port', String(this.port),
      '--dir', this.dir,
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--pidfile', this.pidfile,
      '--logfile', this.logfile,
    ], { stdio: 'ignore' });
    let failure: Error | null = null;
    child.once('error', (error) => (failure = error));
    // A server that ends while starting (a port taken, a bad option) fails the start at once, with its log.
    child.once('exit', (code, signal) => (failure ??= new Error(`redis-server on port ${this.port} ended while starting (${signal ?? `exit ${code}`}); log: ${this.logfile}`)));
    child.unref(); // a test process must not wait for its server: dispose() ends it
    this.running = true;
    for (let i = 0; i < 200; i++) {
      if (failure) throw failure;
      try {
        const { stdout } = await run('redis-cli', ['-p', String(this.port), 'PING'], { timeoutMs: 2000 });
        if (stdout.trim() === 'PONG') return;
      } catch {
        // not up yet
      }
      await sleep(25);
    }
    throw new Error(`redis-server on port ${this.port} did not answer PING (log: ${this.logfile})`);
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(10);
    }
    this.running = false;
  }

  /** A crash and a start again on the same data directory and port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  killSync(): void {
    const pid = this.pid;
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    if (this.running) await this.kill();
    live.delete(this);
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
