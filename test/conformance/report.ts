/**
 * Runs every case of OVS's tests/ovsdb-idl.at (Python3 variants) against our driver
 * `test/conformance/driver/test-driver` and prints pass/fail per title and the count.
 *
 *   npm run conformance [-- --verbose] [-- TITLE-SUBSTRING]
 */
import { join } from 'node:path';
import { loadIdlCases } from './idl-cases';
import { runIdlCase } from './run-idl-case';

const DRIVER = [join(__dirname, 'driver/test-driver')];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const filter = args.find((arg) => !arg.startsWith('--'));
  const cases = loadIdlCases().filter((c) => filter === undefined || c.title.includes(filter));
  let passed = 0;
  for (const testCase of cases) {
    const result = await runIdlCase(testCase, DRIVER);
    if (result.passed) passed++;
    console.log(`${result.passed ? 'PASS' : 'FAIL'}  ${testCase.title}`);
    if (!result.passed && verbose) console.log(`${result.error ?? ''}\n--- actual\n${result.actual}--- expected\n${result.expected}`);
  }
  console.log(`\n${passed}/${cases.length} passed`);
}

void main();
