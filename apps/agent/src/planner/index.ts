export { planConvergence } from './plan';
export type { PlanOptions } from './plan';
export { actualStateFromReplica, attachmentsFromReplica } from './actual-state';
export type { HostProbe, ReplicaReader } from './actual-state';
export { toCommandBatch, dryRunOperations } from './command-batch';
export { describePlan } from './describe';
export { DesiredStateError } from './errors';
export { attachRequestOf } from './desired-rows';
export type * from './types';
