/**
 * A real ovsdb-server for integration tests, started in its own mkdtemp directory
 * (prefix `ovs-fleet-ovsdb-`, so leftovers of a crashed run are easy to find) with its
 * socket, pidfile, unixctl socket and log inside it.
 *
 *   const server = await OvsdbTestServer.start({ tcp: true });
 *   try { ... server.unixRemote / server.tcpRemote ... } finally { await server.dispose(); }
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, RunResult } from '@ovs-fleet/iproute';
import { isAlive } from './process-state';

export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

export interface TlsFiles {
  privateKey: string;
  certificate: string;
  caCert: string;
}

export interface OvsdbTestServerOptions {
  /** Schema file for `ovsdb-tool create` (default: vswitch.ovsschema). */
  schema?: string;
  /** Also listen on `ptcp:0:127.0.0.1`; the bound port is read back into `tcpPort`. */
  tcp?: boolean;
  /** Also listen on `pssl:0:127.0.0.1` with these files; the port goes into `sslPort`. */
  ssl?: TlsFiles;
  /** More `--remote=` values, e.g. an active `tcp:127.0.0.1:PORT` dialing a listener of ours. */
  remotes?: string[];
  /** Run `ovs-vsctl init` after start (default: true for the vswitch schema). */
  initVswitch?: boolean;
  /**
   * Create a one-server clustered (raft) database instead of a standalone one, with the
   * raft endpoint on a free 127.0.0.1 port. Clustered databases keep transaction history,
   * which monitor_cond_since needs to resume (a standalone server always answers found=false).
   */
  clustered?: boolean;
  /** Join the cluster of this (clustered, running) server instead of creating a database. */
  joinCluster?: OvsdbTestServer;
  /** Temp-dir name prefix (default `ovs-fleet-ovsdb-`). */
  prefix?: string;
}

const live = new Set<OvsdbTestServer>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if a test forgot dispose() or the worker is torn down: never leave a daemon.
  process.on('exit', () => {
    for (const server of live) server.killSync();
  });
}

