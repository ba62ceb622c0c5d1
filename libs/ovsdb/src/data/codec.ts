import type { AtomicType, WireAtom, WireValue } from '../protocol/wire';
import type { Atom, BaseTypeMeta, ColumnMeta, ColumnTypeMeta } from '../schema/types';
import { ZERO_UUID } from '../schema/types';
import { OvsdbValidationError } from '../schema/validation-error';
import { mapsEqual, setsEqual } from './equal';
import { EMPTY_MAP, EMPTY_SET, FrozenMap } from './frozen';
import { mapKeys } from './interner';
import type { TypedValue, WritableValue } from './typed-value';
import { isUuid, NamedUuid } from './uuid';

export type Decoder = (wire: WireValue) => TypedValue;
export type Encoder = (value: WritableValue) => WireValue;
export type Equality = (a: TypedValue, b: TypedValue) => boolean;

/**
 * Everything needed to move one column's values between the wire and the typed model,
 * compiled once from the column type: the hot path never looks at the type again.
 */
export interface ColumnCodec {
  readonly column: ColumnMeta;
  /** Wire value → typed value. Sets are decoded in server order; the wire array may be reused. */
  readonly decode: Decoder;
  /** Typed value → RFC 7047 5.1 wire value. Checks shapes, not constraints (see validate). */
  readonly encode: Encoder;
  readonly equals: Equality;
  /** The value of a column the server omitted (RFC 7047 default of the type). */
  readonly defaultValue: TypedValue;
}

type AtomDecoder = (wire: unknown) => Atom;
type AtomEncoder = (value: unknown) => WireAtom;

const codecs = new WeakMap<ColumnMeta, ColumnCodec>();

/** The codec of a column, compiled on first use and cached per column. */
export function columnCodec(column: ColumnMeta): ColumnCodec {
  let codec = codecs.get(column);
  if (codec === undefined) {
    codec = compileCodec(column);
    codecs.set(column, codec);
  }
  return codec;
}

function compileCodec(column: ColumnMeta): ColumnCodec {
  const field = `${column.table}.${column.name}`;
  const type = column.type;
  return {
    column,
    decode: compileDecoder(type, field),
    encode: compileEncoder(type, field),
    equals: type.kind === 'set' ? (setsEqual as Equality) : type.kind === 'map' ? (mapsEqual as Equality) : strictEquals,
    defaultValue: defaultValue(type),
  };
}

const strictEquals: Equality = (a, b) => a === b;

function defaultAtom(type: AtomicType): Atom {
  switch (type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
  }
}

/** RFC 7047 defaults: the type's default atom(s) when min is 1, otherwise empty. */
export function defaultValue(type: ColumnTypeMeta): TypedValue {
  switch (type.kind) {
    case 'atom':
      return defaultAtom(type.key.type);
    case 'optional':
      return null;
    case 'set':
      return type.min === 0 ? EMPTY_SET : Object.freeze([defaultAtom(type.key.type)]);
    case 'map':
      return type.min === 0 ? EMPTY_MAP : new FrozenMap([[defaultAtom(type.key.type), defaultAtom(type.value!.type)]]);
  }
}

function compileDecoder(type: ColumnTypeMeta, field: string): Decoder {
  const fail = (wire: unknown): never => {
    throw new OvsdbValidationError(field, wire, `is not a valid ${describeType(type)}`);
  };
  const atom = atomDecoder(type.key.type, fail);
  switch (type.kind) {
    case 'atom':
    case 'optional': {
      const optional = type.kind === 'optional';
      return (wire) => {
        if (Array.isArray(wire) && wire[0] === 'set') {
          const members = wire[1];
          if (!Array.isArray(members)) return fail(wire);
          if (members.length === 1) return atom(members[0]);
          if (members.length === 0 && optional) return null;
          return fail(wire);
        }
        return atom(wire);
      };
    }
    case 'set': {
      const primitive = type.key.type !== 'uuid';
      return (wire) => {
        if (Array.isArray(wire) && wire[0] === 'set') {
          const members = wire[1];
          if (!Array.isArray(members)) return fail(wire);
          const n = members.length;
          if (n === 0) return EMPTY_SET;
          if (primitive) {
            // The wire array already holds the atoms: check them and keep it, no copy.
            for (let i = 0; i < n; i++) atom(members[i]);
            return members as Atom[];
          }
          const out = new Array<Atom>(n);
          for (let i = 0; i < n; i++) out[i] = atom(members[i]);
          return out;
        }
        return [atom(wire)];
      };
    }
    case 'map': {
      const value = atomDecoder(type.value!.type, fail);
      const key: AtomDecoder = type.key.type === 'string' ? (w) => (typeof w === 'string' ? mapKeys.intern(w) : fail(w)) : atom;
      return (wire) => {
        if (!Array.isArray(wire) || wire[0] !== 'map' || !Array.isArray(wire[1])) return fail(wire);
        const pairs = wire[1] as unknown[];
        const n = pairs.length;
        if (n === 0) return EMPTY_MAP;
        const out = new Map<Atom, Atom>();
        for (let i = 0; i < n; i++) {
          const pair = pairs[i];
          if (!Array.isArray(pair) || pair.length !== 2) return fail(wire);
          out.set(key(pair[0]), value(pair[1]));
        }
        if (out.size !== n) throw new OvsdbValidationError(field, wire, 'has a key twice');
        return out;
      };
    }
  }
}

