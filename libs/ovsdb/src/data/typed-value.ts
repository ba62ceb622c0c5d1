import type { Atom } from '../schema/types';
import type { NamedUuid } from './uuid';

/** A decoded column value (see README, "Values"). */
export type TypedValue = Atom | null | readonly Atom[] | ReadonlyMap<Atom, Atom>;

/** What a transaction may put in a uuid column: a real uuid, or a row inserted in the same transaction. */
export type UuidRef = string | NamedUuid;
export type WritableAtom = Atom | NamedUuid;
/** A value on its way to the server: like TypedValue, but uuid atoms may be named-uuids. */
export type WritableValue = WritableAtom | null | readonly WritableAtom[] | ReadonlyMap<WritableAtom, WritableAtom>;

/** Any object whose properties are column values: generated `...Write` interfaces, or plain records. */
export type WritableRow<R> = { readonly [K in keyof R]?: WritableValue };
/** Any object whose properties are decoded column values (generated row interfaces, plain records). */
export type TypedRow<R> = { readonly [K in keyof R]?: TypedValue };
