import { ContainerNotFoundError, DEFAULT_DOCKER_SOCKET, inspectContainer } from './docker-api';
import { assertNamespaceRef, netnsInode, ResolveOptions, targetOf } from './namespace';
import { Attachment, NamespaceRef } from './types';

/**
 * What tells a container's attachments apart from the others, for detach, inspect and setVlan:
 * unlike resolving a namespace to plumb into, it does not need the container to run.
 */
export interface ContainerIdentity {
  /** Ids its attachments may be recorded under: the engine's full id, or the derived `pid-N` / `netns-NAME`. */
  ids: string[];
  /** For an engine container the engine no longer knows (removed): the name or id the caller gave, matched against the records. */
  formerly?: string;
  /** Inode of its namespace while that lives: an attachment recorded in that very namespace is its own, whatever it was named by. */
  netnsInode: number | null;
}

/** Identifies a container without requiring it to run (a stopped or removed engine container is identified by what was recorded). */
export async function identifyContainer(ref: NamespaceRef, options: ResolveOptions = {}): Promise<ContainerIdentity> {
  const checked = assertNamespaceRef(ref);
  if ('dockerContainer' in checked) {
    const socket = checked.dockerSocket ?? options.dockerSocket ?? DEFAULT_DOCKER_SOCKET;
    try {
      const state = await (options.inspect ?? inspectContainer)(checked.dockerContainer, socket);
      const inode = state.running && state.pid > 0 ? await netnsInode(`/proc/${state.pid}/ns/net`) : null;
      return { ids: [state.id], netnsInode: inode };
    } catch (error) {
      if (error instanceof ContainerNotFoundError) return { ids: [], formerly: checked.dockerContainer, netnsInode: null };
      throw error;
    }
  }
  const target = targetOf(checked);
  return { ids: [target.kind === 'pid' ? `pid-${target.pid}` : `netns-${target.name}`], netnsInode: await netnsInode(target.path) };
}

/**
 * True when the namespace an attachment was recorded in is the live namespace with this inode.
 * The recorded path must still lead to it: inode numbers are reused once a namespace is gone.
 */
export async function inLiveNamespace(attachment: Pick<Attachment, 'netnsPath' | 'netnsInode'>, inode: number): Promise<boolean> {
  return attachment.netnsInode === inode && (await netnsInode(attachment.netnsPath)) === inode;
}

/** Whether an attachment belongs to the identified container. */
export async function belongsTo(attachment: Attachment, identity: ContainerIdentity): Promise<boolean> {
  if (identity.ids.includes(attachment.containerId)) return true;
  if (identity.formerly !== undefined) {
    const name = identity.formerly;
    if (attachment.containerName === name || attachment.containerRef === name || attachment.containerId === name) return true;
  }
  return identity.netnsInode !== null && (await inLiveNamespace(attachment, identity.netnsInode));
}
