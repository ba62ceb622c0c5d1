/**
 * The bodies of ovsdb-idl.at's Python3 macros, step by step: each runner below follows one
 * m4_define block (named after it) with the same commands, in the same order, with
 * `$PYTHON3 $srcdir/test-ovsdb.py` (and test-stream.py) replaced by the driver under test.
 * A failed AT_CHECK throws AtCheckFailed. The final `sort stdout | uuidfilt | FILTER` check
 * that most macros end with is left to the caller (run-idl-case.ts), as `output`.
 */
import { IdlCase, IDLTEST_SCHEMA } from './idl-cases';
import { AtSandbox, checkIn, runIn, waitUntil } from './harness/at-sandbox';
import { atWords, expandPrintfRepeats } from './harness/at-words';
import type { ProgramResult } from './harness/program';
import type { TestPki } from './harness/test-pki';
import { OUR_IDL_DRIVER, OUR_STREAM_DRIVER, TEST_OVSDB_PY, TEST_STREAM_PY } from './drivers';

/**
 * What runs in place of `$PYTHON3 $srcdir/test-ovsdb.py` and `test-stream.py`: our drivers
 * (test/conformance/driver) or OVS's own, to check the harness.
 */
export type Drivers = 'ours' | 'reference';

export class AtCheckFailed extends Error {}

/** `AT_CHECK([sort stdout | uuidfilt | FILTER], [0], [EXPECTED])`, done by the caller. */
export interface OutputCheck {
  stdout: string;
  expected: string;
  /** False where the macro sorts without uuidfilt (persistent uuids). */
  uuidfilt: boolean;
}

export interface ScenarioResult {
  output?: OutputCheck;
  /** AT_CHECKs the macro runs after the output check. */
  after: (() => Promise<void>)[];
}

interface Scenario {
  sandbox: AtSandbox;
  drivers: Drivers;
  pki: TestPki;
  params: Readonly<Record<string, string>>;
}

/** AT_CHECK([DRIVER ARGS], [0], [stdout], [ignore]): the driver must exit 0. */
async function runDriver(s: Scenario, args: readonly string[], timeoutMs = 60_000): Promise<ProgramResult> {
  const result = s.drivers === 'ours' ? await runIn(s.sandbox, OUR_IDL_DRIVER, args, { timeoutMs }) : await runIn(s.sandbox, '/usr/bin/python3', [TEST_OVSDB_PY, ...args], { timeoutMs });
  if (result.code !== 0) throw new AtCheckFailed(`the driver exited ${String(result.code)}\n--- stderr\n${result.stderr.slice(-4000)}--- stdout\n${result.stdout}`);
  return result;
}

/** `m4_if([$2], [], [], [AT_CHECK([ovsdb-client transact REMOTE $2], [0], [ignore], [ignore])])` */
async function preTransaction(s: Scenario, remote: string, options: readonly string[] = []): Promise<void> {
  if (s.params.pre.trim() === '') return;
  await checkIn(s.sandbox, 'ovsdb-client', [...options, 'transact', remote, ...atWords(s.params.pre)]);
}

const output = (stdout: string, expected: string, uuidfilt = true): ScenarioResult => ({ output: { stdout, expected, uuidfilt }, after: [] });

/** OVSDB_CHECK_IDL_PY (and _REGISTER_COLUMNS_PY, _PY_WITH_EXPOUT, _FETCH_COLUMNS_PY): over unix:socket. */
async function idlOverUnixSocket(s: Scenario, extraArgs: readonly string[], expected: string): Promise<ScenarioResult> {
  await s.sandbox.startIdltest();
  await preTransaction(s, 'unix:socket');
  const { stdout } = await runDriver(s, ['-t10', 'idl', IDLTEST_SCHEMA, 'unix:socket', ...extraArgs, ...atWords(s.params.commands)]);
  return output(stdout, expected);
}

