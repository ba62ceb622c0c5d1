import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { IDLTEST_SCHEMA, IdlCase, OVS_SOURCE } from './idl-cases';
import { shellWords } from './shell-words';

export interface CaseResult {
  passed: boolean;
  actual: string;
  expected: string;
  error?: string;
}

/** The one shell expansion the .at file uses: `$(printf "TEXT%.0s" {1..N})`, TEXT N times. */
export function expandPrintfRepeats(text: string): string {
  return text.replace(/\$\(printf "([^"%]*)%\.0s" \{1\.\.(\d+)\}\)/g, (_, body: string, n: string) => body.repeat(Number(n)));
}

const words = (text: string) => shellWords(expandPrintfRepeats(text));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function listeningPort(log: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const match = /listening on port (\d+)/.exec(readFileSync(log, 'utf8'));
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`ovsdb-server did not log its TCP port in ${log}`);
}

/**
 * Runs one case the way ovsdb-idl.at does: a fresh ovsdb-server on idltest.ovsschema,
 * the optional pre-transaction with ovsdb-client, then `DRIVER -t10 idl SCHEMA REMOTE ...`,
 * its stdout sorted (LC_ALL=C), UUIDs numbered by OVS's uuidfilt.py, and compared.
 */
export async function runIdlCase(testCase: IdlCase, driver: readonly string[]): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-idl-'));
  const socket = join(dir, 'socket');
  const pidfile = join(dir, 'ovsdb-server.pid');
  const log = join(dir, 'ovsdb-server.log');
  const env = { ...process.env, LC_ALL: 'C' };
  let remote = `unix:${socket}`;
  let serverStarted = false;
  try {
    await run('ovsdb-tool', ['create', join(dir, 'db'), IDLTEST_SCHEMA]);
    const serverArgs = ['-vconsole:off', `--log-file=${log}`, '--detach', '--no-chdir', `--pidfile=${pidfile}`, `--unixctl=${join(dir, 'ovsdb-server.ctl')}`, `--remote=punix:${socket}`];
    let driverRemote = remote;
    if (testCase.transport === 'tcp') serverArgs.push('--remote=ptcp:0:127.0.0.1');
    if (testCase.transport === 'passive-tcp') {
      const port = await freePort();
      serverArgs.push(`--remote=tcp:127.0.0.1:${port}`);
      // test-ovsdb.py's passive syntax is ptcp:HOST:PORT (OVS's C tools use ptcp:PORT:HOST).
      driverRemote = `ptcp:127.0.0.1:${port}`;
    }
    await run('ovsdb-server', [...serverArgs, join(dir, 'db')], { env });
    serverStarted = true;
    if (testCase.transport === 'tcp') {
      remote = `tcp:127.0.0.1:${await listeningPort(log)}`;
      driverRemote = remote;
    }
    if (testCase.preTransaction.trim() !== '') {
      await run('ovsdb-client', ['transact', `unix:${socket}`, ...words(testCase.preTransaction)], { env });
    }
    const [file, ...prefix] = driver;
    const { stdout } = await run(file, [...prefix, '-t10', testCase.command, IDLTEST_SCHEMA, driverRemote, ...words(testCase.commands)], {
      env,
      timeoutMs: 30_000,
    });
    const sorted = (await run('sort', [], { input: stdout, env })).stdout;
    let actual = (await run('python3', [join(OVS_SOURCE, 'tests/uuidfilt.py')], { input: sorted, env })).stdout;
    if (testCase.filter.trim() !== '') {
      const [filterFile, ...filterArgs] = words(testCase.filter);
      actual = (await run(filterFile, filterArgs, { input: actual, env })).stdout;
    }
    const expected = expandPrintfRepeats(testCase.expected);
    return { passed: actual === expected, actual, expected };
  } catch (error) {
    return { passed: false, actual: '', expected: testCase.expected, error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (serverStarted) {
      try {
        process.kill(Number(readFileSync(pidfile, 'utf8').trim()), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