/** A port that was free a moment ago (bind to 0, read, release). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class OvsdbTestServer {
  readonly socket: string;
  readonly dbFile: string;
  readonly ctl: string;
  readonly log: string;
  readonly pidfile: string;
  tcpPort: number | undefined;
  sslPort: number | undefined;
  raftPort: number | undefined;
  private running = false;

  private constructor(
    readonly dir: string,
    private readonly options: OvsdbTestServerOptions,
  ) {
    this.socket = join(dir, 'db.sock');
    this.dbFile = join(dir, 'conf.db');
    this.ctl = join(dir, 'ovsdb-server.ctl');
    this.log = join(dir, 'ovsdb-server.log');
    this.pidfile = join(dir, 'ovsdb-server.pid');
  }

  static async start(options: OvsdbTestServerOptions = {}): Promise<OvsdbTestServer> {
    installExitHook();
    const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'ovs-fleet-ovsdb-'));
    const server = new OvsdbTestServer(dir, options);
    live.add(server);
    try {
      const schema = options.schema ?? VSWITCH_SCHEMA;
      if (options.joinCluster) {
        const peer = options.joinCluster;
        if (peer.raftPort === undefined) throw new Error('joinCluster needs a clustered server');
        server.raftPort = await freePort();
        const name = (JSON.parse(readFileSync(schema, 'utf8')) as { name: string }).name;
        await run('ovsdb-tool', ['join-cluster', server.dbFile, name, `tcp:127.0.0.1:${server.raftPort}`, `tcp:127.0.0.1:${peer.raftPort}`]);
      } else if (options.clustered) {
        server.raftPort = await freePort();
        await run('ovsdb-tool', ['create-cluster', server.dbFile, schema, `tcp:127.0.0.1:${server.raftPort}`]);
      } else {
        await run('ovsdb-tool', ['create', server.dbFile, schema]);
      }
      await server.launch();
      if (options.tcp) server.tcpPort = await server.addPassiveRemote('ptcp:0:127.0.0.1');
      if (options.ssl) server.sslPort = await server.addPassiveRemote('pssl:0:127.0.0.1');
      if (options.joinCluster) await server.waitClusterMember(schema);
      else if (options.initVswitch ?? schema === VSWITCH_SCHEMA) await server.vsctl(['init']);
      return server;
    } catch (error) {
      await server.dispose();
      throw error;
    }
  }

  get unixRemote(): string {
    return `unix:${this.socket}`;
  }

  get tcpRemote(): string {
    if (this.tcpPort === undefined) throw new Error('server was started without tcp');
    return `tcp:127.0.0.1:${this.tcpPort}`;
  }

  get sslRemote(): string {
    if (this.sslPort === undefined) throw new Error('server was started without ssl');
    return `ssl:127.0.0.1:${this.sslPort}`;
  }

  get pid(): number | undefined {
    try {
      return Number(readFileSync(this.pidfile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Stops the server gracefully (`ovs-appctl exit`); the database file stays. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const pid = this.pid;
    try {
      await run('ovs-appctl', ['-t', this.ctl, 'exit'], { timeoutMs: 10_000 });
    } catch {
      if (pid) this.signal(pid, 'SIGKILL');
    }
    if (pid) await this.waitGone(pid);
    this.running = false;
  }

  /** SIGKILL, as a crash would: no clean shutdown, socket file left behind. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const pid = this.pid;
    if (pid) {
      this.signal(pid, 'SIGKILL');
      await this.waitGone(pid);
    }
    this.running = false;
  }

  /** Starts again on the same database file, socket and TCP/SSL ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts again after stop()/kill() without stopping first. */
  async launch(): Promise<void> {
    const remotes = [`--remote=punix:${this.socket}`, ...(this.options.remotes ?? []).map((remote) => `--remote=${remote}`)];
    if (this.tcpPort !== undefined) remotes.push(`--remote=ptcp:${this.tcpPort}:127.0.0.1`);
    if (this.sslPort !== undefined) remotes.push(`--remote=pssl:${this.sslPort}:127.0.0.1`);
    const ssl = this.options.ssl;
    const tlsArgs = ssl ? [`--private-key=${ssl.privateKey}`, `--certificate=${ssl.certificate}`, `--ca-cert=${ssl.caCert}`] : [];
    await run('ovsdb-server', [
      '-vconsole:off',
      `--log-file=${this.log}`,
      '--detach',
      '--no-chdir',
      `--pidfile=${this.pidfile}`,
      `--unixctl=${this.ctl}`,
      ...tlsArgs,
      ...remotes,
      this.dbFile,
    ]);
    this.running = true;
  }

  /** `ovs-appctl cluster/status DB` output (clustered databases only). */
  async clusterStatus(database = 'Open_vSwitch'): Promise<string> {
    return (await this.appctl(['cluster/status', database])).stdout;
  }

  private async waitClusterMember(schema: string): Promise<void> {
    const name = (JSON.parse(readFileSync(schema, 'utf8')) as { name: string }).name;
    for (let attempt = 0; attempt < 500; attempt++) {
      if (/Status: cluster member/.test(await this.clusterStatus(name))) return;
      await sleep(20);
    }
    throw new Error(`${this.dir}: did not become a cluster member`);
  }

  /** `ovs-vsctl --db=unix:SOCK --no-wait ARGS...` */
  vsctl(args: readonly string[]): Promise<RunResult> {
    return run('ovs-vsctl', [`--db=${this.unixRemote}`, '--no-wait', '--timeout=10', ...args]);
  }

  /** `ovs-appctl -t CTL ARGS...` */
  appctl(args: readonly string[]): Promise<RunResult> {
    return run('ovs-appctl', ['-t', this.ctl, ...args], { timeoutMs: 10_000 });
  }

  /** Stops the server (if running) and removes its directory. Safe to call twice. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      live.delete(this);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Synchronous SIGKILL + rm, for process-exit hooks. */
  killSync(): void {
    const pid = this.running ? this.pid : undefined;
    if (pid) this.signal(pid, 'SIGKILL');
    this.running = false;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async addPassiveRemote(remote: string): Promise<number> {
    const before = this.listeningPorts().length;
    await this.appctl(['ovsdb-server/add-remote', remote]);
    for (let attempt = 0; attempt < 250; attempt++) {
      const ports = this.listeningPorts();
      if (ports.length > before) return ports[ports.length - 1];
      await sleep(20);
    }
    throw new Error(`ovsdb-server did not log a port for ${remote} in ${this.log}`);
  }

  private listeningPorts(): number[] {
    if (!existsSync(this.log)) return [];
    return [...readFileSync(this.log, 'utf8').matchAll(/listening on port (\d+)/g)].map((match) => Number(match[1]));
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  private async waitGone(pid: number): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      if (!isAlive(pid)) return;
      await sleep(10);
    }
    throw new Error(`ovsdb-server ${pid} did not exit`);
  }
}
