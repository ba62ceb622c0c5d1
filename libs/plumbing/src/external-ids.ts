import { PortRow } from './port-store';
import { Attachment, AttachSpec } from './types';

/** Keys ovs-docker uses (its `find interface external_ids:container_id=... container_iface=...`). */
export const OVS_DOCKER_CONTAINER_ID = 'container_id';
export const OVS_DOCKER_CONTAINER_IFACE = 'container_iface';

export const OWNER = 'ovs-fleet-owner';
export const CONTAINER_ID = 'ovs-fleet-container-id';
export const CONTAINER_NAME = 'ovs-fleet-container-name';
export const ATTACHMENT_ID = 'ovs-fleet-attachment-id';
export const NETNS = 'ovs-fleet-netns';
export const NETNS_INODE = 'ovs-fleet-netns-inode';
export const STATE = 'ovs-fleet-state';
export const SPEC = 'ovs-fleet-spec';

export function interfaceExternalIds(owner: string, a: Attachment): Record<string, string> {
  return {
    [OVS_DOCKER_CONTAINER_ID]: a.containerRef,
    [OVS_DOCKER_CONTAINER_IFACE]: a.ifname,
    [OWNER]: owner,
    [CONTAINER_ID]: a.containerId,
    [CONTAINER_NAME]: a.containerName,
    [ATTACHMENT_ID]: a.attachmentId,
    [NETNS]: a.netnsPath,
    [NETNS_INODE]: String(a.netnsInode),
    [STATE]: a.state,
    [SPEC]: JSON.stringify(a.spec),
  };
}

export function portExternalIds(owner: string, a: Attachment): Record<string, string> {
  return { [OWNER]: owner, [CONTAINER_ID]: a.containerId, [ATTACHMENT_ID]: a.attachmentId };
}

/** The attachment recorded on a port row, or null when the row is not one of ours (or is damaged). */
export function attachmentFromRow(row: PortRow, owner: string): Attachment | null {
  const ids = row.externalIds;
  if (ids[OWNER] !== owner || !ids[ATTACHMENT_ID] || !ids[CONTAINER_ID] || !ids[SPEC]) return null;
  let spec: AttachSpec;
  try {
    spec = JSON.parse(ids[SPEC]) as AttachSpec;
  } catch {
    return null;
  }
  return {
    attachmentId: ids[ATTACHMENT_ID],
    containerId: ids[CONTAINER_ID],
    containerName: ids[CONTAINER_NAME] ?? '',
    containerRef: ids[OVS_DOCKER_CONTAINER_ID] ?? '',
    ifname: ids[OVS_DOCKER_CONTAINER_IFACE] ?? spec.ifname,
    bridge: row.bridge ?? spec.bridge,
    hostIfname: row.name,
    netnsPath: ids[NETNS] ?? '',
    netnsInode: Number(ids[NETNS_INODE] ?? 0),
    spec,
    state: ids[STATE] === 'ready' ? 'ready' : 'pending',
  };
}
