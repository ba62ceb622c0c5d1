import { ChildProcess, spawn } from 'node:child_process';
import { CommandError, RunResult } from './exec';
import { formatBatch } from './ip';
import { assertNetnsName } from './names';

/**
 * A command that always fails, at once and without touching anything (no interface name
 * holds a '/'): `ip` reports each failure on standard error as `Command failed -:LINE`, so this
 * one marks where a batch ends.
 */
const END_MARK = ['link', 'show', 'dev', 'ovf/end'];
const FAILED = /^Command failed -:(\d+)$/;

interface PendingBatch {
  firstLine: number;
  endLine: number;
  commands: readonly (readonly string[])[];
  failures: string[];
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface IpBatchSessionOptions {
  /** Named namespace to run in (`ip -n NAME`); the current one when undefined. */
  netns?: string;
  /** A batch not finished by then kills the process (and fails every batch in it). */
  timeoutMs?: number;
}

/**
 * One long-lived `ip [-n NS] -force -batch -` taking batch after batch on its standard input:
 * no process start per batch. Batches run in order; a batch whose commands fail rejects with
 * a CommandError holding ip's messages (the other commands of it still ran, as with -force).
 * Only for commands that print nothing on success (changes, not `show`): standard output is
 * discarded. The process is started on first use, again after it died, and never keeps Node
 * alive while idle; close() ends it.
 */
export class IpBatchSession {
  private readonly args: string[];
  private readonly timeoutMs: number;
  private child: ChildProcess | null = null;
  private linesWritten = 0;
  private readonly queue: PendingBatch[] = [];
  private stderrTail = '';
  private messages: string[] = [];

  constructor(options: IpBatchSessionOptions = {}) {
    const netns = options.netns === undefined ? [] : ['-n', assertNetnsName(options.netns, 'netns')];
    this.args = [...netns, '-force', '-batch', '-'];
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Runs the commands; resolves once ip has run all of them, rejects if any failed. */
  run(commands: readonly (readonly string[])[]): Promise<RunResult> {
    const input = formatBatch([...commands, END_MARK]);
    const child = this.child ?? this.start();
    return new Promise<RunResult>((resolve, reject) => {
      const firstLine = this.linesWritten + 1;
      this.linesWritten += commands.length + 1;
      const timer = setTimeout(() => this.fail(child, new Error(`ip ${this.args.join(' ')}: a batch took over ${this.timeoutMs} ms`)), this.timeoutMs);
      this.queue.push({ firstLine, endLine: this.linesWritten, commands, failures: [], resolve, reject, timer });
      this.setKeepAlive(true);
      child.stdin?.write(input);
    });
  }

  /** Ends the process once the batches sent so far have run. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin?.end();
    this.setKeepAlive(true);
    await exited;
  }

  private start(): ChildProcess {
    const child = spawn('ip', this.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    this.linesWritten = 0;
    this.stderrTail = '';
    this.messages = [];
    child.stdin?.on('error', () => undefined);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.onStderr(chunk));
    child.on('error', (error) => this.fail(child, error));
    child.on('close', (code, signal) => this.fail(child, new CommandError('ip', this.args, code, `${this.messages.join('\n')}${signal ? ` (killed by ${signal})` : ''}\nip exited before the batch ended`)));
    return child;
  }

  private onStderr(chunk: string): void {
    const lines = (this.stderrTail + chunk).split('\n');
    this.stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      const failed = FAILED.exec(line);
      if (!failed) {
        this.messages.push(line);
        continue;
      }
      const lineNo = Number(failed[1]);
      const batch = this.queue[0];
      if (batch && lineNo >= batch.firstLine && lineNo < batch.endLine) {
        const command = batch.commands[lineNo - batch.firstLine];
        batch.failures.push(`${this.messages.join('\n')}\nCommand failed: ${command.join(' ')} (batch line ${lineNo - batch.firstLine + 1})`);
      } else if (batch && lineNo === batch.endLine) {
        this.finish(batch);
      }
      this.messages = [];
    }
  }

  private finish(batch: PendingBatch): void {
    this.queue.shift();
    clearTimeout(batch.timer);
    if (batch.failures.length === 0) batch.resolve({ stdout: '', stderr: '' });
    else batch.reject(new CommandError('ip', this.args, null, batch.failures.join('\n')));
    if (this.queue.length === 0) this.setKeepAlive(false);
  }

  /** The process died or hung: every batch in it fails; the next run starts a new one. */
  private fail(child: ChildProcess, error: Error): void {
    if (this.child !== child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const batch of this.queue.splice(0)) {
      clearTimeout(batch.timer);
      batch.reject(error);
    }
  }

  /** Idle, neither the process nor its pipes keep the event loop alive. */
  private setKeepAlive(on: boolean): void {
    const child = this.child;
    if (!child) return;
    const handles = [child, child.stdin, child.stderr] as ({ ref(): void; unref(): void } | null)[];
    for (const handle of handles) {
      if (on) handle?.ref();
      else handle?.unref();
    }
  }
}
