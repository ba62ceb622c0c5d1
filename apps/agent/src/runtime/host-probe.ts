import { ipJson } from '@ovs-fleet/iproute';
import { netnsInode } from '@ovs-fleet/plumbing';
import { attachmentsFromReplica, type HostProbe, type ReplicaReader } from '../planner';

/** Names of the links in the host's namespace (`ip -json link show`, in `netns` when given). */
export type LinkLister = () => Promise<ReadonlySet<string>>;

export function hostLinkLister(netns: string | null): LinkLister {
  return async () => {
    const links = await ipJson<{ ifname: string }[]>(['link', 'show'], netns === null ? {} : { netns });
    return new Set(links.map((link) => link.ifname));
  };
}

/** The planner's facts from outside OVSDB, gathered now: which links exist, and the inode at each recorded namespace path. */
export async function probeHost(replica: ReplicaReader, listLinks: LinkLister): Promise<HostProbe> {
  const links = await listLinks();
  const paths = [...new Set(attachmentsFromReplica(replica).map((a) => a.netnsPath))];
  const inodes = new Map(await Promise.all(paths.map(async (path) => [path, await netnsInode(path)] as const)));
  return {
    vethPresent: (name) => links.has(name),
    namespaceInode: (path) => inodes.get(path) ?? null,
  };
}
