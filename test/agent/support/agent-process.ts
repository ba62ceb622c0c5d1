/**
 * The real agent (apps/agent/src/main.ts) in a child process, as `npm run agent` starts it,
 * with its JSON log lines collected. SIGTERM, SIGKILL and the exit code are what a test
 * looks at; every process still running when the test process exits is killed.
 *
 *   const agent = AgentProcess.start({ OVS_FLEET_HOST_ID: 'h1', ... });
 *   try { await agent.waitForLog((line) => line.msg === 'agent started'); } finally { await agent.stop(); }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class AgentProcess {
  readonly lines: LogLine[] = [];
  /** Standard error, and standard output lines that are not JSON (Nest's own, a crash). */
  other = '';
  readonly exited: Promise<AgentExit>;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    // 'close', not 'exit': it comes once standard output is drained, so every line the agent wrote before exiting is read.
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      live.delete(child);
      this.wake();
    });
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) this.absorb(part);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.other += chunk.toString();
      this.wake();
    });
  }

  /** Starts the agent with these variables (on top of this process's environment, without its OVS_FLEET_ ones). */
  static start(env: Record<string, string>): AgentProcess {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const child of live) child.kill('SIGKILL');
      });
    }
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OVS_FLEET_')));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/agent/src/main.ts'], {
      cwd: REPO,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    return new AgentProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line (seen already or to come) that matches; rejects on timeout or exit. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return this.waitFor(() => this.lines.find(match), `a log line matching ${match.toString()}`, timeoutMs);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<AgentExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** What the agent wrote, for a failing test's message. */
  transcript(): string {
    return [...this.lines.map((line) => JSON.stringify(line)), this.other].join('\n');
  }

  private absorb(text: string): void {
    if (text.trim() === '') return;
    try {
      this.lines.push(JSON.parse(text) as LogLine);
    } catch {
      this.other += `${text}\n`;
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found !== undefined) return done(() => resolve(found));
        if (!this.running) return done(() => reject(new Error(`the agent exited before ${what}:\n${this.transcript()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms:\n${this.transcript()}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }
}