/** OVSDB_CHECK_IDL_TCP_PY / _TCP6_PY and their _MULTIPLE_REMOTES_ variants. */
async function idlOverTcp(s: Scenario, host: '127.0.0.1' | '[::1]', multipleRemotes: boolean): Promise<ScenarioResult> {
  await s.sandbox.startIdltest(`ptcp:0:${host}`);
  const port = await s.sandbox.listeningPort('ovsdb-server.log');
  const remote = multipleRemotes ? [port + 101, port, port + 102].map((p) => `tcp:${host}:${p}`).join(',') : `tcp:${host}:${port}`;
  await preTransaction(s, `tcp:${host}:${port}`);
  const { stdout } = await runDriver(s, [multipleRemotes ? '-t20' : '-t10', 'idl', IDLTEST_SCHEMA, remote, ...atWords(s.params.commands)]);
  return output(stdout, s.params.expected);
}

/** OVSDB_CHECK_IDL_SSL_PY: the server on pssl: with the test PKI's second certificate, the driver with the first. */
async function idlOverSsl(s: Scenario): Promise<ScenarioResult> {
  const pki = await s.pki.files();
  await checkIn(s.sandbox, 'ovsdb-tool', ['create', 'db', IDLTEST_SCHEMA]);
  const serverTls = [`--private-key=${pki.privkey2}`, `--certificate=${pki.cert2}`, `--ca-cert=${pki.cacert}`];
  await s.sandbox.startOvsdbServer(['-vconsole:warn', '--log-file', '--detach', '--no-chdir', '--pidfile', ...serverTls, '--remote=pssl:0:127.0.0.1', 'db']);
  const port = await s.sandbox.listeningPort('ovsdb-server.log');
  await preTransaction(s, `ssl:127.0.0.1:${port}`, serverTls);
  const { stdout } = await runDriver(s, ['-t10', 'idl', IDLTEST_SCHEMA, `ssl:127.0.0.1:${port}`, pki.privkey, pki.cert, pki.cacert, ...atWords(s.params.commands)]);
  return output(stdout, s.params.expected);
}

/** OVSDB_CHECK_IDL_PASSIVE_TCP_PY: finds a free port with a first server, then a server that dials the driver's ptcp:. */
async function idlPassive(s: Scenario): Promise<ScenarioResult> {
  await s.sandbox.startIdltest('ptcp:0:127.0.0.1');
  const port = await s.sandbox.listeningPort('ovsdb-server.log');
  await s.sandbox.serverShutdown();
  await checkIn(s.sandbox, 'rm', ['-f', 'db']);
  await s.sandbox.startIdltest(`tcp:127.0.0.1:${port}`);
  const { stdout } = await runDriver(s, ['-t10', 'idl_passive', IDLTEST_SCHEMA, `ptcp:127.0.0.1:${port}`, ...atWords(s.params.commands)]);
  return output(stdout, s.params.expected);
}

/** OVSDB_CHECK_IDL_WO_MONITOR_COND_PY: the server refuses monitor_cond (ovsdb-server/disable-monitor-cond). */
async function idlWithoutMonitorCond(s: Scenario): Promise<ScenarioResult> {
  await s.sandbox.startIdltest();
  await checkIn(s.sandbox, 'ovs-appctl', ['-t', 'ovsdb-server', 'ovsdb-server/disable-monitor-cond']);
  const { stdout } = await runDriver(s, ['-t10', 'idl', IDLTEST_SCHEMA, 'unix:socket', ...atWords(s.params.commands)]);
  return output(stdout, s.params.expected);
}

/** CHECK_STREAM_OPEN_BLOCK: open_block succeeds on the server's port, fails on a wrong one and after shutdown. */
async function streamOpenBlock(s: Scenario): Promise<ScenarioResult> {
  const host = s.params.host;
  await s.sandbox.startIdltest(`ptcp:0:${host}`);
  const port = await s.sandbox.listeningPort('ovsdb-server.log');
  const expectExit = async (remote: string, code: number): Promise<void> => {
    const result = s.drivers === 'ours' ? await runIn(s.sandbox, OUR_STREAM_DRIVER, [remote]) : await runIn(s.sandbox, '/usr/bin/python3', [TEST_STREAM_PY, remote]);
    if (result.code !== code) throw new AtCheckFailed(`stream open of ${remote} exited ${String(result.code)}, expected ${code}\n${result.stderr}`);
  };
  await expectExit(`tcp:${host}:${port}`, 0);
  await expectExit(`tcp:${host}:${port + 101}`, 1);
  await s.sandbox.serverShutdown();
  await expectExit(`tcp:${host}:${port}`, 1);
  return { after: [] };
}

