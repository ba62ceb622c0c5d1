import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clearStaleAllocationLock, withAllocationLock } from './allocation-lock';
import { LabLockTimeoutError } from './errors';

const REPO = resolve(__dirname, '../../..');
const TSX_LOADER = join(REPO, 'node_modules/tsx/dist/loader.mjs');

/** Another process that takes the lock, says "locked" and keeps it until killed. */
function startHolder(dir: string): Promise<ChildProcess> {
  const script = join(dir, 'holder.ts');
  writeFileSync(
    script,
    `import { withAllocationLock } from ${JSON.stringify(join(__dirname, 'allocation-lock'))};
     void withAllocationLock(${JSON.stringify(dir)}, () => { process.stdout.write('locked\\n'); return new Promise(() => setInterval(() => undefined, 60_000)); });`,
  );
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveHolder, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolveHolder(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`lock holder exited (${code ?? signal}) before taking the lock`)));
  });
}

describe('allocation lock', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-lock-'))));
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets one holder in at a time and removes the lock file afterwards', async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        withAllocationLock(dir, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 10));
          order.push(n);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3]);
    expect(existsSync(join(dir, '.allocation.lock'))).toBe(false);
  });

  it('releases the lock when the holder throws', async () => {
    await expect(withAllocationLock(dir, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withAllocationLock(dir, async () => 'next')).toBe('next');
  });

  it('a holder killed with SIGKILL right after taking the lock blocks nobody: the next caller takes it at once', async () => {
    const holder = await startHolder(dir);
    children.push(holder);
    expect(existsSync(join(dir, '.allocation.lock'))).toBe(true);
    expect(holder.exitCode).toBeNull();
    holder.kill('SIGKILL');
    const started = Date.now();
    expect(await withAllocationLock(dir, async () => 'taken', 5000)).toBe('taken');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a lock file left empty (holder killed before writing anything) blocks nobody', async () => {
    writeFileSync(join(dir, '.allocation.lock'), '');
    expect(await withAllocationLock(dir, async () => 'taken', 500)).toBe('taken');
  });

  it('a lock file naming a live process that holds no lock (a reused PID) blocks nobody', async () => {
    writeFileSync(join(dir, '.allocation.lock'), `${process.pid}\n`);
    expect(await withAllocationLock(dir, async () => 'taken', 500)).toBe('taken');
  });

  it('waits for a live holder in another process and gives up after the timeout', async () => {
    children.push(await startHolder(dir));
    const error = await withAllocationLock(dir, async () => 'never', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabLockTimeoutError);
    expect(error).toMatchObject({ code: 'LAB_LOCK_TIMEOUT', retryable: true, timeoutMs: 300, message: expect.stringMatching(/timed out after 300 ms waiting for .*\.allocation\.lock/) });
  });

  it('a waiter gets the lock as soon as the holder lets go', async () => {
    let letGo!: () => void;
    const first = withAllocationLock(dir, () => new Promise<void>((r) => (letGo = r)));
    await new Promise((r) => setTimeout(r, 50));
    const second = withAllocationLock(dir, async () => 'second', 5000);
    await new Promise((r) => setTimeout(r, 100));
    letGo();
    await first;
    expect(await second).toBe('second');
  });

  it('clearStaleAllocationLock removes a file left by a dead holder and leaves a held lock alone', async () => {
    writeFileSync(join(dir, '.allocation.lock'), '');
    await clearStaleAllocationLock(dir);
    expect(existsSync(join(dir, '.allocation.lock'))).toBe(false);

    children.push(await startHolder(dir));
    await clearStaleAllocationLock(dir);
    expect(existsSync(join(dir, '.allocation.lock'))).toBe(true);
    await expect(withAllocationLock(dir, async () => 'never', 100)).rejects.toBeInstanceOf(LabLockTimeoutError);
  });

  it('clearStaleAllocationLock is a no-op without a lock file or a root', async () => {
    await clearStaleAllocationLock(dir);
    await clearStaleAllocationLock(join(dir, 'missing'));
    expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout).toBe('');
  });
});
