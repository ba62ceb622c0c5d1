import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleRedisDirs } from './redis-server';

describe('sweepStaleRedisDirs', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function serverDir(name: string, ageS: number, pid?: number): void {
    const dir = join(root, name);
    mkdirSync(dir);
    if (pid !== undefined) writeFileSync(join(dir, 'redis.pid'), `${pid}\n`);
    const when = new Date(Date.now() - ageS * 1000);
    utimesSync(dir, when, when);
  }

  it('removes the directories of dead servers, and only those', () => {
    serverDir('ovs-fleet-redis-nopid', 120);
    serverDir('ovs-fleet-redis-deadpid', 120, 2 ** 22 + 1); // above pid_max's ceiling: never a live process
    serverDir('ovs-fleet-redis-live', 120, process.pid);
    serverDir('ovs-fleet-redis-starting', 5);
    serverDir('someone-else', 120);
    expect(sweepStaleRedisDirs(root).map((dir) => dir.slice(root.length + 1)).sort()).toEqual(['ovs-fleet-redis-deadpid', 'ovs-fleet-redis-nopid']);
    expect(readdirSync(root).sort()).toEqual(['ovs-fleet-redis-live', 'ovs-fleet-redis-starting', 'someone-else']);
  });
});