/** OVSDB_CLUSTER_START_IDLTEST([N], [REMOTE]): a raft cluster made with create-cluster and join-cluster over unix: sockets. */
async function clusterStart(sandbox: AtSandbox, n: number, remote: string): Promise<void> {
  await checkIn(sandbox, 'ovsdb-tool', ['create-cluster', 's1.db', IDLTEST_SCHEMA, 'unix:s1.raft']);
  await checkIn(sandbox, 'ovsdb-tool', ['db-cid', 's1.db']);
  const schemaName = (await checkIn(sandbox, 'ovsdb-tool', ['schema-name', IDLTEST_SCHEMA])).stdout.trim();
  for (let i = 2; i <= n; i++) await checkIn(sandbox, 'ovsdb-tool', ['join-cluster', `s${i}.db`, schemaName, `unix:s${i}.raft`, 'unix:s1.raft']);
  for (let i = 1; i <= n; i++) {
    await sandbox.startOvsdbServer(
      ['-vraft', '-vconsole:warn', '--detach', '--no-chdir', `--log-file=s${i}.log`, `--pidfile=s${i}.pid`, `--unixctl=s${i}`, `--remote=punix:s${i}.ovsdb`, ...(remote === '' ? [] : [`--remote=${remote}`]), `s${i}.db`],
      `s${i}.pid`,
    );
  }
  for (let i = 1; i <= n; i++) {
    await waitUntil(`s${i} to be a cluster member`, async () => {
      const status = await runIn(sandbox, 'ovs-appctl', ['-t', sandbox.path(`s${i}`), 'cluster/status', schemaName]);
      return status.stdout.includes('Status: cluster member');
    });
  }
}

/** ovsdb_cluster_leader REMOTES DATABASE: the first remote whose server says it leads DATABASE. */
async function clusterLeader(sandbox: AtSandbox, remotes: string, database: string): Promise<string | undefined> {
  for (const remote of remotes.split(',')) {
    const dump = await runIn(sandbox, 'ovsdb-client', ['dump', remote, '_Server', 'Database', 'name', 'leader']);
    if (dump.stdout.split('\n').some((line) => line.includes(database) && line.includes('true'))) return remote;
  }
  return undefined;
}

/** OVSDB_CHECK_IDL_LEADER_ONLY_PY: `idl-cluster` over every member; what it prints names the leader. */
async function idlLeaderOnly(s: Scenario): Promise<ScenarioResult> {
  await clusterStart(s.sandbox, Number(s.params.servers), 'ptcp:0:127.0.0.1');
  const ports = [await s.sandbox.listeningPort('s2.log'), await s.sandbox.listeningPort('s3.log'), await s.sandbox.listeningPort('s1.log')];
  const remotes = ports.map((port) => `tcp:127.0.0.1:${port}`).join(',');
  // pids=$(cat s2.pid s3.pid s1.pid | tr '\n' ','): a trailing comma included.
  const pids = ['s2.pid', 's3.pid', 's1.pid'].map((file) => `${s.sandbox.read(file).trim()},`).join('');
  const { stdout } = await runDriver(s, ['-t30', 'idl-cluster', IDLTEST_SCHEMA, remotes, pids, ...atWords(s.params.commands)]);
  const leader = (await clusterLeader(s.sandbox, remotes, 'idltest')) ?? '';
  // AT_CHECK([grep -F -- "${leader}" stdout], [0], [ignore])
  if (!stdout.includes(leader)) throw new AtCheckFailed(`the output does not name the leader ${leader}\n--- stdout\n${stdout}`);
  return { after: [] };
}

/**
 * OVSDB_CHECK_CLUSTER_IDL_PY: a 3-server cluster, the driver on the first member. Its last
 * line, `m4_if([$8], [AT_CHECK([grep '$8' stderr], [1])], [], [])`, compares $8 with the
 * AT_CHECK text itself and so never runs the log check: nor do we.
 */
async function idlCluster(s: Scenario): Promise<ScenarioResult> {
  await clusterStart(s.sandbox, Number(s.params.servers), 'ptcp:0:127.0.0.1');
  const ports = [await s.sandbox.listeningPort('s1.log'), await s.sandbox.listeningPort('s2.log'), await s.sandbox.listeningPort('s3.log')];
  const remotes = ports.map((port) => `tcp:127.0.0.1:${port}`).join(',');
  await preTransaction(s, remotes);
  const { stdout } = await runDriver(s, ['-t10', 'idl', IDLTEST_SCHEMA, `tcp:127.0.0.1:${ports[0]}`, ...atWords(s.params.commands)]);
  return output(stdout, s.params.expected);
}

