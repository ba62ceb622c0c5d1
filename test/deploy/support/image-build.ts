/**
 * Why the tests check a Containerfile without building it, asked of the machine each run so
 * that the reason printed is the one that holds here and now.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DOCKER_SOCKET = '/var/run/docker.sock';

/** Local images podman holds (REPOSITORY:TAG), for the message. */
function podmanImages(): string[] | null {
  const listed = spawnSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8', timeout: 30_000 });
  if (listed.error || listed.status !== 0) return null;
  return listed.stdout.split('\n').filter(Boolean);
}

/** podman's local storage holds this image (no registry is asked). */
function podmanHas(image: string): boolean {
  return spawnSync('podman', ['image', 'exists', image], { timeout: 30_000 }).status === 0;
}

/**
 * Why an image based on `baseImage` is not built by the tests, as it holds on this machine:
 * no Docker daemon and no base image in podman's local storage (nothing is pulled: the tests
 * do not depend on a registry answering); or, where one could build it, that npm test does
 * not (the image's npm ci needs the npm registry, and a build takes minutes).
 */
export function whyNotBuilt(baseImage: string): string {
  const noRegistry = 'npm test does not build images (their npm ci needs the npm registry, and a build takes minutes): build with the command in docker/README.md';
  if (existsSync(DOCKER_SOCKET) || process.env.DOCKER_HOST) return `a Docker daemon is reachable, but ${noRegistry}`;
  const images = podmanImages();
  if (images === null) return `no Docker daemon (no ${DOCKER_SOCKET}) and podman cannot list its images`;
  if (podmanHas(baseImage)) return `podman holds ${baseImage}, but ${noRegistry}`;
  return `no Docker daemon (no ${DOCKER_SOCKET}), and podman's local storage has no ${baseImage} (it holds: ${images.join(', ') || 'nothing'}) to build from; nothing is pulled from a registry`;
}
