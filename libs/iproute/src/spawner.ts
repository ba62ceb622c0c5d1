import { SHARE_ENV, Worker } from 'node:worker_threads';

/**
 * Starting a process blocks the calling thread until the child has exec'd (libuv reports a
 * failed exec synchronously): 1-2 ms on a quiet machine, several under load. A busy agent
 * must not stall its event loop that long per process, so processes are started from a
 * worker thread. The worker is plain JavaScript given as source: it runs the same under
 * tsx, jest and compiled output.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { execFile } = require('node:child_process');
const children = new Map();
parentPort.on('message', (message) => {
  if (message.type === 'start') {
    const child = execFile(message.file, message.args, { env: message.env || process.env, timeout: message.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      children.delete(message.id);
      parentPort.postMessage({
        id: message.id,
        stdout,
        stderr,
        error: error ? { code: typeof error.code === 'number' ? error.code : null, message: error.message } : null,
      });
    });
    child.stdin.on('error', () => {});
    children.set(message.id, child);
  } else if (message.type === 'input') {
    const child = children.get(message.id);
    if (child) child.stdin.end(message.input);
  }
});
`;

export interface SpawnOutcome {
  stdout: string;
  stderr: string;
  error: { code: number | null; message: string } | null;
}

interface Pending {
  settle: (outcome: SpawnOutcome) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function theWorker(): Worker {
  if (worker) return worker;
  // SHARE_ENV: the worker's process.env is this process's, so a child inherits it as from here.
  const started = new Worker(WORKER_SOURCE, { eval: true, env: SHARE_ENV });
  started.on('message', (outcome: SpawnOutcome & { id: number }) => {
    const entry = pending.get(outcome.id);
    if (!entry) return;
    pending.delete(outcome.id);
    if (pending.size === 0) started.unref();
    entry.settle(outcome);
  });
  started.on('error', (error) => failAll(started, error));
  started.on('exit', (code) => failAll(started, new Error(`process spawner thread exited (${code})`)));
  started.unref();
  worker = started;
  return started;
}

/** The thread died: every process it was watching is reported failed; the next start makes a new one. */
function failAll(dead: Worker, error: Error): void {
  if (worker !== dead) return;
  worker = null;
  const entries = [...pending.values()];
  pending.clear();
  for (const entry of entries) entry.settle({ stdout: '', stderr: '', error: { code: null, message: error.message } });
}

/** A process started by the spawner thread, its standard input still open. */
export interface SpawnedProcess {
  /** Settles when the process has exited (never rejects: see `error`). */
  readonly outcome: Promise<SpawnOutcome>;
  /** Writes `input` and closes standard input. */
  end(input: string): void;
}

/** `env` undefined: this process's environment (copying it into every message costs more than the spawn's bookkeeping). */
export function spawnOffThread(file: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined, timeoutMs: number): SpawnedProcess {
  const thread = theWorker();
  const id = nextId++;
  // A plain copy: jest's process.env is a proxy, which cannot cross threads.
  thread.postMessage({ type: 'start', id, file, args: [...args], env: env === undefined ? undefined : { ...env }, timeoutMs });
  const outcome = new Promise<SpawnOutcome>((settle) => pending.set(id, { settle }));
  thread.ref();
  return {
    outcome,
    end: (input) => {
      if (pending.has(id)) thread.postMessage({ type: 'input', id, input });
    },
  };
}
