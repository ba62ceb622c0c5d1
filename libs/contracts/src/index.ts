export { NETWORK_TYPES, OVERLAY_TYPES, isOverlay } from './model';
export type {
  AllocationPool,
  AttachmentRecord,
  BridgeSpec,
  ContainerRef,
  DatapathType,
  HostRecord,
  HostSelector,
  NetworkRecord,
  NetworkType,
  OperatorResources,
  OverlayType,
  PortKind,
  PortSpec,
  RouteSpec,
  SubnetRecord,
  TunnelSpec,
  VlanMode,
} from './model';
export { DESIRED_STATE_SCHEMA } from './desired-state';
export type { DesiredAttachment, DesiredHostState, DesiredNetwork, DesiredTunnel, ResolvedHostState } from './desired-state';
export { canTunnel, MeshResolutionError, meshNetworks, resolveHostState, resolveTunnels } from './mesh';
export type { MeshMember, NetworkMesh } from './mesh';
export {
  CONVERGE_ATTEMPTS,
  CONVERGE_BACKOFF_MS,
  CONVERGE_DEDUPLICATION_ID,
  CONVERGE_JOB,
  PLAN_JOB,
  hostQueueName,
} from './jobs';
export type { AgentPlan, ConvergeJob, PlanJob } from './jobs';
export { HEARTBEAT_INTERVAL_S, HOST_DOWN_AFTER_S, REPORTS_KEPT } from './reports';
export type { AgentReceipts, ConvergeError, ConvergeReport, HostStatusFields } from './reports';
export { KEY_PREFIX, agentAclRules, redisKeys } from './redis-keys';
export { HOST_ID_PATTERN, NETWORK_NAME_PATTERN, isHostId, isNetworkName, tunnelPortName } from './names';
export * as ownedExternalIds from './external-ids';
