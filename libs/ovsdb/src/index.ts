// libs/ovsdb: an OVSDB (RFC 7047 + Open vSwitch extensions) client for Node.js.
// The public API, by name. The generated Open_vSwitch and _Server models (table handles
// such as Bridge, Port, Controller, Queue) have their own entry point:
// `@ovs-fleet/ovsdb/vswitch`.

// Errors: every one is an OvsdbError, itself a FleetError (`code`, `retryable`).
export {
  OvsdbError,
  OvsdbConnectionError,
  OvsdbDisconnectedError,
  OvsdbTimeoutError,
  OvsdbCancelledError,
  OvsdbProtocolError,
  OvsdbRpcError,
  OvsdbTransactionError,
  OvsdbClosedError,
} from './errors';
export { OvsdbNotLeaderError } from './client/leadership';
export { OvsdbValidationError } from './schema/validation-error';
export { OvsdbSchemaError } from './schema/schema-error';
export { OvsdbReplicaError } from './replica/replica';
export { OvsdbCommandError, OvsdbCommitError, OvsdbVswitchdTimeoutError } from './commands/errors';
export { RemoteSyntaxError } from './transport/remote';

export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_INACTIVITY_PROBE_MS, DEFAULT_IDL_CONNECT_TIMEOUT_MS } from './defaults';

// RFC 7047 on the wire.
export type {
  UuidString,
  WireUuid,
  WireNamedUuid,
  WireAtom,
  WireSet,
  WireMap,
  WireValue,
  WireRow,
  ConditionFunction,
  WireCondition,
  Mutator,
  WireMutation,
  Operation,
  OperationResult,
  MonitorSelect,
  MonitorRequest,
  MonitorCondRequest,
  TableUpdates,
  RowUpdate2,
  TableUpdates2,
  JsonRpcId,
  DatabaseSchema,
  TableSchema,
  ColumnSchema,
  AtomicType,
  BaseType,
  ColumnType,
} from './protocol/wire';

// Remotes and connections.
export { parseRemote, formatRemote, isPassive, OVSDB_PORT } from './transport/remote';
export type { Remote, ActiveRemote, PassiveRemote } from './transport/remote';
export type { TlsCredentials } from './transport/tls';
export type { ConnectOptions } from './transport/connect';
export type { ListenOptions, OvsdbListener } from './transport/listener';
export type { JsonRpcSession, JsonRpcSessionOptions, RequestOptions } from './protocol/jsonrpc-session';

// Clients.
export { OvsdbClient, ZERO_TXN_ID } from './client/ovsdb-client';
export type { OvsdbClientOptions, OvsdbClientEvents, TransactOptions, MonitorId, MonitorRequests, MonitorCondRequests, MonitorCondSinceResult } from './client/ovsdb-client';
export { OvsdbClientListener } from './client/ovsdb-client-listener';
export type { OvsdbClientListenerEvents } from './client/ovsdb-client-listener';
export { ReconnectingOvsdbClient } from './client/reconnecting-client';
export type { ReconnectingClientOptions, ReconnectingClientEvents, ConnectionState, ConnectedInfo, ConnectHook } from './client/reconnecting-client';
export type { BackoffOptions } from './client/backoff';

// Typed values and schemas.
export type { TypedValue, TypedRow, UuidRef, WritableAtom, WritableValue, WritableRow } from './data/typed-value';
export { NamedUuid, namedUuid } from './data/uuid';
export { valuesEqual } from './data/equal';
export { decodeValue, encodeValue } from './data/codec';
export { encodeRow } from './data/rows';
export { parseSchema } from './schema/parse';
export { validateValue, validateRow } from './schema/validate';
export type { ValidationOptions } from './schema/validate';
export type { Atom, ValueKind, BaseTypeMeta, ColumnTypeMeta, ColumnMeta, TableMeta, DatabaseMeta } from './schema/types';
export type { TableRef, RowOf, WriteOf } from './schema/table-ref';

// The replica (an in-memory copy of a database, kept by monitors).
export { Replica } from './replica/replica';
export type { ReplicaOptions } from './replica/replica';
export type { ReplicaRow } from './replica/row-codec';
export type { ChangeEvent, GapEvent, ReplicaEvent, SubscribeOptions, ChangeSubscription } from './replica/events';
export type { IndexSpec } from './replica/column-index';

// The IDL: a reconnecting client, a replica kept in sync, read-your-writes transactions.
export { OvsdbIdl } from './idl/idl';
export type { OvsdbIdlOptions, OvsdbIdlEvents, IdlSyncInfo, MonitorMethod } from './idl/idl';
export { OvsdbConditionsUnsupportedError } from './idl/plain-monitor';
export { IdlTransaction } from './idl/transaction';
export type { TransactionStatus, CommitResult, InsertHandle, TypedMutation } from './idl/transaction';

// ovs-vsctl-like commands, waiting for ovs-vswitchd.
export { commands, CommandBatch, BatchResult } from './commands/batch';
export type { CommandHandle, FindHandle, RecordRef, ExecuteOptions, BatchStatus, InterfaceSetupError } from './commands/batch';
export type { CommandTarget } from './commands/target';
export { tunnelInterface } from './commands/tunnel';
export type { TunnelType, TunnelSpec } from './commands/tunnel';
export type { AddBridgeOptions, AddPortOptions, DelOptions, InterfaceSpec, StringMap, ExtraColumns } from './commands/vswitch';
export type { ColumnValues, Members, RowMatch } from './commands/records';
export type { WorkingRow } from './commands/workspace';
