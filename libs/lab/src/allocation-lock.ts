import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunning } from './processes';

const LOCK_FILE = '.allocation.lock';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function holderGone(file: string): Promise<boolean> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && !isRunning(pid);
}

/**
 * Runs `fn` while holding the lab root's allocation lock, so that checking ranges and
 * recording them in a state file is one step for concurrent `up`s (other labs then see
 * the ranges). A lock left by a dead process is taken over.
 */
export async function withAllocationLock<T>(root: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const file = join(root, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await holderGone(file)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by another lab being brought up)`, { cause: error });
      await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
