import type { WireRow, WireValue } from '../protocol/wire';
import { columnCodec, type ColumnCodec } from '../data/codec';
import type { TypedValue } from '../data/typed-value';
import type { Atom, TableMeta } from '../schema/types';
import { OvsdbValidationError } from '../schema/validation-error';
import { applyMapDiff, LARGE_SET, toggleMembers, toggleMembersInPlace } from './set-diff';

/** A decoded row: one property per schema column, plus `_uuid` and `_version`. */
export interface ReplicaRow {
  readonly _uuid: string;
  /** Empty when the monitor did not ask for `_version`. */
  readonly _version: string;
  readonly [column: string]: TypedValue;
}

type MutableRow = { -readonly [K in keyof ReplicaRow]: ReplicaRow[K] };

/** new value = old value (+) update2 diff, for one column. */
export type DiffApplier = (old: TypedValue, diff: WireValue) => TypedValue;

interface ColumnSlot {
  readonly codec: ColumnCodec;
  readonly applyDiff: DiffApplier;
  /** A set with max > 1: its diff toggles members. */
  readonly isSet: boolean;
}

/**
 * Row construction for one table, compiled once from the schema. Rows are plain objects
 * built by one generated object literal, so every row of a table shares one V8 hidden
 * class with all properties in-object; no closures are kept per row.
 */
export class RowCodec {
  /** Decodes a full wire row (`initial`/`insert`/monitor `new`): absent columns get their default. */
  readonly create: (uuid: string, wire: WireRow) => ReplicaRow;
  /** A shallow copy with the same shape, to be changed before anyone sees it. */
  readonly clone: (row: ReplicaRow) => ReplicaRow;
  /** True when every column (not `_version`) holds an equal value. */
  readonly equals: (a: ReplicaRow, b: ReplicaRow) => boolean;
  private readonly slots: ReadonlyMap<string, ColumnSlot>;
  /** The set columns (max > 1): the ones whose values may be large. */
  private readonly setColumns: readonly string[];
  private readonly decodeVersion: (wire: WireValue) => string;

  constructor(readonly table: TableMeta) {
    const codecs = table.columns.map((column) => columnCodec(column));
    this.slots = new Map(codecs.map((codec) => [codec.column.name, { codec, applyDiff: diffApplier(codec), isSet: isSetType(codec) }]));
    this.setColumns = codecs.filter(isSetType).map((codec) => codec.column.name);
    this.decodeVersion = (wire) => {
      if (Array.isArray(wire) && wire[0] === 'uuid' && typeof wire[1] === 'string') return wire[1];
      throw new OvsdbValidationError(`${table.name}._version`, wire, 'is not a uuid');
    };
    this.create = compileCreate(codecs, this.decodeVersion);
    this.clone = compileClone(codecs);
    this.equals = compileEquals(codecs);
  }

  /** update2 `modify`: a new row with each diffed column combined with its old value. */
  applyDiff(row: ReplicaRow, diff: WireRow): ReplicaRow {
    const next = this.clone(row) as MutableRow;
    for (const name in diff) {
      const slot = this.slots.get(name);
      if (slot !== undefined) next[name] = slot.applyDiff(row[name], diff[name]);
      else if (name === '_version') next._version = this.decodeVersion(diff[name]);
    }
    return next;
  }

  /**
   * update2 `modify` applied to `row` itself, for a row nobody has been handed yet (the
   * replica's drafts) whose large sets are its own (ownsLargeSets): a few-member diff of a
   * large set changes the array in place, with no copy; every other column gets the value
   * applyDiff would give it.
   */
  applyDiffInPlace(row: ReplicaRow, diff: WireRow): void {
    const draft = row as MutableRow;
    for (const name in diff) {
      const slot = this.slots.get(name);
      if (slot === undefined) {
        if (name === '_version') draft._version = this.decodeVersion(diff[name]);
      } else if (slot.isSet) {
        const members = slot.codec.decode(diff[name]) as readonly Atom[];
        if (!toggleMembersInPlace(draft[name] as Atom[], members)) draft[name] = toggleMembers(draft[name] as readonly Atom[], members);
      } else {
        draft[name] = slot.applyDiff(draft[name], diff[name]);
      }
    }
  }

