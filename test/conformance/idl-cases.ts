/**
 * The Python3 test groups of OVS's tests/ovsdb-idl.at: every top-level macro call expanded
 * as autotest would (see autotest-file.ts), kept when autotest's title says "Python3". Each
 * case carries its leaf macro's arguments by name, so that a runner can follow that macro's
 * body step by step (./scenarios.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTestGroups, TestGroup } from './autotest-file';
import { IDLTEST_SCHEMA, OVS_SOURCE, OVS_TESTS } from './harness/paths';

export { IDLTEST_SCHEMA, OVS_SOURCE };
export const IDL_AT = join(OVS_TESTS, 'ovsdb-idl.at');

/**
 * The parameters of each Python3 leaf macro, in order (from the comments and bodies of
 * ovsdb-idl.at's m4_define blocks). A Python3 group whose macro is not here has no runner.
 */
export const LEAF_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  OVSDB_CHECK_IDL_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_REGISTER_COLUMNS_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_TCP_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_TCP_MULTIPLE_REMOTES_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_TCP6_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_TCP6_MULTIPLE_REMOTES_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_SSL_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_PASSIVE_TCP_PY: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_PY_WITH_EXPOUT: ['title', 'pre', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_FETCH_COLUMNS_PY: ['title', 'pre', 'registration', 'commands', 'expected', 'keywords', 'filter'],
  OVSDB_CHECK_IDL_WO_MONITOR_COND_PY: ['title', 'commands', 'expected', 'keywords', 'filter'],
  CHECK_STREAM_OPEN_BLOCK: ['language', 'program', 'protocol', 'host'],
  OVSDB_CHECK_IDL_LEADER_ONLY_PY: ['title', 'servers', 'commands'],
  OVSDB_CHECK_CLUSTER_IDL_PY: ['title', 'servers', 'pre', 'commands', 'expected', 'keywords', 'filter', 'logFilter'],
  OVSDB_CHECK_IDL_PERS_UUID_INSERT_PY: ['title', 'commands', 'expected', 'stderrPattern'],
};

/** One Python3 test group of ovsdb-idl.at. */
export interface IdlCase {
  /** Unique: the title, plus the leaf macro when two groups share a title (tcp6 has two). */
  id: string;
  /** As autotest prints it, e.g. "simple idl, initially populated - Python3 - tcp". */
  title: string;
  /** Line of the top-level call in ovsdb-idl.at. */
  line: number;
  /** The macro whose body runs the group (its AT_SETUP), e.g. OVSDB_CHECK_IDL_TCP_PY. */
  leaf: string;
  /** The macro called at top level, e.g. OVSDB_CHECK_IDL. */
  topLevel: string;
  /** The leaf macro's arguments by parameter name ('' when absent); undefined when there is no runner. */
  params: Readonly<Record<string, string>> | undefined;
  /** The FILTER argument (a sed command line the sorted output goes through), '' when none. */
  filter: string;
}

function toCase(group: TestGroup, duplicated: boolean): IdlCase {
  const names = LEAF_PARAMETERS[group.leaf];
  const params = names === undefined ? undefined : Object.fromEntries(names.map((name, i) => [name, group.args[i] ?? '']));
  return {
    id: duplicated ? `${group.title} (${group.leaf})` : group.title,
    title: group.title,
    line: group.line,
    leaf: group.leaf,
    topLevel: group.topLevel,
    params,
    filter: params?.filter ?? '',
  };
}

/** Every test group of ovsdb-idl.at, C ones included (the denominator of what is Python3). */
export function loadTestGroups(file = IDL_AT): TestGroup[] {
  return findTestGroups(readFileSync(file, 'utf8'));
}

/** Every Python3 test group of ovsdb-idl.at, in file order; none is left out. */
export function loadIdlCases(file = IDL_AT): IdlCase[] {
  const groups = loadTestGroups(file).filter((group) => /\bPython3\b/.test(group.title));
  const counts = new Map<string, number>();
  for (const group of groups) counts.set(group.title, (counts.get(group.title) ?? 0) + 1);
  return groups.map((group) => toCase(group, (counts.get(group.title) ?? 0) > 1));
}
