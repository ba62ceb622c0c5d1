export * from './target';
export * from './errors';
export * from './batch';
export * from './tunnel';
export type { AddBridgeOptions, AddPortOptions, DelOptions, InterfaceSpec, StringMap, ExtraColumns } from './vswitch';
export type { ColumnValues, Members, RowMatch } from './records';
export type { WorkingRow } from './workspace';
export { currentCfg } from './wait-vswitchd';
