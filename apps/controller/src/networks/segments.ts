import type { NetworkRecord, NetworkType } from '@ovs-fleet/contracts';

/** The segment id range of each network type: VNI, GRE key, VLAN id. */
export const SEGMENT_RANGES: Record<NetworkType, { min: number; max: number; what: string }> = {
  vxlan: { min: 1, max: 16_777_215, what: 'VNI' },
  geneve: { min: 1, max: 16_777_215, what: 'VNI' },
  gre: { min: 1, max: 4_294_967_295, what: 'GRE key' },
  vlan: { min: 1, max: 4094, what: 'VLAN id' },
};

/** Why `segmentId` cannot be used for a network of `type`, or null when it can. */
export function segmentProblem(type: NetworkType, segmentId: number): string | null {
  const range = SEGMENT_RANGES[type];
  return segmentId < range.min || segmentId > range.max ? `a ${type} network's ${range.what} must be ${range.min}..${range.max}` : null;
}

/** The lowest segment id of `type` no network of that type uses, or null when none is left. */
export function lowestFreeSegment(type: NetworkType, networks: readonly NetworkRecord[]): number | null {
  const used = new Set(networks.filter((n) => n.type === type).map((n) => n.segmentId));
  const range = SEGMENT_RANGES[type];
  for (let id = range.min; id <= range.max; id++) if (!used.has(id)) return id;
  return null;
}
