import { request } from 'node:http';
import { FleetError } from '@ovs-fleet/errors';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface ContainerState {
  id: string;
  name: string;
  pid: number;
  running: boolean;
}

/** The Docker Engine API's error for an unknown container (podman's compatible service answers the same). */
export class ContainerNotFoundError extends FleetError {
  readonly code = 'CONTAINER_NOT_FOUND';

  constructor(readonly container: string) {
    super(`container "${container}" not found`);
  }
}

/**
 * `GET /containers/NAME/json` over the engine's unix socket: full id, name and the PID of
 * its init process. Docker and podman's Docker-compatible service both answer it.
 */
export function inspectContainer(nameOrId: string, socketPath = DEFAULT_DOCKER_SOCKET, timeoutMs = 10_000): Promise<ContainerState> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/containers/${encodeURIComponent(nameOrId)}/json`, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 404) return reject(new ContainerNotFoundError(nameOrId));
        if (res.statusCode !== 200) return reject(new Error(`container engine at ${socketPath} answered ${res.statusCode}: ${body.trim()}`));
        try {
          const parsed = JSON.parse(body) as { Id?: unknown; Name?: unknown; State?: { Pid?: unknown; Running?: unknown } };
          if (typeof parsed.Id !== 'string' || typeof parsed.State?.Pid !== 'number') throw new Error('no Id or State.Pid');
          resolve({
            id: parsed.Id,
            name: typeof parsed.Name === 'string' ? parsed.Name.replace(/^\//, '') : '',
            pid: parsed.State.Pid,
            running: parsed.State.Running === true,
          });
        } catch (error) {
          reject(new Error(`container engine at ${socketPath} sent an unexpected answer for "${nameOrId}": ${String(error)}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`container engine at ${socketPath} did not answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new Error(`cannot reach the container engine at ${socketPath}: ${error.message}`, { cause: error })));
    req.end();
  });
}
