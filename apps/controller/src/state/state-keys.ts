/** Redis keys of the controller's own records (the keys agents share are in @ovs-fleet/contracts). */
import { KEY_PREFIX, redisKeys } from '@ovs-fleet/contracts';

export const stateKeys = {
  /** Sorted sets (all scores 0) for cursor pagination by name. */
  hostIndex: `${KEY_PREFIX}:hosts`,
  networkIndex: `${KEY_PREFIX}:networks`,
  attachmentIndex: `${KEY_PREFIX}:attachments`,
  host: (id: string): string => `${KEY_PREFIX}:host:${id}`,
  hostRevision: (id: string): string => `${KEY_PREFIX}:host:${id}:revision`,
  hostLocalVlans: (id: string): string => `${KEY_PREFIX}:host:${id}:localvlans`,
  hostOperator: (id: string): string => `${KEY_PREFIX}:host:${id}:operator`,
  hostAttachments: (id: string): string => `${KEY_PREFIX}:host:${id}:attachments`,
  network: (name: string): string => `${KEY_PREFIX}:network:${name}`,
  networkAttachments: (name: string): string => `${KEY_PREFIX}:network:${name}:attachments`,
  attachment: (id: string): string => `${KEY_PREFIX}:attachment:${id}`,
  /** Hash: the current revision of each overlay network's mesh (the meshes themselves are redisKeys.networkMesh). */
  meshRevisions: `${KEY_PREFIX}:meshes:revisions`,
  /** A token that every commit of desired state replaces (see CommittedReads). */
  generation: `${KEY_PREFIX}:state:generation`,
  /**
   * What a host leaves behind once deleted: its last (drained) document and revision, which
   * its agent's status and reports follow, and which the operations that name it still read.
   */
  hostTraces: (id: string): string[] => [redisKeys.hostDesired(id), stateKeys.hostRevision(id), redisKeys.hostStatus(id), redisKeys.hostReports(id)],
  /** The write lock every mutation holds while it reads, decides and writes. */
  writeLock: `${KEY_PREFIX}:lock:write`,
} as const;
