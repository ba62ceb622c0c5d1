/**
 * Open vSwitch's own value test cases (tests/ovsdb-data.at: `parse-atoms` and `parse-data`)
 * run through our decoder and validator: every input OVS accepts, we accept with an equal
 * value (sets and maps compared without order), and every input OVS refuses, we refuse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnType, WireValue } from '../protocol/wire';
import { parseColumnType } from '../schema/parse';
import type { ColumnMeta } from '../schema/types';
import { validateValue } from '../schema/validate';
import { findMacroCalls } from '../../../../test/conformance/autotest-file';
import { shellWords } from '../../../../test/conformance/shell-words';
import { decodeValue } from './codec';
import { valuesEqual } from './equal';

const OVS_SOURCE = '/var/cache/ovs-fleet/openvswitch';
const DATA_AT = join(OVS_SOURCE, 'tests/ovsdb-data.at');

interface DataCase {
  title: string;
  line: number;
  command: 'parse-atoms' | 'parse-data';
  type: ColumnType;
  inputs: unknown[];
  /** One line per input (positive cases); undefined: the whole command fails (negative cases). */
  expected: string[] | undefined;
}

/** test-ovsdb.py unboxes one-element JSON arrays: '[0]' is the atom 0. */
const unbox = (json: unknown): unknown => (Array.isArray(json) && json.length === 1 ? json[0] : json);

function loadCases(): DataCase[] {
  const calls = findMacroCalls(readFileSync(DATA_AT, 'utf8'), ['OVSDB_CHECK_POSITIVE_CPY', 'OVSDB_CHECK_POSITIVE', 'OVSDB_CHECK_NEGATIVE_CPY', 'OVSDB_CHECK_NEGATIVE']);
  const cases: DataCase[] = [];
  for (const call of calls) {
    const words = shellWords(call.args[1].replace(/\\\n/g, ' '));
    if (words[0] !== 'parse-atoms' && words[0] !== 'parse-data') continue;
    // Invalid UTF-8 made by m4 at build time: bytes a JS string cannot hold (the framing layer's concern).
    if (call.args[1].includes('m4_esyscmd')) continue;
    const type = unbox(JSON.parse(words[1])) as ColumnType;
    const positive = call.macro.startsWith('OVSDB_CHECK_POSITIVE');
    cases.push({
      title: call.args[0],
      line: call.line,
      command: words[0],
      type: words[0] === 'parse-atoms' ? { key: type as never } : type,
      inputs: words.slice(2).map((word) => unbox(JSON.parse(word))),
      expected: positive ? call.args[2].split('\n').filter((line) => line !== '') : undefined,
    });
  }
  return cases;
}

function column(type: ColumnType): ColumnMeta {
  return { name: 'c', table: 'T', type: parseColumnType(type), ephemeral: false, mutable: true };
}

/** Our decode + validate: the value, or the error message. */
function parse(col: ColumnMeta, input: unknown): { value: unknown } | { error: string } {
  try {
    const value = decodeValue(col, input as WireValue);
    validateValue(col, value as never);
    return { value };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function parsesAsJson(line: string): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(line) };
  } catch {
    return undefined;
  }
}

const cases = existsSync(DATA_AT) ? loadCases() : [];

/** Inputs OVS accepts and we refuse on purpose, with why (see README, "Values"). */
const DELIBERATE: Record<string, string> = {
  '9223372036854775807': 'integers beyond 2^53 cannot be held exactly by a JS number: validation refuses them',
  '-9223372036854775808': 'integers beyond 2^53 cannot be held exactly by a JS number: validation refuses them',
};

describe('tests/ovsdb-data.at through decode + validate', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases.map((c) => [`${c.title} (line ${c.line})`, c] as const))('%s', (_title, testCase) => {
    const col = column(testCase.type);
    const results = testCase.inputs.map((input) => parse(col, input));
    if (testCase.expected === undefined) {
      expect(results.some((r) => 'error' in r)).toBe(true);
      return;
    }
    expect(results).toHaveLength(testCase.expected.length);
    testCase.expected.forEach((line, i) => {
      const expected = parsesAsJson(line);
      const ours = results[i];
      const input = JSON.stringify(testCase.inputs[i]);
      if (expected === undefined) {
        if ('value' in ours) throw new Error(`input ${input}: OVS refuses (${line}) but we accept ${String(ours.value)}`);
        return;
      }
      if ('error' in ours) {
        if (DELIBERATE[line] !== undefined) return;
        throw new Error(`input ${input}: OVS accepts (${line}) but we refuse: ${ours.error}`);
      }
      if (DELIBERATE[line] !== undefined) throw new Error(`input ${input}: expected our deliberate refusal (${DELIBERATE[line]})`);
      const want = decodeValue(col, expected.json as WireValue);
      if (!valuesEqual(ours.value as never, want)) throw new Error(`input ${input}: OVS gives ${line}, we give ${JSON.stringify(ours.value)}`);
    });
  });
});
