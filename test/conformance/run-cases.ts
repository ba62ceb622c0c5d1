/** Runs many cases of ovsdb-idl.at at once (each in its own test directory), with one shared test PKI. */
import { availableParallelism } from 'node:os';
import { IdlCase } from './idl-cases';
import { TestPki } from './harness/test-pki';
import { CaseResult, runIdlCase } from './run-idl-case';
import type { Drivers } from './scenarios';

export type CaseStatus = 'passed' | 'failed' | 'not_run';

export interface CaseOutcome {
  testCase: IdlCase;
  status: CaseStatus;
  /** Why it was not run. */
  notRunReason?: string;
  result?: CaseResult;
}

/** How many cases run at once: CONFORMANCE_JOBS, or one per core (at least 2: most of a case is waiting on daemons). */
export function defaultJobs(): number {
  const fromEnv = Number(process.env.CONFORMANCE_JOBS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(2, availableParallelism());
}

async function runOne(testCase: IdlCase, drivers: Drivers, pki: TestPki): Promise<CaseOutcome> {
  if (testCase.params === undefined) return { testCase, status: 'not_run', notRunReason: `no runner for macro ${testCase.leaf}` };
  const result = await runIdlCase(testCase, drivers, pki);
  return { testCase, status: result.passed ? 'passed' : 'failed', result };
}

/** Runs `cases` with `jobs` at a time; outcomes in the order of `cases`, each also reported as it ends. */
export async function runCases(cases: readonly IdlCase[], drivers: Drivers, options: { jobs?: number; onOutcome?: (outcome: CaseOutcome) => void } = {}): Promise<CaseOutcome[]> {
  const pki = new TestPki();
  const outcomes: CaseOutcome[] = new Array<CaseOutcome>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < cases.length; index = next++) {
      outcomes[index] = await runOne(cases[index], drivers, pki);
      options.onOutcome?.(outcomes[index]);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs ?? defaultJobs(), cases.length) }, worker));
  } finally {
    await pki.dispose();
  }
  return outcomes;
}
