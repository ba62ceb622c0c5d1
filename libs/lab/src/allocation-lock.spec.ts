import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAllocationLock } from './allocation-lock';

describe('allocation lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one holder in at a time and removes the lock afterwards', async () => {
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

  it('takes over a lock left by a process that is gone', async () => {
    const dead = spawnSync('true').pid;
    writeFileSync(join(dir, '.allocation.lock'), `${dead}\n`);
    expect(await withAllocationLock(dir, async () => 'taken')).toBe('taken');
  });

  it('waits for a live holder and gives up after the timeout', async () => {
    writeFileSync(join(dir, '.allocation.lock'), `${process.pid}\n`);
    await expect(withAllocationLock(dir, async () => 'never', 100)).rejects.toThrow(/timed out waiting for .*\.allocation\.lock/);
  });
});
