/**
 * The Python3 cases of ovsdb-idl.at that our driver does not pass, each with the reason.
 * Every other case must pass; each of these must still fail (the spec says so when one
 * starts passing, so that this list never claims more than is true).
 *
 * - `deliberate`: OvsdbIdl behaves otherwise by design.
 * - `fails`: a gap or a bug in libs/ovsdb, to be fixed there.
 */
import type { IdlCase } from './idl-cases';

export interface KnownDifference {
  kind: 'deliberate' | 'fails';
  reason: string;
  /** How the failure shows (in the failed check's message): a case failing some other way is a new failure. */
  shows: RegExp;
}

const LIST: { ids: string[]; difference: KnownDifference }[] = [
  {
    ids: ['simple idl verify notify - Python3', 'simple idl verify notify - Python3 - SSL'],
    difference: {
      kind: 'deliberate',
      reason: "on reconnecting to a standalone server Python's IDL purges every row and notifies their re-creation; OvsdbIdl resyncs by diff and notifies nothing for unchanged rows",
      shows: /the output differs/,
    },
  },
];

const BY_ID = new Map(LIST.flatMap(({ ids, difference }) => ids.map((id) => [id, difference] as const)));

export function knownDifference(testCase: IdlCase): KnownDifference | undefined {
  return BY_ID.get(testCase.id);
}

/** Every id listed, to check that each names a case that exists. */
export const KNOWN_DIFFERENCE_IDS: readonly string[] = [...BY_ID.keys()];
