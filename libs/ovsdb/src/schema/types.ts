import type { AtomicType } from '../protocol/wire';

/** A decoded atom: integer and real are numbers, uuid is the 36-character string. */
export type Atom = number | boolean | string;

/**
 * How a column's value is represented once decoded (see README, "Values"):
 * - `atom`: min 1, max 1, not a map: the atom itself;
 * - `optional`: min 0, max 1, not a map: the atom or `null`;
 * - `set`: max > 1: an array of atoms (order not significant);
 * - `map`: any map column: a `Map` from key atoms to value atoms.
 */
export type ValueKind = 'atom' | 'optional' | 'set' | 'map';

/** A normalized RFC 7047 <base-type>: absent constraints are left undefined. */
export interface BaseTypeMeta {
  readonly type: AtomicType;
  /** Allowed values, already decoded; undefined when the type has no enum. */
  readonly enum?: ReadonlySet<Atom>;
  readonly minInteger?: number;
  readonly maxInteger?: number;
  readonly minReal?: number;
  readonly maxReal?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly refTable?: string;
  /** Only meaningful with refTable; RFC 7047 default is strong. */
  readonly refType?: 'strong' | 'weak';
}

/** A normalized RFC 7047 <type>: min and max always present (max Infinity for "unlimited"). */
export interface ColumnTypeMeta {
  readonly key: BaseTypeMeta;
  readonly value?: BaseTypeMeta;
  readonly min: number;
  readonly max: number;
  readonly kind: ValueKind;
}

export interface ColumnMeta {
  readonly name: string;
  readonly table: string;
  readonly type: ColumnTypeMeta;
  readonly ephemeral: boolean;
  readonly mutable: boolean;
}

export interface TableMeta {
  readonly name: string;
  /** Schema columns in schema order (without `_uuid` and `_version`). */
  readonly columns: readonly ColumnMeta[];
  readonly columnsByName: ReadonlyMap<string, ColumnMeta>;
  readonly maxRows?: number;
  readonly isRoot: boolean;
  /** Sets of columns whose values must be unique across the table. */
  readonly indexes: readonly (readonly string[])[];
}

export interface DatabaseMeta {
  readonly name: string;
  readonly version: string;
  readonly cksum?: string;
  readonly tables: ReadonlyMap<string, TableMeta>;
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
