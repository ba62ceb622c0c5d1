import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';

export const BUSYBOX_IMAGE = 'localhost/busybox';
const BUSYBOX = '/bin/busybox';

function exitOf(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** `tar -C DIR -c . | podman import - IMAGE`, with two processes and a pipe (no shell). */
async function importDirectory(dir: string, image: string, env: NodeJS.ProcessEnv): Promise<void> {
  const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const podman = spawn('podman', ['import', '-', image], { stdio: ['pipe', 'ignore', 'pipe'], env });
  tar.stdout.pipe(podman.stdin);
  await Promise.all([exitOf(tar, 'tar'), exitOf(podman, 'podman import')]);
}

/**
 * No registry is reachable: the lab's image is busybox-static with its applet links.
 * Built once per machine (podman's image store is shared); returns whether it was built.
 */
export async function ensureBusyboxImage(env: NodeJS.ProcessEnv, image = BUSYBOX_IMAGE): Promise<boolean> {
  const exists = await run('podman', ['image', 'exists', image], { env }).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  const dir = await mkdtemp(join(tmpdir(), 'ovs-fleet-busybox-'));
  try {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await copyFile(BUSYBOX, join(bin, 'busybox'));
    await chmod(join(bin, 'busybox'), 0o755);
    const { stdout } = await run(BUSYBOX, ['--list']);
    const applets = stdout.split('\n').filter((name) => name !== '' && name !== 'busybox' && !name.includes('/'));
    await Promise.all(applets.map((name) => symlink('busybox', join(bin, name))));
    await importDirectory(dir, image, env);
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