function atomDecoder(type: AtomicType, fail: (wire: unknown) => never): AtomDecoder {
  switch (type) {
    case 'string':
      return (w) => (typeof w === 'string' ? w : fail(w));
    case 'integer':
      return (w) => (typeof w === 'number' && Number.isInteger(w) ? w : fail(w));
    case 'real':
      return (w) => (typeof w === 'number' ? w : fail(w));
    case 'boolean':
      return (w) => (typeof w === 'boolean' ? w : fail(w));
    case 'uuid':
      return (w) => (Array.isArray(w) && w[0] === 'uuid' && typeof w[1] === 'string' && w.length === 2 ? w[1] : fail(w));
  }
}

function compileEncoder(type: ColumnTypeMeta, field: string): Encoder {
  const fail = (value: unknown): never => {
    throw new OvsdbValidationError(field, value, `is not a valid ${describeType(type)}`);
  };
  const atom = atomEncoder(type.key.type, fail);
  switch (type.kind) {
    case 'atom':
      return (value) => atom(value);
    case 'optional':
      return (value) => (value === null || value === undefined ? ['set', []] : atom(value));
    case 'set':
      return (value) => {
        if (!Array.isArray(value)) return fail(value);
        const members = value as readonly unknown[];
        const out = new Array<WireAtom>(members.length);
        for (let i = 0; i < members.length; i++) out[i] = atom(members[i]);
        return ['set', out];
      };
    case 'map': {
      const encodeValue = atomEncoder(type.value!.type, fail);
      return (value) => {
        if (!(value instanceof Map)) return fail(value);
        const pairs: [WireAtom, WireAtom][] = [];
        for (const [k, v] of value as ReadonlyMap<unknown, unknown>) pairs.push([atom(k), encodeValue(v)]);
        return ['map', pairs];
      };
    }
  }
}

function atomEncoder(type: AtomicType, fail: (value: unknown) => never): AtomEncoder {
  switch (type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : fail(v));
    case 'integer':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(v));
    case 'real':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? toOvsdbReal(v) : fail(v));
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : fail(v));
    case 'uuid':
      return (v) => (v instanceof NamedUuid ? v.toWire() : isUuid(v) ? ['uuid', v] : fail(v));
  }
}

/**
 * A real as Open vSwitch writes it: 15 significant digits (`%.15g`, what ovsdb-server and
 * OVS's clients print). Sending reals this way keeps the server holding exactly what it
 * sends back: a real with more digits would be stored as written but sent rounded, so
 * update2 set diffs computed by the server would no longer apply to what clients hold.
 */
export function toOvsdbReal(real: number): number {
  return Number(real.toPrecision(15));
}

function describeBaseType(base: BaseTypeMeta): string {
  return base.refTable === undefined ? base.type : `uuid of ${base.refTable}`;
}

/** "string", "optional integer", "set of uuid of Port", "map of string to string". */
export function describeType(type: ColumnTypeMeta): string {
  const key = describeBaseType(type.key);
  switch (type.kind) {
    case 'atom':
      return key;
    case 'optional':
      return `optional ${key}`;
    case 'set':
      return `set of ${key}`;
    case 'map':
      return `map of ${key} to ${describeBaseType(type.value!)}`;
  }
}

/** Slow path for one-off use: decode a wire value of the given column. */
export function decodeValue(column: ColumnMeta, wire: WireValue): TypedValue {
  return columnCodec(column).decode(wire);
}

/** Slow path for one-off use: encode a typed value of the given column. */
export function encodeValue(column: ColumnMeta, value: WritableValue): WireValue {
  return columnCodec(column).encode(value);
}

