/**
 * One autotest test directory and the shell helpers of tests/ovsdb-idl.at that run in it:
 * commands run there (cwd) with OVS_RUNDIR, OVS_LOGDIR, OVS_DBDIR and OVS_SYSCONFDIR pointing
 * at it, as ovs-macros.at sets them, so that the .at file's own command lines (relative
 * `unix:socket`, a bare `--pidfile`, `ovs-appctl -t ovsdb-server`) mean what they mean there.
 * Daemons it starts are killed on dispose(), as autotest's on_exit does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgramOptions, ProgramResult, runChecked, runProgram } from './program';
import { IDLTEST_SCHEMA } from './paths';
import { waitUntil as pollUntil } from '../../support/wait-until';

/** OVS_CTL_TIMEOUT of ovs-macros.at: how long OVS_WAIT_UNTIL / OVS_WAIT_WHILE wait. */
const WAIT_TIMEOUT_MS = 30_000;

/** Daemons of every live sandbox: killed if the process exits before dispose(). */
const liveDaemons = new Set<number>();
let exitHookInstalled = false;

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Runs a command in the sandbox's test directory, with its environment; any exit status. */
export function runIn(sandbox: AtSandbox, file: string, args: readonly string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  return runProgram(file, args, { cwd: sandbox.dir, env: sandbox.env, ...options });
}

/** AT_CHECK([...]) in the sandbox, expecting exit status 0. */
export function checkIn(sandbox: AtSandbox, file: string, args: readonly string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  return runChecked(file, args, { cwd: sandbox.dir, env: sandbox.env, ...options });
}

/** OVS_WAIT_UNTIL: polls `condition` until it holds or the wait times out. */
export function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  return pollUntil(what, condition, timeoutMs);
}

export class AtSandbox {
  readonly env: NodeJS.ProcessEnv;
  private readonly daemons = new Set<number>();

  private constructor(readonly dir: string) {
    this.env = { ...process.env, LC_ALL: 'C', OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  }

  static create(): AtSandbox {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const pid of liveDaemons) signal(pid, 'SIGKILL');
      });
    }
    return new AtSandbox(mkdtempSync(join(tmpdir(), 'ovs-fleet-conformance-')));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  /** The pid in a pidfile of the test directory. */
  pidOf(pidfile: string): number {
    return Number(this.read(pidfile).trim());
  }

  /** on_exit 'kill `cat PIDFILE`' for a daemon started with --detach. */
  killOnExit(pidfile: string): void {
    const pid = this.pidOf(pidfile);
    this.daemons.add(pid);
    liveDaemons.add(pid);
  }

  /** ovsdb-server with --detach, as the .at file writes it; killed on dispose(). */
  async startOvsdbServer(args: readonly string[], pidfile = 'ovsdb-server.pid'): Promise<void> {
    await checkIn(this, 'ovsdb-server', args);
    this.killOnExit(pidfile);
  }

  /** ovsdb_start_idltest [REMOTE] [SCHEMA]: a database on SCHEMA served on punix:socket and REMOTE. */
  async startIdltest(remote = '', schema = IDLTEST_SCHEMA): Promise<void> {
    await checkIn(this, 'ovsdb-tool', ['create', 'db', schema]);
    await this.startOvsdbServer(['-vconsole:warn', '--log-file', '--detach', '--no-chdir', '--pidfile', '--remote=punix:socket', ...(remote === '' ? [] : [`--remote=${remote}`]), 'db']);
  }

  /** PARSE_LISTENING_PORT([LOG], [VAR]): the port a server told to listen on port 0 got. */
  async listeningPort(log: string): Promise<number> {
    let port: number | undefined;
    await waitUntil(`a listening port in ${log}`, () => {
      const text = existsSync(this.path(log)) ? this.read(log) : '';
      const match = /^.*0:.*: listening on port ([0-9]*)$/m.exec(text);
      if (match && match[1] !== '') port = Number(match[1]);
      return port !== undefined;
    });
    return port!;
  }

  /** OVSDB_SERVER_SHUTDOWN: `ovs-appctl --target=ovsdb-server exit`, then wait for the pid to go. */
  async serverShutdown(target = 'ovsdb-server', pidfile = 'ovsdb-server.pid'): Promise<void> {
    const pid = this.pidOf(pidfile);
    await checkIn(this, 'ovs-appctl', [`--target=${target}`, 'exit']);
    await waitUntil(`ovsdb-server ${pid} to exit`, () => !isAlive(pid));
    this.daemons.delete(pid);
    liveDaemons.delete(pid);
  }

  /** Kills every daemon started here (SIGTERM, then SIGKILL) and removes the directory. */
  async dispose(): Promise<void> {
    const pids = [...this.daemons].filter(isAlive);
    for (const pid of pids) signal(pid, 'SIGTERM');
    try {
      await waitUntil('daemons to exit', () => pids.every((pid) => !isAlive(pid)), 5_000);
    } catch {
      for (const pid of pids) signal(pid, 'SIGKILL');
      await waitUntil('daemons to die', () => pids.every((pid) => !isAlive(pid)), 5_000).catch(() => undefined);
    }
    for (const pid of this.daemons) liveDaemons.delete(pid);
    this.daemons.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
