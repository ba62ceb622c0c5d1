import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMacroCalls } from './autotest-file';

export const OVS_SOURCE = process.env.OVS_SOURCE_DIR ?? '/var/cache/ovs-fleet/openvswitch';
export const IDLTEST_SCHEMA = join(OVS_SOURCE, 'tests/idltest.ovsschema');

export type Transport = 'unix' | 'tcp' | 'passive-tcp';

/** One case of tests/ovsdb-idl.at as the Python IDL variants run it. */
export interface IdlCase {
  /** Title as autotest prints it, e.g. "simple idl, initially populated - Python3 - tcp". */
  title: string;
  line: number;
  transport: Transport;
  /** Driver subcommand: `idl` or `idl_passive`. */
  command: 'idl' | 'idl_passive';
  /** Shell words given to `ovsdb-client transact` before the driver runs (may be empty). */
  preTransaction: string;
  /** Shell words appended to the driver's command line. */
  commands: string;
  expected: string;
  /** A `sed` command line the sorted output goes through, if any. */
  filter: string;
}

// Which macros run the Python driver (test-ovsdb.py), and how their arguments map to
// (pre-transaction, commands, expected, filter). See the m4_define blocks of ovsdb-idl.at.
const MACROS: Record<string, (args: string[]) => Omit<IdlCase, 'line'>[]> = {
  OVSDB_CHECK_IDL: ([title, pre, cmds, expected, , filter]) => [
    { title: `${title} - Python3`, transport: 'unix', command: 'idl', preTransaction: pre, commands: cmds, expected, filter: filter ?? '' },
    { title: `${title} - Python3 - tcp`, transport: 'tcp', command: 'idl', preTransaction: pre, commands: cmds, expected, filter: filter ?? '' },
  ],
  OVSDB_CHECK_IDL_PY: ([title, pre, cmds, expected, , filter]) => [
    { title: `${title} - Python3`, transport: 'unix', command: 'idl', preTransaction: pre, commands: cmds, expected, filter: filter ?? '' },
  ],
  OVSDB_CHECK_IDL_PY_WITH_EXPOUT: ([title, pre, cmds, expected, , filter]) => [
    // The macro writes the expectation with `echo "$4"`, which adds the final newline.
    { title: `${title} - Python3`, transport: 'unix', command: 'idl', preTransaction: pre, commands: cmds, expected: `${expected}\n`, filter: filter ?? '' },
  ],
  OVSDB_CHECK_IDL_NOTIFY: ([title, cmds, expected, , filter]) => [
    { title: `${title} - Python3`, transport: 'unix', command: 'idl', preTransaction: '', commands: cmds, expected, filter: filter ?? '' },
  ],
  OVSDB_CHECK_IDL_PASSIVE_TCP_PY: ([title, pre, cmds, expected, , filter]) => [
    { title: `${title} - Python3 - ptcp`, transport: 'passive-tcp', command: 'idl_passive', preTransaction: pre, commands: cmds, expected, filter: filter ?? '' },
  ],
};

export function loadIdlCases(file = join(OVS_SOURCE, 'tests/ovsdb-idl.at')): IdlCase[] {
  const source = readFileSync(file, 'utf8');
  return findMacroCalls(source, Object.keys(MACROS)).flatMap((call) =>
    MACROS[call.macro](call.args).map((c) => ({ ...c, line: call.line })),
  );
}
