import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from './busybox-image';
import { LabNames, PODMAN_LABEL_KEY, podmanContainerName } from './naming';
import { verifiedPid } from './processes';
import { waitFor } from './wait';

/** The project's containers.conf (runc, cgroupfs, ulimits): podman reads it through CONTAINERS_CONF. */
const CONTAINERS_CONF = join(__dirname, '..', 'podman', 'containers.conf');

export function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF };
}

export interface ApiResponse {
  status: number;
  body: string;
}

/** One request to podman's Docker-compatible API over its unix socket. */
export function dockerApi(socketPath: string, method: string, path: string, timeoutMs = 5000): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`podman API ${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface PodmanContainer {
  /** The lab's short name for it (`web1`). */
  name: string;
  /** The real podman name (`ovf-LAB-web1`). */
  podmanName: string;
  id: string;
  pid: number;
}

function isServing(socketPath: string): Promise<boolean> {
  return dockerApi(socketPath, 'GET', '/_ping', 1000).then(
    (res) => res.status === 200,
    () => false,
  );
}

/** Starts `podman system service` on the lab's socket, detached and tracked by a pid file. */
async function startService(lab: LabNames): Promise<void> {
  const log = openSync(lab.podmanLogFile, 'a');
  try {
    const child = spawn('podman', ['system', 'service', '--time=0', `unix://${lab.podmanSocket}`], {
      detached: true,
      stdio: ['ignore', log, log],
      env: podmanEnv(),
    });
    child.unref();
    if (child.pid === undefined) throw new Error('podman system service did not start');
    await writeFile(lab.podmanPidFile, `${child.pid}\n`);
  } finally {
    closeSync(log);
  }
  await waitFor(`podman API on ${lab.podmanSocket}`, async () => ((await isServing(lab.podmanSocket)) ? true : undefined), 30_000, 50);
}

/**
 * Real podman containers for a lab: `--network none` busybox containers named with the
 * lab's prefix and labelled with its name, and the Docker-compatible API on a socket in
 * the lab's run dir (where a Docker client, or ovs-docker, finds container PIDs).
 */
export class LabPodman {
  private constructor(
    private readonly lab: LabNames,
    /** How long making the image and starting the API service took, in ms (0 if both were there). */
    readonly startMs: number,
  ) {}

  static async start(lab: LabNames): Promise<LabPodman> {
    const started = performance.now();
    const alreadyServing = verifiedPid(lab.podmanPidFile, lab.runDir) !== undefined && (await isServing(lab.podmanSocket));
    if (alreadyServing) return new LabPodman(lab, 0);
    await ensureBusyboxImage(podmanEnv());
    await startService(lab);
    return new LabPodman(lab, Math.round(performance.now() - started));
  }

  get socketPath(): string {
    return this.lab.podmanSocket;
  }

  /** `podman run -d --network none localhost/busybox ...`; resolves once it runs, with its PID. */
  async run(container: string, argv: readonly string[] = ['/bin/sleep', '100000']): Promise<PodmanContainer> {
    const podmanName = podmanContainerName(this.lab, container);
    const { stdout } = await run(
      'podman',
      ['run', '-d', '--name', podmanName, '--label', this.lab.podmanLabel, '--network', 'none', BUSYBOX_IMAGE, ...argv],
      { env: podmanEnv() },
    );
    return { name: container, podmanName, id: stdout.trim(), pid: await this.pid(container) };
  }

  /** `GET /containers/NAME/json` through the Docker-compatible API. */
  async inspect(container: string): Promise<{ Id: string; State: { Pid: number; Running: boolean }; Config?: { Labels?: Record<string, string> } }> {
    const podmanName = podmanContainerName(this.lab, container);
    const res = await dockerApi(this.socketPath, 'GET', `/containers/${encodeURIComponent(podmanName)}/json`);
    if (res.status !== 200) throw new Error(`podman API: container ${podmanName}: HTTP ${res.status} ${res.body.trim()}`);
    return JSON.parse(res.body);
  }

  async pid(container: string): Promise<number> {
    const { State } = await this.inspect(container);
    if (!State.Running || !(State.Pid > 0)) throw new Error(`container ${container} is not running`);
    return State.Pid;
  }

  async remove(container: string): Promise<void> {
    await run('podman', ['rm', '-f', '-t', '0', podmanContainerName(this.lab, container)], { env: podmanEnv() });
  }
}

/** Names of the podman containers that belong to a lab: by its label, or by its name prefix. */
async function listLabContainers(lab: LabNames): Promise<string[]> {
  const { stdout } = await run('podman', ['ps', '-a', '--format', 'json'], { env: podmanEnv() });
  const all = (stdout.trim() === '' ? [] : JSON.parse(stdout)) as { Names?: string[]; Labels?: Record<string, string> | null }[];
  return all
    .filter((c) => c.Labels?.[PODMAN_LABEL_KEY] === lab.name || (c.Names ?? []).some((n) => n.startsWith(lab.podmanPrefix)))
    .flatMap((c) => (c.Names ?? []).slice(0, 1));
}

export async function removeLabContainers(lab: LabNames): Promise<string[]> {
  const names = await listLabContainers(lab);
  if (names.length > 0) await run('podman', ['rm', '-f', '-t', '0', ...names], { env: podmanEnv() });
  return names;
}
