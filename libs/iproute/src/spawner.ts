import { ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Processes are started by a small helper process, `python3` running HELPER_SOURCE, never by
 * this one. Node forks (libuv's fork + exec) and waits for the exec synchronously: its whole
 * address space is copied on write, which on this kind of VM (shadow page tables) costs far
 * more than the program's own start (timed once inside bench:plumbing's process: 14-20 ms per
 * start, one after the other on the starting thread), and stalls the calling thread that long. The helper is small and Python's subprocess uses vfork: a few ms per process, off
 * this process entirely, so its event loop never waits for a fork. Python 3 is there wherever
 * Open vSwitch is (Debian's openvswitch-switch depends on it; the bootstrap installs it).
 *
 * Protocol, one JSON document per line: in, {type:'start', id, file, args, env, timeoutMs}
 * and {type:'input', id, input} (written to the process's standard input, which then
 * closes); out, {id, stdout, stderr, error: null | {code, message}} once the process has
 * exited: `code` the exit status (null: it could not start, was killed, or timed out).
 * The helper exits when its standard input closes (this process ended), not on SIGINT or
 * SIGTERM: sent to the whole process group, they are for this process, which may still start
 * processes to clean up.
 */
const HELPER_SOURCE = String.raw`
import errno, json, signal, subprocess, sys, threading, time

out_lock = threading.Lock()
children = {}

# A Ctrl-C or SIGTERM sent to the whole process group is for the Node process, which may
# still need processes started to clean up: the helper goes when its standard input closes.
# Handlers, not SIG_IGN: an ignored signal would stay ignored in every program started.
def not_for_us(signum, frame):
    pass

signal.signal(signal.SIGINT, not_for_us)
signal.signal(signal.SIGTERM, not_for_us)

def reply(message):
    line = json.dumps(message) + '\n'
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()

def run(job, entry):
    try:
        proc = subprocess.Popen([job['file']] + job['args'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=job['env'])
    except OSError as failure:
        children.pop(job['id'], None)
        name = errno.errorcode.get(failure.errno, str(failure)) if failure.errno else str(failure)
        reply({'id': job['id'], 'stdout': '', 'stderr': '', 'error': {'code': None, 'message': 'spawn %s %s' % (job['file'], name)}})
        return
    deadline = entry['started'] + job['timeoutMs'] / 1000.0
    error = None
    if not entry['input'].wait(max(0.0, deadline - time.monotonic())):
        proc.kill()
        stdout, stderr = proc.communicate()
        error = {'code': None, 'message': '%s timed out after %d ms' % (job['file'], job['timeoutMs'])}
    else:
        try:
            stdout, stderr = proc.communicate(entry['data'].encode(), timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            error = {'code': None, 'message': '%s timed out after %d ms' % (job['file'], job['timeoutMs'])}
    stdout = stdout.decode('utf-8', 'replace')
    stderr = stderr.decode('utf-8', 'replace')
    if error is None and proc.returncode != 0:
        status = proc.returncode
        if status < 0:
            error = {'code': None, 'message': 'Command failed: %s (killed by %s)' % (job['file'], signal.Signals(-status).name)}
        else:
            error = {'code': status, 'message': 'Command failed: %s %s\n%s' % (job['file'], ' '.join(job['args']), stderr)}
    children.pop(job['id'], None)
    reply({'id': job['id'], 'stdout': stdout, 'stderr': stderr, 'error': error})

# Each process is started and watched by a thread of its own, so that several start at once.
def start(job):
    entry = {'input': threading.Event(), 'data': '', 'started': time.monotonic()}
    children[job['id']] = entry
    threading.Thread(target=run, args=(job, entry), daemon=True).start()

for line in sys.stdin:
    message = json.loads(line)
    if message['type'] == 'start':
        start(message)
    elif message['type'] == 'input':
        entry = children.get(message['id'])
        if entry is not None and not entry['input'].is_set():
            entry['data'] = message['input']
            entry['input'].set()
`;

export interface SpawnOutcome {
  stdout: string;
  stderr: string;
  error: { code: number | null; message: string } | null;
}

interface Pending {
  settle: (outcome: SpawnOutcome) => void;
}

let helper: ChildProcess | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The helper's pipes keep this process alive only while a process of ours runs. */
function setRef(child: ChildProcess, ref: boolean): void {
  for (const stream of [child.stdin, child.stdout] as unknown as (Socket | null)[]) {
    if (ref) stream?.ref();
    else stream?.unref();
  }
  if (ref) child.ref();
  else child.unref();
}

function theHelper(): ChildProcess {
  if (helper) return helper;
  // -I -S: no user site, no PYTHON* variables, no site module (a faster start, nothing of the machine's Python setup).
  const started = spawn('python3', ['-I', '-S', '-c', HELPER_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffered = '';
  started.stdout!.setEncoding('utf8');
  started.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const outcome = JSON.parse(buffered.slice(0, newline)) as SpawnOutcome & { id: number };
      buffered = buffered.slice(newline + 1);
      const entry = pending.get(outcome.id);
      if (!entry) continue;
      pending.delete(outcome.id);
      if (pending.size === 0) setRef(started, false);
      entry.settle({ stdout: outcome.stdout, stderr: outcome.stderr, error: outcome.error });
    }
  });
  started.stdin!.on('error', () => undefined); // the helper died: 'exit' reports it
  started.on('error', (error) => failAll(started, error));
  started.on('exit', (code, signal) => failAll(started, new Error(`process spawner helper exited (${code ?? signal})`)));
  setRef(started, false);
  helper = started;
  return started;
}

/** The helper died (or python3 could not start): every process it was watching is reported failed; the next start makes a new one. */
function failAll(dead: ChildProcess, error: Error): void {
  if (helper !== dead) return;
  helper = null;
  const entries = [...pending.values()];
  pending.clear();
  for (const entry of entries) entry.settle({ stdout: '', stderr: '', error: { code: null, message: error.message } });
}

/** A process started by the helper, its standard input still open. */
export interface SpawnedProcess {
  /** Settles when the process has exited (never rejects: see `error`). */
  readonly outcome: Promise<SpawnOutcome>;
  /** Writes `input` and closes standard input. */
  end(input: string): void;
}

/** `env` undefined: this process's environment as it is now. */
export function spawnOffThread(file: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined, timeoutMs: number): SpawnedProcess {
  const child = theHelper();
  const id = nextId++;
  const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
  // A plain copy: jest's process.env is a proxy. Sent every time: the helper's own
  // environment is this process's when the helper started, and it may have changed since.
  send({ type: 'start', id, file, args: [...args], env: { ...(env ?? process.env) }, timeoutMs });
  const outcome = new Promise<SpawnOutcome>((settle) => pending.set(id, { settle }));
  setRef(child, true);
  return {
    outcome,
    end: (input) => {
      if (pending.has(id)) send({ type: 'input', id, input });
    },
  };
}
