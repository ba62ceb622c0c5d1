import { run } from '@ovs-fleet/iproute';
import { IdlCase } from './idl-cases';
import { AtSandbox } from './harness/at-sandbox';
import { atWords } from './harness/at-words';
import { UUIDFILT } from './harness/paths';
import type { TestPki } from './harness/test-pki';
import { AtCheckFailed, Drivers, runScenario } from './scenarios';

export interface CaseResult {
  passed: boolean;
  /** What the output check saw (sorted, uuids numbered, filtered), when the case got that far. */
  actual: string;
  expected: string;
  /** The failed check or error, when not passed. */
  error?: string;
  durationMs: number;
}

/**
 * Runs one case the way autotest runs its group: the macro's steps in a fresh test
 * directory (./scenarios.ts), then `sort stdout | uuidfilt [| FILTER]` compared with the
 * expected text byte for byte, then the macro's remaining checks. Everything it started is
 * stopped and its directory removed, whatever happened.
 */
export async function runIdlCase(testCase: IdlCase, drivers: Drivers, pki: TestPki): Promise<CaseResult> {
  const started = performance.now();
  const sandbox = AtSandbox.create();
  const env = sandbox.env;
  let actual = '';
  let expected = '';
  try {
    const result = await runScenario(testCase, sandbox, drivers, pki);
    if (result.output) {
      expected = result.output.expected;
      actual = (await run('sort', [], { input: result.output.stdout, env })).stdout;
      if (result.output.uuidfilt) actual = (await run('python3', [UUIDFILT], { input: actual, env })).stdout;
      if (testCase.filter.trim() !== '') {
        const [filterFile, ...filterArgs] = atWords(testCase.filter);
        actual = (await run(filterFile, filterArgs, { input: actual, env })).stdout;
      }
      if (actual !== expected) return { passed: false, actual, expected, error: 'the output differs from the expected output', durationMs: performance.now() - started };
    }
    for (const check of result.after) await check();
    return { passed: true, actual, expected, durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof AtCheckFailed ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { passed: false, actual, expected, error: message, durationMs: performance.now() - started };
  } finally {
    await sandbox.dispose();
  }
}
