/**
 * The real agent (apps/agent/src/main.ts, as `npm run agent` starts it) running INSIDE a lab
 * host's network namespace (`ip netns exec NS node ...`), as it would run on a host of its
 * own: it reaches the host's ovsdb-server, the lab's Redis and podman's socket over what the
 * host has, nothing of the root namespace's. Its JSON log lines are kept for failure messages.
 * `ip netns exec` execs node, so the child's pid is the agent's: SIGKILL hits the agent itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export type AgentLogLine = Record<string, unknown> & { msg?: string };

export class HostAgent {
  readonly lines: AgentLogLine[] = [];
  private other = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly netns: string,
    private readonly child: ChildProcess,
  ) {
    // 'close', not 'exit': it comes once standard output is drained, so every line the agent wrote is read.
    this.exited = new Promise((done) => child.once('close', (code, signal) => done({ code, signal })));
    void this.exited.then(() => live.delete(child));
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop()!;
      for (const part of parts.filter((p) => p.trim() !== '')) {
        try {
          this.lines.push(JSON.parse(part) as AgentLogLine);
        } catch {
          this.other += `${part}\n`;
        }
      }
      if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.other = (this.other + chunk.toString()).slice(-20_000)));
  }

  /** `env`: the agent's OVS_FLEET_ variables (none of this process's are passed on). */
  static start(netns: string, env: Record<string, string>): HostAgent {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => live.forEach((child) => child.kill('SIGKILL')));
    }
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OVS_FLEET_')));
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-r', '@swc-node/register', 'apps/agent/src/main.ts'], {
      cwd: REPO,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    return new HostAgent(netns, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once a log line matches (rejects when the agent exits first or after `timeoutMs`). */
  async waitForLog(match: (line: AgentLogLine) => boolean, timeoutMs: number): Promise<AgentLogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (!this.running) throw new Error(`the agent in ${this.netns} exited:\n${this.transcript()}`);
      if (Date.now() > deadline) throw new Error(`the agent in ${this.netns} logged nothing matching ${match.toString()} within ${timeoutMs} ms:\n${this.transcript()}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /** SIGTERM (the job in hand is finished), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines it wrote, for a failure message. */
  transcript(last = 40): string {
    return [...this.lines.slice(-last).map((line) => JSON.stringify(line)), this.other.slice(-4000)].join('\n');
  }
}
