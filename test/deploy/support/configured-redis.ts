/**
 * A real redis-server started from a given configuration file, as a deployment starts it, in
 * its own mkdtemp directory (prefix `ovs-fleet-deploy-redis-`) on a free loopback port. Only
 * where it listens and keeps its files is replaced (port, bind, dir, aclfile, pidfile, logfile,
 * daemonize), in a copy of the file: Redis applies `dir` as it reads it, so a directory the
 * machine lacks (/data) cannot be overridden from the command line. Every other line is the
 * file's. test/support/redis-server.ts starts Redis with the tests' own settings, not from a
 * file, hence this one.
 *
 *   const redis = await ConfiguredRedis.start('docker/redis/redis.conf', prepareDir);
 *   try { ... } finally { await redis.dispose(); }
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { freePort } from '../../support/ovsdb-server';
import { isAlive } from '../../support/process-state';

const live = new Set<ConfiguredRedis>();
let exitHookInstalled = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


export class ConfiguredRedis {
  readonly aclFile: string;
  private readonly pidfile: string;
  private readonly logfile: string;

  private constructor(
    readonly configFile: string,
    readonly dir: string,
    readonly port: number,
  ) {
    this.aclFile = join(dir, 'users.acl');
    this.pidfile = join(dir, 'redis.pid');
    this.logfile = join(dir, 'redis.log');
  }

  /** Creates the directory, lets `prepare` put files in it (the ACL file), then starts Redis. */
  static async start(configFile: string, prepare: (redis: ConfiguredRedis) => Promise<void>): Promise<ConfiguredRedis> {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const redis of live) redis.killSync();
      });
    }
    const redis = new ConfiguredRedis(configFile, mkdtempSync(join(tmpdir(), 'ovs-fleet-deploy-redis-')), await freePort());
    live.add(redis);
    try {
      await prepare(redis);
      await redis.launch();
      return redis;
    } catch (error) {
      await redis.dispose();
      throw error;
    }
  }

  get pid(): number | undefined {
    try {
      return Number(readFileSync(this.pidfile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  get log(): string {
    return existsSync(this.logfile) ? readFileSync(this.logfile, 'utf8') : '';
  }

  /** redis://USER:PASSWORD@127.0.0.1:PORT */
  url(user: string, password: string): string {
    return `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  /** The configuration file with where Redis listens and keeps its files replaced. */
  private localConfig(): string {
    const overrides: Record<string, string> = {
      port: String(this.port),
      bind: '127.0.0.1',
      dir: this.dir,
      aclfile: this.aclFile,
      daemonize: 'yes',
      pidfile: this.pidfile,
      logfile: this.logfile,
    };
    const kept = readFileSync(this.configFile, 'utf8')
      .split('\n')
      .map((line) => (Object.hasOwn(overrides, /^\s*(\S+)/.exec(line)?.[1] ?? '') ? `# replaced below: ${line}` : line));
    const path = join(this.dir, 'redis.conf');
    writeFileSync(path, [...kept, ...Object.entries(overrides).map(([name, value]) => `${name} ${JSON.stringify(value)}`), ''].join('\n'));
    return path;
  }

  async launch(): Promise<void> {
    await run('redis-server', [this.localConfig()]);
    for (let i = 0; i < 200; i++) {
      try {
        // No default user: any answer (NOAUTH included) means it is up.
        const { stdout } = await run('redis-cli', ['-p', String(this.port), 'PING'], { timeoutMs: 2000 });
        if (/PONG|NOAUTH/.test(stdout)) return;
      } catch {
        // not up yet
      }
      await sleep(25);
    }
    throw new Error(`redis-server ${this.configFile} on port ${this.port} did not answer (log: ${this.log.slice(-2000)})`);
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(10);
    }
  }

  /** A crash and a start again on the same directory and port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  private killSync(): void {
    const pid = this.pid;
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    await this.kill();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
