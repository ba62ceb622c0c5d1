import { stat } from 'node:fs/promises';
import { assertNetnsName, ValidationError } from '@ovs-fleet/iproute';
import { ContainerNotFoundError, DEFAULT_DOCKER_SOCKET, inspectContainer } from './docker-api';
import { NamespaceRef, NamespaceTarget, ResolvedContainer } from './types';

const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PROC_NS = /^\/proc\/([1-9][0-9]{0,9})\/ns\/net$/;
const NETNS_PATH = /^\/(?:var\/)?run\/netns\/([^/]+)$/;
export const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export interface ResolveOptions {
  /** Identity to record instead of the derived one (`pid-N`, `netns-NAME`). */
  containerId?: string;
  /** Used when a docker ref gives no socket. */
  dockerSocket?: string;
  /** Replaceable for unit tests. */
  inspect?: typeof inspectContainer;
}

function assertPid(pid: unknown, field: string): number {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > 4_194_304) throw new ValidationError(field, `${JSON.stringify(pid)} is not a process id`);
  return pid;
}

/** Checks the shape of a namespace reference without touching the system. */
export function assertNamespaceRef(ref: unknown, field = 'container'): NamespaceRef {
  if (typeof ref !== 'object' || ref === null) throw new ValidationError(field, 'must be {dockerContainer}, {pid}, {path} or {netns}');
  const keys = Object.keys(ref);
  const r = ref as Record<string, unknown>;
  if ('dockerContainer' in r && keys.every((k) => k === 'dockerContainer' || k === 'dockerSocket')) {
    if (typeof r.dockerContainer !== 'string' || !CONTAINER_NAME.test(r.dockerContainer)) {
      throw new ValidationError(`${field}.dockerContainer`, `${JSON.stringify(r.dockerContainer)} is not a container name or id`);
    }
    if (r.dockerSocket !== undefined && (typeof r.dockerSocket !== 'string' || !r.dockerSocket.startsWith('/') || r.dockerSocket.includes('\0'))) {
      throw new ValidationError(`${field}.dockerSocket`, 'must be an absolute path to a unix socket');
    }
    return r as NamespaceRef;
  }
  if (keys.length === 1 && 'pid' in r) return { pid: assertPid(r.pid, `${field}.pid`) };
  if (keys.length === 1 && 'netns' in r) return { netns: assertNetnsName(r.netns, `${field}.netns`) };
  if (keys.length === 1 && 'path' in r) {
    if (typeof r.path === 'string' && PROC_NS.test(r.path)) return { path: r.path };
    if (typeof r.path === 'string' && NETNS_PATH.test(r.path)) {
      assertNetnsName(NETNS_PATH.exec(r.path)![1], `${field}.path`);
      return { path: r.path };
    }
    throw new ValidationError(`${field}.path`, `${JSON.stringify(r.path)} is neither /proc/PID/ns/net nor /var/run/netns/NAME`);
  }
  throw new ValidationError(field, `${JSON.stringify(ref)} is not one of {dockerContainer, dockerSocket?}, {pid}, {path}, {netns}`);
}

/** Turns a validated ref into a target, without touching the system (docker refs excluded). */
export function targetOf(ref: { pid: number } | { path: string } | { netns: string }): NamespaceTarget {
  if ('pid' in ref) return { kind: 'pid', pid: ref.pid, path: `/proc/${ref.pid}/ns/net` };
  if ('netns' in ref) return { kind: 'netns', name: ref.netns, path: `/var/run/netns/${ref.netns}` };
  const proc = PROC_NS.exec(ref.path);
  if (proc) return { kind: 'pid', pid: Number(proc[1]), path: ref.path };
  const name = NETNS_PATH.exec(ref.path)![1];
  return { kind: 'netns', name, path: `/var/run/netns/${name}` };
}

/** Inode of a namespace file, or null when the namespace (or its process) is gone. */
export async function netnsInode(path: string): Promise<number | null> {
  try {
    return (await stat(path)).ino;
  } catch {
    return null;
  }
}

/**
 * Finds a container's network namespace from a Docker/podman container name or id, a
 * PID, a namespace path or a named namespace. Refuses anything else, and a namespace that
 * does not exist, with a clear error.
 */
export async function resolveNamespace(ref: NamespaceRef, options: ResolveOptions = {}): Promise<ResolvedContainer> {
  const checked = assertNamespaceRef(ref);
  if (options.containerId !== undefined && (typeof options.containerId !== 'string' || !CONTAINER_ID.test(options.containerId))) {
    throw new ValidationError('containerId', `${JSON.stringify(options.containerId)} is not a valid container id`);
  }
  if ('dockerContainer' in checked) {
    const socket = checked.dockerSocket ?? options.dockerSocket ?? DEFAULT_DOCKER_SOCKET;
    let state;
    try {
      state = await (options.inspect ?? inspectContainer)(checked.dockerContainer, socket);
    } catch (error) {
      if (error instanceof ContainerNotFoundError) throw new ValidationError('container.dockerContainer', `no container "${checked.dockerContainer}" at ${socket}`);
      throw error;
    }
    if (!state.running || state.pid <= 0) throw new ValidationError('container.dockerContainer', `container "${checked.dockerContainer}" is not running`);
    const target: NamespaceTarget = { kind: 'pid', pid: state.pid, path: `/proc/${state.pid}/ns/net` };
    return { id: options.containerId ?? state.id, name: state.name, typed: checked.dockerContainer, target, netnsInode: await requireInode(target) };
  }
  const target = targetOf(checked);
  const derived = target.kind === 'pid' ? `pid-${target.pid}` : `netns-${target.name}`;
  const typed = 'pid' in checked ? String(checked.pid) : 'netns' in checked ? checked.netns : checked.path;
  return { id: options.containerId ?? derived, name: target.kind === 'netns' ? target.name : '', typed, target, netnsInode: await requireInode(target) };
}

async function requireInode(target: NamespaceTarget): Promise<number> {
  const inode = await netnsInode(target.path);
  if (inode === null) throw new ValidationError('container', `namespace ${target.path} does not exist`);
  return inode;
}
