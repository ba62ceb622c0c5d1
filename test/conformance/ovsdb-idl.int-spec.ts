/**
 * Open vSwitch's own IDL test cases (tests/ovsdb-idl.at, the Python3 variants) run
 * against our conformance driver `test/conformance/driver/test-driver` and a real ovsdb-server, with
 * their expected output unchanged. The harness itself is checked first against OVS's
 * reference driver (test-ovsdb.py), so that a pass here means what it says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdlCase, loadIdlCases, OVS_SOURCE } from './idl-cases';
import { runIdlCase } from './run-idl-case';

const OUR_DRIVER = [join(__dirname, 'driver/test-driver')];
const REFERENCE_DRIVER = ['/usr/bin/python3', join(OVS_SOURCE, 'tests/test-ovsdb.py')];

/** Titles our driver is known to pass: each must keep passing. */
const expectedPassing = new Set(
  readFileSync(join(__dirname, 'expected-passing.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#')),
);

const cases = loadIdlCases();

function explain(testCase: IdlCase, result: Awaited<ReturnType<typeof runIdlCase>>): string {
  return `${testCase.title} (ovsdb-idl.at line ${testCase.line})\n${result.error ?? ''}\n--- actual\n${result.actual}--- expected\n${result.expected}`;
}

describe('ovsdb-idl.at harness, checked with the reference driver', () => {
  const sample = cases.filter((_, index) => index % 7 === 0);
  it.each(sample.map((c) => [c.title, c]))('%s', async (_title, testCase) => {
    const result = await runIdlCase(testCase as IdlCase, REFERENCE_DRIVER);
    if (!result.passed) throw new Error(explain(testCase as IdlCase, result));
  });
});

describe('ovsdb-idl.at against libs/ovsdb', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThan(50);
    for (const title of expectedPassing) expect(cases.map((c) => c.title)).toContain(title);
  });

  const passing = cases.filter((c) => expectedPassing.has(c.title));
  const notYet = cases.filter((c) => !expectedPassing.has(c.title));
  if (passing.length > 0) {
    it.each(passing.map((c) => [c.title, c]))('%s', async (_title, testCase) => {
      const result = await runIdlCase(testCase as IdlCase, OUR_DRIVER);
      if (!result.passed) throw new Error(explain(testCase as IdlCase, result));
    });
  }
  for (const testCase of notYet) it.todo(`${testCase.title} (not yet supported)`);
});