/** OVSDB_CHECK_IDL_PERS_UUID_INSERT_PY: sorted output compared as is (the uuids are the test's own), and the server's refusal in stderr. */
async function idlPersistentUuids(s: Scenario): Promise<ScenarioResult> {
  await s.sandbox.startIdltest('', IDLTEST_SCHEMA);
  const result = await runDriver(s, ['-t10', 'idl', IDLTEST_SCHEMA, 'unix:socket', ...atWords(s.params.commands)]);
  const grepStderr = async (): Promise<void> => {
    // AT_CHECK([grep $4 stderr], [0], [ignore])
    const grep = await runIn(s.sandbox, 'grep', [...atWords(s.params.stderrPattern)], { input: result.stderr });
    if (grep.code !== 0) throw new AtCheckFailed(`stderr does not contain ${s.params.stderrPattern}\n--- stderr\n${result.stderr.slice(-4000)}`);
  };
  return { output: { stdout: result.stdout, expected: s.params.expected, uuidfilt: false }, after: [grepStderr] };
}

const REGISTER_COLUMNS = '?simple:b,ba,i,ia,r,ra,s,sa,u,ua?simple3:name,uset,uref?simple4:name?simple6:name,weak_ref?link1:i,k,ka,l2?link2:i,l1?singleton:name';

/** Runs the macro body of `testCase.leaf` in `sandbox`. */
export async function runScenario(testCase: IdlCase, sandbox: AtSandbox, drivers: Drivers, pki: TestPki): Promise<ScenarioResult> {
  if (testCase.params === undefined) throw new Error(`no runner for ${testCase.leaf}`);
  const s: Scenario = { sandbox, drivers, pki, params: testCase.params };
  switch (testCase.leaf) {
    case 'OVSDB_CHECK_IDL_PY':
      return idlOverUnixSocket(s, [], s.params.expected);
    case 'OVSDB_CHECK_IDL_REGISTER_COLUMNS_PY':
      return idlOverUnixSocket(s, [REGISTER_COLUMNS], s.params.expected);
    case 'OVSDB_CHECK_IDL_PY_WITH_EXPOUT':
      // echo "$4" > expout: the shell expands the $(printf ...) and adds the final newline.
      return idlOverUnixSocket(s, [], `${expandPrintfRepeats(s.params.expected)}\n`);
    case 'OVSDB_CHECK_IDL_FETCH_COLUMNS_PY':
      return idlOverUnixSocket(s, atWords(s.params.registration), s.params.expected);
    case 'OVSDB_CHECK_IDL_TCP_PY':
      return idlOverTcp(s, '127.0.0.1', false);
    case 'OVSDB_CHECK_IDL_TCP_MULTIPLE_REMOTES_PY':
      return idlOverTcp(s, '127.0.0.1', true);
    case 'OVSDB_CHECK_IDL_TCP6_PY':
      return idlOverTcp(s, '[::1]', false);
    case 'OVSDB_CHECK_IDL_TCP6_MULTIPLE_REMOTES_PY':
      return idlOverTcp(s, '[::1]', true);
    case 'OVSDB_CHECK_IDL_SSL_PY':
      return idlOverSsl(s);
    case 'OVSDB_CHECK_IDL_PASSIVE_TCP_PY':
      return idlPassive(s);
    case 'OVSDB_CHECK_IDL_WO_MONITOR_COND_PY':
      return idlWithoutMonitorCond(s);
    case 'CHECK_STREAM_OPEN_BLOCK':
      return streamOpenBlock(s);
    case 'OVSDB_CHECK_IDL_LEADER_ONLY_PY':
      return idlLeaderOnly(s);
    case 'OVSDB_CHECK_CLUSTER_IDL_PY':
      return idlCluster(s);
    case 'OVSDB_CHECK_IDL_PERS_UUID_INSERT_PY':
      return idlPersistentUuids(s);
    default:
      throw new Error(`no runner for ${testCase.leaf}`);
  }
}
