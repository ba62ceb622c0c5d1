import type { Atom } from '../schema/types';
import type { NamedUuid } from './uuid';

/** A decoded column value (see README, "Values"). */
export type TypedValue = Atom | null | readonly Atom[] | ReadonlyMap<Atom, Atom>;

/** What a transaction may put in a uuid column: a real uuid, or a row inserted in the same transaction. */
export type UuidRef = string | NamedUuid;
export type WritableAtom = Atom | NamedUuid;
/** A value on its way to the server: like TypedValue, but uuid atoms may be named-uuids. */
export type WritableValue = WritableAtom | null | readonly WritableAtom[] | ReadonlyMap<WritableAtom, WritableAtom>;
