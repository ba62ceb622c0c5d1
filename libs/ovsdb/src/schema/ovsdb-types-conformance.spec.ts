/**
 * Open vSwitch's own type and schema test cases (tests/ovsdb-types.at: parse-atomic-type,
 * parse-base-type, parse-type; tests/ovsdb-schema.at: parse-schema) through our schema
 * parser, compared with OVS's expected output as text: what we parse is printed as
 * test-ovsdb prints it (ovs.json.to_string of to_json(), test/conformance/unit/ovs-text.ts);
 * what OVS refuses we must refuse, with OVS's message for our reason
 * (test/conformance/unit/ovs-errors.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AtomicType, BaseType, ColumnType, DatabaseSchema } from '../protocol/wire';
import { findMacroCalls } from '../../../../test/conformance/autotest-file';
import { shellWords } from '../../../../test/conformance/shell-words';
import { inOvsWords } from '../../../../test/conformance/unit/ovs-errors';
import { baseTypeJson, columnTypeJson, ovsJsonText, schemaJson } from '../../../../test/conformance/unit/ovs-text';
import { parseBaseType, parseColumnType, parseSchema } from './parse';

const TYPES_AT = join('/var/cache/ovs-fleet/openvswitch', 'tests/ovsdb-types.at');
const SCHEMA_AT = join('/var/cache/ovs-fleet/openvswitch', 'tests/ovsdb-schema.at');
const MACROS = ['OVSDB_CHECK_POSITIVE_CPY', 'OVSDB_CHECK_POSITIVE', 'OVSDB_CHECK_NEGATIVE_CPY', 'OVSDB_CHECK_NEGATIVE'];
const COMMANDS = ['parse-atomic-type', 'parse-base-type', 'parse-type', 'parse-schema'] as const;
type Command = (typeof COMMANDS)[number];

/** Where we refuse as OVS does but our message does not say what OVS's says, with why; each must still be refused. */
const MESSAGE_DIFFERS: Record<string, string> = {
  '"type" member must be present': 'ours says "invalid base type {}" without naming the missing "type" member',
  'schema with invalid refTables': 'ours names the column ("a.map: refTable c is not a table of this schema") but not whether its key or its value refers to the unknown table',
};

interface TypeCase {
  title: string;
  line: number;
  command: Command;
  input: unknown;
  /** The expected stdout (positive) or a substring of stderr (negative). */
  expected: string;
  negative: boolean;
}

const unbox = (json: unknown): unknown => (Array.isArray(json) && json.length === 1 ? json[0] : json);

function loadCases(file: string): (TypeCase | { title: string; command: string })[] {
  return findMacroCalls(readFileSync(file, 'utf8'), MACROS).map((call) => {
    const words = shellWords(call.args[1].replace(/\\\n/g, ' '));
    if (!(COMMANDS as readonly string[]).includes(words[0])) return { title: call.args[0], command: words[0] };
    return {
      title: call.args[0],
      line: call.line,
      command: words[0] as Command,
      input: unbox(JSON.parse(words[1])),
      expected: call.args[2],
      negative: call.macro.startsWith('OVSDB_CHECK_NEGATIVE'),
    };
  });
}

/** test-ovsdb's output for the command: the parsed thing's to_json(), as text. */
function print(command: Command, input: unknown): string {
  switch (command) {
    case 'parse-atomic-type':
      if (typeof input !== 'string') throw new Error(`${JSON.stringify(input)} is not an atomic type name`);
      return ovsJsonText(parseBaseType(input as AtomicType).type);
    case 'parse-base-type':
      return ovsJsonText(baseTypeJson(parseBaseType(input as BaseType)));
    case 'parse-type':
      return ovsJsonText(columnTypeJson(parseColumnType(input as ColumnType)));
    case 'parse-schema': {
      const doc = input as DatabaseSchema;
      return ovsJsonText(schemaJson(parseSchema(doc), doc.version));
    }
  }
}

const all = [TYPES_AT, SCHEMA_AT].flatMap((file) => (existsSync(file) ? loadCases(file) : []));
const cases = all.filter((c): c is TypeCase => 'input' in c);

describe('tests/ovsdb-types.at and ovsdb-schema.at through the schema parser, compared as text', () => {
  it('runs every case of the files', () => {
    expect(all.filter((c) => !('input' in c)).map((c) => `${c.title}: ${c.command}`)).toEqual([]);
    expect(cases.filter((c) => c.command !== 'parse-schema').length).toBeGreaterThan(40);
    expect(cases.filter((c) => c.command === 'parse-schema').length).toBeGreaterThanOrEqual(6);
    for (const title of Object.keys(MESSAGE_DIFFERS)) expect(cases.map((c) => c.title)).toContain(title);
  });

  it.each(cases.map((c) => [`${c.title} (line ${c.line})`, c] as const))('%s', (_title, testCase) => {
    if (!testCase.negative) {
      // AT_CHECK([test-ovsdb ...], [0], [$3\n])
      expect(print(testCase.command, testCase.input)).toBe(testCase.expected);
      return;
    }
    // AT_CHECK([test-ovsdb ...], [1], [], [stderr]) and grep -F "$3" stderr.
    let refusal: unknown;
    try {
      print(testCase.command, testCase.input);
    } catch (error) {
      refusal = error;
    }
    if (refusal === undefined) throw new Error(`accepted; OVS refuses: ${testCase.expected}`);
    const differs = MESSAGE_DIFFERS[testCase.title];
    const words = inOvsWords(refusal);
    if (differs !== undefined) {
      expect(words ?? '').not.toContain(testCase.expected);
      return;
    }
    if (words === undefined) throw new Error(`refused, but in words no rule maps to OVS's: ${(refusal as Error).message}`);
    expect(words).toContain(testCase.expected);
  });
});
