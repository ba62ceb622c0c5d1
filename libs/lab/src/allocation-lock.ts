import { spawn } from 'node:child_process';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LabLockTimeoutError } from './errors';

const LOCK_FILE = '.allocation.lock';
/** flock(1)'s exit status when the lock stayed busy for the whole wait (`--conflict-exit-code`). */
const BUSY = 75;

/**
 * Takes an exclusive flock(2) on the open file description behind `handle`. Node has no
 * flock, so flock(1) does it on the descriptor it inherits as fd 3: the lock belongs to the
 * open file description, which we keep open after flock(1) exits. The kernel drops the lock
 * when the last descriptor closes: when we close it, or when this process dies, even by
 * SIGKILL. Resolves false when the lock stayed busy for `waitMs`.
 */
function flock(handle: FileHandle, waitMs: number): Promise<boolean> {
  const wait = waitMs > 0 ? ['--wait', (waitMs / 1000).toFixed(3)] : ['--nonblock'];
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', ...wait, '--conflict-exit-code', String(BUSY), '3'], { stdio: ['ignore', 'ignore', 'pipe', handle.fd] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(true);
      else if (code === BUSY) resolve(false);
      else reject(new Error(`flock on the lab's allocation lock failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

/** True when `handle` is still the file at `file` (the last holder unlinks it before releasing). */
async function stillLinked(handle: FileHandle, file: string): Promise<boolean> {
  const [held, current] = await Promise.all([handle.stat(), stat(file).catch(() => undefined)]);
  return current !== undefined && current.ino === held.ino && current.dev === held.dev;
}

/**
 * Holds the lab root's allocation lock, an flock(2) on `.allocation.lock`. Resolves with a
 * release function, or undefined when the lock stayed busy for `waitMs` (0: do not wait).
 *
 * The file exists only while someone holds it: the holder unlinks it before releasing.
 * A waiter that then gets the lock on the unlinked file sees that it is no longer the file
 * at the path and starts over. A holder killed outright leaves the file, unlocked: the next
 * caller takes it at once.
 */
async function acquire(root: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
  const file = join(root, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const handle = await open(file, 'a');
    let locked: boolean;
    try {
      locked = await flock(handle, Math.max(0, deadline - Date.now()));
      if (locked && (await stillLinked(handle, file))) {
        return async () => {
          await unlink(file).catch(() => undefined);
          await handle.close();
        };
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
    if (!locked) return undefined;
  }
}

/**
 * Runs `fn` while holding the lab root's allocation lock, so that checking ranges and
 * recording them in a state file is one step for concurrent `up`s (other labs then see
 * the ranges). The kernel releases the lock when its holder dies, whatever the signal.
 */
export async function withAllocationLock<T>(root: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const release = await acquire(root, timeoutMs);
  if (release === undefined) throw new LabLockTimeoutError(join(root, LOCK_FILE), timeoutMs);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Removes a lock file left by a holder that was killed (for `down`): only when nobody
 * holds it, so an `up` in progress keeps its lock.
 */
export async function clearStaleAllocationLock(root: string): Promise<void> {
  try {
    await stat(join(root, LOCK_FILE));
  } catch {
    return; // nothing left behind (or no root at all)
  }
  const release = await acquire(root, 0);
  await release?.();
}
