/**
 * Open vSwitch's own IDL test cases (tests/ovsdb-idl.at, every Python3 group) run against
 * our drivers (test/conformance/driver: test-ovsdb.py's and test-stream.py's command lines
 * over libs/ovsdb) and real ovsdb-servers, with their expected output unchanged. The
 * harness is checked first with OVS's own Python drivers, one case of every macro and more,
 * so that a pass here means what it says. Cases run several at a time (CONFORMANCE_JOBS).
 */
import { IdlCase, loadIdlCases, loadTestGroups } from './idl-cases';
import { KNOWN_DIFFERENCE_IDS, knownDifference } from './known-differences';
import { CaseOutcome, runCases } from './run-cases';

const RUN_TIMEOUT_MS = 20 * 60_000;
const cases = loadIdlCases();

function explain(outcome: CaseOutcome): string {
  const { testCase, result } = outcome;
  if (outcome.status === 'not_run') return `${testCase.id}: not run: ${outcome.notRunReason ?? ''}`;
  return `${testCase.id} (ovsdb-idl.at line ${testCase.line}, ${testCase.leaf})\n${result?.error ?? ''}\n--- actual\n${result?.actual ?? ''}--- expected\n${result?.expected ?? ''}`;
}

/** The first case of every macro, and every fifth case besides. */
function referenceSample(all: readonly IdlCase[]): IdlCase[] {
  const seen = new Set<string>();
  return all.filter((testCase, index) => {
    const first = !seen.has(testCase.leaf);
    seen.add(testCase.leaf);
    return first || index % 5 === 0;
  });
}

describe('the ovsdb-idl.at cases', () => {
  it('are every Python3 test group of the file, each with a runner, ids unique', () => {
    const groups = loadTestGroups();
    expect(cases).toHaveLength(groups.filter((group) => group.title.includes('Python3')).length);
    expect(cases.length).toBeGreaterThan(150);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(cases.filter((c) => c.params === undefined).map((c) => c.leaf)).toEqual([]);
    for (const id of KNOWN_DIFFERENCE_IDS) expect(cases.map((c) => c.id)).toContain(id);
  });
});

describe('ovsdb-idl.at harness, checked with the reference drivers (test-ovsdb.py, test-stream.py)', () => {
  const sample = referenceSample(cases);
  let outcomes = new Map<string, CaseOutcome>();
  beforeAll(async () => {
    outcomes = new Map((await runCases(sample, 'reference')).map((outcome) => [outcome.testCase.id, outcome]));
  }, RUN_TIMEOUT_MS);

  it.each(sample.map((c) => [c.id]))('%s', (id) => {
    const outcome = outcomes.get(id)!;
    if (outcome.status !== 'passed') throw new Error(explain(outcome));
  });
});

describe('ovsdb-idl.at against libs/ovsdb', () => {
  let outcomes = new Map<string, CaseOutcome>();
  beforeAll(async () => {
    outcomes = new Map((await runCases(cases, 'ours')).map((outcome) => [outcome.testCase.id, outcome]));
  }, RUN_TIMEOUT_MS);

  it.each(cases.map((c) => [c.id]))('%s', (id) => {
    const outcome = outcomes.get(id)!;
    const known = knownDifference(outcome.testCase);
    if (known === undefined) {
      if (outcome.status !== 'passed') throw new Error(explain(outcome));
      return;
    }
    // Listed as not passing: it must still fail, and the way the list says.
    if (outcome.status === 'passed') throw new Error(`${id} passes now: remove it from known-differences.ts (${known.reason})`);
    if (outcome.status !== 'failed' || !known.shows.test(outcome.result?.error ?? '')) throw new Error(`${id} fails otherwise than listed (${String(known.shows)}):\n${explain(outcome)}`);
  });
});
