export { IpamModule } from './ipam.module';
export { IpamService } from './ipam.service';
export type { AllocationRequest, HeldAddress, PeekRequest, SubnetUsage } from './ipam.service';
export {
  IPV6_RANGE_CAP,
  addressAt,
  allocatableRanges,
  canonicalSubnet,
  capacity,
  containsAddress,
  offsetOf,
  prefixLength,
  requestedOffset,
  subnetsOverlap,
  withPrefix,
} from './subnet';
export type { OffsetRange, SubnetInput } from './subnet';
export { formatAddress, parseAddress } from './ip-address';
export type { IpAddress, IpFamily } from './ip-address';
export { ipamKeys } from './ipam-keys';
