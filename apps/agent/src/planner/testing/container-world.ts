import { ownedExternalIds as owned, type ContainerRef } from '@ovs-fleet/contracts';
import { buildSpec, externalIds as plumbingIds, hostIfname, validateAttachRequest, type Attachment, type AttachRequest } from '@ovs-fleet/plumbing';
import type { HostProbe } from '../actual-state';

/** What libs/plumbing writes on the OVS rows of one attachment. */
export interface AttachmentRows {
  attachment: Attachment;
  portExternalIds: Record<string, string>;
  interfaceExternalIds: Record<string, string>;
}

/**
 * The host outside OVSDB, for unit specs: links in the host's namespace and container
 * namespaces (path → inode), with docker containers found by name as PIDs.
 */
export class ContainerWorld {
  /** Links in the host's namespace (veth host ends). */
  readonly links = new Set<string>();
  /** Namespace file path → inode, for every namespace that exists. */
  readonly namespaces = new Map<string, number>();
  /** Running docker/podman containers: name → PID. */
  readonly dockerPids = new Map<string, number>();
  private nextInode = 4026531000;
  private nextRecord = 1;

  readonly probe: HostProbe = {
    vethPresent: (name) => this.links.has(name),
    namespaceInode: (path) => this.namespaces.get(path) ?? null,
  };

  /** Makes a container's namespace exist (a named netns, a PID's, or a running docker container). */
  startContainer(ref: ContainerRef, pid = 1000 + this.namespaces.size): void {
    if ('dockerContainer' in ref) this.dockerPids.set(ref.dockerContainer, pid);
    this.namespaces.set(this.pathOf(ref), this.nextInode++);
  }

  /** The container's namespace is gone and a new one replaces it (a docker container gets a new PID). */
  restartContainer(ref: ContainerRef): void {
    this.namespaces.delete(this.pathOf(ref));
    if ('dockerContainer' in ref) this.dockerPids.set(ref.dockerContainer, (this.dockerPids.get(ref.dockerContainer) ?? 1000) + 1);
    this.namespaces.set(this.pathOf(ref), this.nextInode++);
  }

  pathOf(ref: ContainerRef): string {
    if ('pid' in ref) return `/proc/${ref.pid}/ns/net`;
    if ('netns' in ref) return `/var/run/netns/${ref.netns}`;
    if ('path' in ref) return ref.path;
    const pid = this.dockerPids.get(ref.dockerContainer);
    if (pid === undefined) throw new Error(`container.dockerContainer: container "${ref.dockerContainer}" is not running`);
    return `/proc/${pid}/ns/net`;
  }

  /** As plumbing's attach: the veth comes up, and the record to write on the port's rows (failing where plumbing would). */
  plumb(request: AttachRequest): AttachmentRows {
    const containerId = request.containerId!;
    const spec = buildSpec(validateAttachRequest(request), containerId);
    const ref = request.container as ContainerRef;
    const path = this.pathOf(ref);
    const inode = this.namespaces.get(path);
    if (inode === undefined) throw new Error(`container: namespace ${path} does not exist`);
    const name = hostIfname(containerId, spec.ifname);
    if (this.links.has(name)) throw new Error(`RTNETLINK answers: File exists (${name})`);
    this.links.add(name);
    const attachment: Attachment = {
      attachmentId: `00000000-0000-4000-9000-${String(this.nextRecord++).padStart(12, '0')}`,
      containerId,
      containerName: '',
      containerRef: 'dockerContainer' in ref ? ref.dockerContainer : 'pid' in ref ? String(ref.pid) : 'netns' in ref ? ref.netns : ref.path,
      ifname: spec.ifname,
      bridge: spec.bridge,
      hostIfname: name,
      netnsPath: path,
      netnsInode: inode,
      spec,
      state: 'ready',
    };
    return {
      attachment,
      portExternalIds: plumbingIds.portExternalIds(owned.OWNER_VALUE, attachment),
      interfaceExternalIds: plumbingIds.interfaceExternalIds(owned.OWNER_VALUE, attachment),
    };
  }
}
