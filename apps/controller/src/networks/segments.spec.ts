import type { NetworkRecord } from '@ovs-fleet/contracts';
import { lowestFreeSegment, segmentProblem } from './segments';

const net = (type: NetworkRecord['type'], segmentId: number) => ({ type, segmentId }) as NetworkRecord;

describe('segments', () => {
  it.each([
    ['vxlan', 0, true],
    ['vxlan', 16_777_215, false],
    ['vxlan', 16_777_216, true],
    ['geneve', 1, false],
    ['gre', 4_294_967_295, false],
    ['vlan', 4094, false],
    ['vlan', 4095, true],
  ] as const)('%s segment %d refused: %s', (type, id, refused) => {
    expect(segmentProblem(type, id) !== null).toBe(refused);
  });

  it('allocates the lowest free id of the same type only', () => {
    const networks = [net('vxlan', 1), net('vxlan', 2), net('vxlan', 4), net('gre', 3)];
    expect(lowestFreeSegment('vxlan', networks)).toBe(3);
    expect(lowestFreeSegment('gre', networks)).toBe(1);
  });

  it('says when a type has no free id left', () => {
    const all = Array.from({ length: 4094 }, (_, i) => net('vlan', i + 1));
    expect(lowestFreeSegment('vlan', all)).toBeNull();
  });
});
