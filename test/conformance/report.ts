/**
 * Runs every Python3 case of OVS's tests/ovsdb-idl.at against our drivers
 * (test/conformance/driver) and prints one line per case, with the reason for each case not
 * passed, then the counts, then one line of JSON: total, passed, failed, not_run (and the
 * cases whose result is not the one ./known-differences.ts expects). Exits 1 on any such case.
 *
 *   npm run conformance [-- --verbose] [-- --jobs=N] [-- TITLE-SUBSTRING]
 */
import { loadIdlCases } from './idl-cases';
import { knownDifference } from './known-differences';
import { CaseOutcome, defaultJobs, runCases } from './run-cases';

const firstLine = (text: string | undefined) => (text ?? '').split('\n').find((line) => line.trim() !== '') ?? '';

function describe(outcome: CaseOutcome): { line: string; expected: boolean } {
  const { testCase, status } = outcome;
  const known = knownDifference(testCase);
  if (status === 'not_run') return { line: `NOT RUN  ${testCase.id}\n         ${outcome.notRunReason ?? ''}`, expected: false };
  if (status === 'passed') {
    return known ? { line: `PASS     ${testCase.id}\n         (listed as failing: ${known.reason}; remove it from known-differences.ts)`, expected: false } : { line: `PASS     ${testCase.id}`, expected: true };
  }
  if (known && known.shows.test(outcome.result?.error ?? '')) {
    return { line: `FAIL     ${testCase.id}\n         ${known.kind === 'deliberate' ? 'deliberate difference' : 'known failure'}: ${known.reason}`, expected: true };
  }
  return { line: `FAIL     ${testCase.id}\n         unexpected: ${firstLine(outcome.result?.error)}`, expected: false };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const jobsArg = args.find((arg) => arg.startsWith('--jobs='));
  const jobs = jobsArg === undefined ? defaultJobs() : Number(jobsArg.slice('--jobs='.length));
  const filter = args.find((arg) => !arg.startsWith('--'));
  const cases = loadIdlCases().filter((c) => filter === undefined || c.id.includes(filter));
  const started = performance.now();
  const outcomes = await runCases(cases, 'ours', {
    jobs,
    onOutcome: (outcome) => {
      const { line } = describe(outcome);
      console.log(line);
      if (verbose && outcome.status === 'failed') console.log(`${outcome.result?.error ?? ''}\n--- actual\n${outcome.result?.actual ?? ''}--- expected\n${outcome.result?.expected ?? ''}`);
    },
  });
  const count = (status: CaseOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const unexpected = outcomes.filter((o) => !describe(o).expected).map((o) => o.testCase.id);
  const deliberate = outcomes.filter((o) => o.status === 'failed' && knownDifference(o.testCase)?.kind === 'deliberate').length;
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  console.log(`\n${count('passed')} passed, ${count('failed')} failed (${deliberate} of them deliberate differences), ${count('not_run')} not run, of ${cases.length} Python3 cases of ovsdb-idl.at (${jobs} at a time, ${seconds} s)`);
  if (unexpected.length > 0) console.log(`not as expected: ${unexpected.join('; ')}`);
  console.log(
    JSON.stringify({
      suite: 'ovsdb-idl.at (Python3)',
      total: cases.length,
      passed: count('passed'),
      failed: count('failed'),
      not_run: count('not_run'),
      deliberate_differences: deliberate,
      unexpected,
      seconds,
    }),
  );
  return unexpected.length === 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
