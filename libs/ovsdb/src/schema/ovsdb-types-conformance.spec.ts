/**
 * Open vSwitch's own type and schema test cases (tests/ovsdb-types.at: parse-atomic-type,
 * parse-base-type, parse-type; tests/ovsdb-schema.at: parse-schema) through our schema
 * parser: what OVS accepts we accept, normalized to the same meaning as OVS's output;
 * what OVS refuses we refuse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AtomicType, BaseType, ColumnType, DatabaseSchema } from '../protocol/wire';
import { findMacroCalls } from '../../../../test/conformance/autotest-file';
import { shellWords } from '../../../../test/conformance/shell-words';
import { parseBaseType, parseColumnType, parseSchema } from './parse';
import { OvsdbSchemaError } from './schema-error';

const TYPES_AT = join('/var/cache/ovs-fleet/openvswitch', 'tests/ovsdb-types.at');
const SCHEMA_AT = join('/var/cache/ovs-fleet/openvswitch', 'tests/ovsdb-schema.at');
const COMMANDS = ['parse-atomic-type', 'parse-base-type', 'parse-type', 'parse-schema'] as const;
type Command = (typeof COMMANDS)[number];

interface TypeCase {
  title: string;
  line: number;
  command: Command;
  input: unknown;
  /** OVS's normalized output, or undefined when OVS refuses the input. */
  expected: unknown;
}

const unbox = (json: unknown): unknown => (Array.isArray(json) && json.length === 1 ? json[0] : json);

function loadCases(file: string): TypeCase[] {
  const calls = findMacroCalls(readFileSync(file, 'utf8'), ['OVSDB_CHECK_POSITIVE_CPY', 'OVSDB_CHECK_POSITIVE', 'OVSDB_CHECK_NEGATIVE_CPY', 'OVSDB_CHECK_NEGATIVE']);
  return calls.flatMap((call) => {
    const words = shellWords(call.args[1].replace(/\\\n/g, ' '));
    if (!(COMMANDS as readonly string[]).includes(words[0])) return [];
    const positive = call.macro.startsWith('OVSDB_CHECK_POSITIVE');
    return [{
      title: call.args[0],
      line: call.line,
      command: words[0] as Command,
      input: unbox(JSON.parse(words[1])),
      expected: positive ? unbox(JSON.parse(call.args[2])) : undefined,
    }];
  });
}

function parse(command: Command, input: unknown): unknown {
  switch (command) {
    case 'parse-atomic-type':
      return parseBaseType(input as AtomicType).type;
    case 'parse-base-type':
      return parseBaseType(input as BaseType);
    case 'parse-type':
      return parseColumnType(input as ColumnType);
    case 'parse-schema':
      return parseSchema(input as DatabaseSchema);
  }
}

/** The members of an OVS base type as our metadata holds them (enum as a Set of atoms). */
function baseShape(base: AtomicType | BaseType): Record<string, unknown> {
  if (typeof base === 'string') return { type: base };
  const { enum: members, ...rest } = base;
  if (members === undefined) return { ...rest };
  const list = Array.isArray(members) && members[0] === 'set' ? (members[1] as unknown[]) : [members];
  return { ...rest, enum: new Set(list.map((m) => (Array.isArray(m) && m[0] === 'uuid' ? m[1] : m))) };
}

const cases = [TYPES_AT, SCHEMA_AT].flatMap((file) => (existsSync(file) ? loadCases(file) : []));

describe('tests/ovsdb-types.at and ovsdb-schema.at through the schema parser', () => {
  it('finds the cases', () => {
    expect(cases.filter((c) => c.command !== 'parse-schema').length).toBeGreaterThan(40);
    expect(cases.filter((c) => c.command === 'parse-schema').length).toBeGreaterThanOrEqual(6);
  });

  it.each(cases.map((c) => [`${c.title} (line ${c.line})`, c] as const))('%s', (_title, testCase) => {
    if (testCase.expected === undefined) {
      expect(() => parse(testCase.command, testCase.input)).toThrow(OvsdbSchemaError);
      return;
    }
    // Same meaning: our parse of the input equals our parse of OVS's normalized output...
    const ours = parse(testCase.command, testCase.input);
    expect(ours).toEqual(parse(testCase.command, testCase.expected));
    // ...and holds what that output spells out.
    if (testCase.command === 'parse-atomic-type') expect(ours).toBe(testCase.expected);
    if (testCase.command === 'parse-base-type') expect(ours).toMatchObject(baseShape(testCase.expected as AtomicType | BaseType));
    if (testCase.command === 'parse-type') {
      const expected = testCase.expected as ColumnType;
      const t = typeof expected === 'string' ? { key: expected } : expected;
      expect(ours).toMatchObject({
        key: baseShape(t.key),
        min: t.min ?? 1,
        max: t.max === 'unlimited' ? Infinity : (t.max ?? 1),
        ...(t.value === undefined ? {} : { value: baseShape(t.value) }),
      });
    }
  });
});
