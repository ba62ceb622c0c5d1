/**
 * The JSON shapes of RFC 7047 (and Open vSwitch's extensions) exactly as they travel on
 * the wire. Everything else in libs/ovsdb is built on these names.
 */

export type UuidString = string;

/** `["uuid", "<36 chars>"]` */
export type WireUuid = ['uuid', UuidString];
/** `["named-uuid", "<id>"]`: refers to a row inserted earlier in the same transaction. */
export type WireNamedUuid = ['named-uuid', string];

/** An atom: integer, real, boolean, string, or (named-)uuid. */
export type WireAtom = number | boolean | string | WireUuid | WireNamedUuid;
/** A set of 0 or 2+ atoms; a one-element set may be sent as the bare atom (RFC 7047 5.1). */
export type WireSet = ['set', WireAtom[]];
export type WireMap = ['map', [WireAtom, WireAtom][]];
/** A column value as sent in rows, conditions and mutations. */
export type WireValue = WireAtom | WireSet | WireMap;

export type WireRow = Record<string, WireValue>;

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
/** `[column, function, value]`; monitor_cond also accepts the literals `true` and `false`. */
export type WireCondition = [string, ConditionFunction, WireValue] | boolean;

export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
export type WireMutation = [string, Mutator, WireValue];

export type Operation =
  | { op: 'insert'; table: string; row: WireRow; 'uuid-name'?: string; uuid?: UuidString }
  | { op: 'select'; table: string; where: WireCondition[]; columns?: string[] }
  | { op: 'update'; table: string; where: WireCondition[]; row: WireRow }
  | { op: 'mutate'; table: string; where: WireCondition[]; mutations: WireMutation[] }
  | { op: 'delete'; table: string; where: WireCondition[] }
  | {
      op: 'wait';
      table: string;
      where: WireCondition[];
      columns: string[];
      until: '==' | '!=';
      rows: WireRow[];
      timeout?: number;
    }
  | { op: 'commit'; durable: boolean }
  | { op: 'abort' }
  | { op: 'comment'; comment: string }
  | { op: 'assert'; lock: string };

/** One element of a `transact` reply's result array. */
export interface OperationResult {
  uuid?: WireUuid;
  rows?: WireRow[];
  count?: number;
  error?: string;
  details?: string;
}

export interface MonitorSelect {
  initial?: boolean;
  insert?: boolean;
  delete?: boolean;
  modify?: boolean;
}

/** RFC 7047 4.1.5 monitor request (one or an array per table). */
export interface MonitorRequest {
  columns?: string[];
  select?: MonitorSelect;
}

/** monitor_cond's request adds a condition (Open vSwitch extension). */
export interface MonitorCondRequest extends MonitorRequest {
  where?: WireCondition[];
}

/** `update` notification (monitor): per table, per row uuid. */
export type TableUpdates = Record<string, Record<UuidString, { old?: WireRow; new?: WireRow }>>;

/** `update2`/`update3` notifications (monitor_cond / monitor_cond_since). */
export type RowUpdate2 =
  | { initial: WireRow }
  | { insert: WireRow }
  | { delete: null }
  | { modify: WireRow };
export type TableUpdates2 = Record<string, Record<UuidString, RowUpdate2>>;

export type JsonRpcId = number | string;

/** A `.ovsschema` document (RFC 7047 3.2), plus the `version`/`cksum` members OVS uses. */
export interface DatabaseSchema {
  name: string;
  version: string;
  cksum?: string;
  tables: Record<string, TableSchema>;
}

export interface TableSchema {
  columns: Record<string, ColumnSchema>;
  maxRows?: number;
  isRoot?: boolean;
  indexes?: string[][];
}

export interface ColumnSchema {
  type: ColumnType;
  ephemeral?: boolean;
  mutable?: boolean;
}

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

export interface BaseType {
  type: AtomicType;
  enum?: WireValue;
  minInteger?: number;
  maxInteger?: number;
  minReal?: number;
  maxReal?: number;
  minLength?: number;
  maxLength?: number;
  refTable?: string;
  refType?: 'strong' | 'weak';
}

/** A column type: an atomic type name, or `{key, value?, min?, max?}`. */
export type ColumnType =
  | AtomicType
  | {
      key: AtomicType | BaseType;
      value?: AtomicType | BaseType;
      min?: number;
      max?: number | 'unlimited';
    };