  /**
   * True when `next` holds a set of LARGE_SET members or more and shares none with `old`
   * (each was made for `next`): then only `next` holds them, and applyDiffInPlace may change
   * them as long as nobody is handed `next`.
   */
  ownsLargeSets(old: ReplicaRow, next: ReplicaRow): boolean {
    let large = false;
    for (let i = 0; i < this.setColumns.length; i++) {
      const name = this.setColumns[i];
      const value = next[name] as readonly Atom[];
      if (value.length < LARGE_SET) continue;
      if (old[name] === value) return false;
      large = true;
    }
    return large;
  }

  /** monitor (`update`) modify: the listed columns take their new values. */
  applyNew(row: ReplicaRow, values: WireRow): ReplicaRow {
    const next = this.clone(row) as MutableRow;
    for (const name in values) {
      const slot = this.slots.get(name);
      if (slot !== undefined) next[name] = slot.codec.decode(values[name]);
      else if (name === '_version') next._version = this.decodeVersion(values[name]);
    }
    return next;
  }

  columnCodec(name: string): ColumnCodec | undefined {
    return this.slots.get(name)?.codec;
  }
}

/** A property access in generated code; names shadowed by Object.prototype must be own properties. */
function wireAccess(name: string): { read: string; absent: string } {
  const key = JSON.stringify(name);
  if (name in Object.prototype) return { read: `w[${key}]`, absent: `!Object.prototype.hasOwnProperty.call(w, ${key})` };
  return { read: `w[${key}]`, absent: `w[${key}] === undefined` };
}

// Column names are checked <id>s ([a-zA-Z_][a-zA-Z0-9_]*, no leading "_") and are embedded
// through JSON.stringify, so the generated source cannot be anything but property accesses.
function compileCreate(codecs: readonly ColumnCodec[], decodeVersion: (wire: WireValue) => string): (uuid: string, wire: WireRow) => ReplicaRow {
  const props = codecs.map((codec, i) => {
    const { read, absent } = wireAccess(codec.column.name);
    return `${JSON.stringify(codec.column.name)}: ${absent} ? f[${i}] : d[${i}](${read})`;
  });
  const body = `return function create(uuid, w) {
    const v = w._version;
    return { _uuid: uuid, _version: v === undefined ? '' : dv(v), ${props.join(', ')} };
  };`;
  const defaults = codecs.map((codec) => codec.defaultValue);
  const decoders = codecs.map((codec) => codec.decode);
  return new Function('d', 'f', 'dv', body)(decoders, defaults, decodeVersion) as (uuid: string, wire: WireRow) => ReplicaRow;
}

function compileClone(codecs: readonly ColumnCodec[]): (row: ReplicaRow) => ReplicaRow {
  const props = codecs.map((codec) => `${JSON.stringify(codec.column.name)}: r[${JSON.stringify(codec.column.name)}]`);
  const body = `return function clone(r) { return { _uuid: r._uuid, _version: r._version, ${props.join(', ')} }; };`;
  return new Function(body)() as (row: ReplicaRow) => ReplicaRow;
}

function compileEquals(codecs: readonly ColumnCodec[]): (a: ReplicaRow, b: ReplicaRow) => boolean {
  const names = codecs.map((codec) => codec.column.name);
  const equalities = codecs.map((codec) => codec.equals);
  return (a, b) => {
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (!equalities[i](a[name], b[name])) return false;
    }
    return true;
  };
}

function isSetType(codec: ColumnCodec): boolean {
  return codec.column.type.kind === 'set';
}

/**
 * update2 diff semantics (ovsdb-server(7) "update2 notification", as ovsdb_datum_apply_diff):
 * a column with max 1 gets the diff as its new value; a set with max > 1 gets the symmetric
 * difference; a map with max > 1 adds absent keys, deletes keys whose value equals the old
 * one and replaces the others.
 */
function diffApplier(codec: ColumnCodec): DiffApplier {
  const type = codec.column.type;
  const decode = codec.decode;
  if (type.max <= 1) return (_old, diff) => decode(diff);
  if (type.kind === 'set') return (old, diff) => toggleMembers(old as readonly Atom[], decode(diff) as readonly Atom[]);
  return (old, diff) => applyMapDiff(old as ReadonlyMap<Atom, Atom>, decode(diff) as ReadonlyMap<Atom, Atom>);
}
