/**
 * A fresh machine runs everything after `scripts/bootstrap.sh`: every external program that
 * the code, the tests, the demo, the benchmarks and the scripts start (found by
 * ./external-programs.ts) must come from a Debian package of the bootstrap's PACKAGES list
 * (or one apt installs with it), from one of its `command -v X || install P` fallbacks, or from
 * Debian's base system (Priority required/important, or Essential). Otherwise the test fails
 * naming the program, where it is started, and the package it comes from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadIdlCases } from '../conformance/idl-cases';
import { shellWords } from '../conformance/shell-words';
import {
  dependencyClosure,
  findOnSystemPath,
  installedPackages,
  isBaseSystem,
  ownerCandidates,
  owners,
  parseBootstrap,
  SYSTEM_PATH,
} from './debian-packages';
import { DynamicSite, isShellScript, ProgramUse, scanProject, ScanOptions, SourceText } from './external-programs';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage']);

/** The project's own runner helpers and types (see libs/iproute and libs/plumbing). */
const SCAN_OPTIONS: ScanOptions = {
  // spawner.ts starts processes from a helper process whose code is a string: its Popen is not seen.
  seeds: [{ file: 'libs/iproute/src/spawner.ts', name: 'spawnOffThread', program: 0, args: 1 }],
  // libs/plumbing's Runner: runner(file, args), runner.prepare(file, args).
  runnerTypes: [{ name: 'Runner', program: 0, args: 1, members: ['prepare'] }],
  paths: Object.fromEntries(
    Object.entries((JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths).map(([alias, [target]]) => [
      alias,
      target.replace(/^\.\//, ''),
    ]),
  ),
};

interface AllowedDynamic {
  file: string;
  context: string;
  call: string;
  /** Why the name cannot be a literal, and what it can be. */
  why: string;
  /** The programs it may start: checked like the others. */
  programs: () => string[];
}

/** Program names the scanner cannot work out, each with the reason. An entry no site matches fails the test. */
const DYNAMIC_ALLOWED: AllowedDynamic[] = [
  ...[
    ['countingRunner > counted', 'inner(file)'],
    ['countingRunner > counted > prepare', 'prepareWith(file)'],
    ['defaultRunner', 'run(file)'],
    ['defaultRunner > prepare', 'prepare(file)'],
  ].map(([context, call]) => ({
    file: 'libs/plumbing/src/runner.ts',
    context,
    call,
    why: 'an implementation of the Runner type: every call through a Runner (runner(...), runner.prepare(...)) is scanned as a runner call',
    programs: () => [],
  })),
  {
    file: 'libs/iproute/src/exec.spec.ts',
    context: '',
    call: 'run(missing)',
    why: 'a program that exists nowhere, on purpose: how a start that fails (ENOENT) is reported',
    programs: () => [],
  },
  {
    file: 'test/conformance/run-idl-case.ts',
    context: 'runIdlCase',
    call: 'run(filterFile)',
    why: "the output filter of a case in OVS's tests/ovsdb-idl.at (read from the file)",
    programs: () => [...new Set(loadIdlCases().filter((c) => c.filter.trim() !== '').map((c) => shellWords(c.filter)[0]))],
  },
  {
    file: 'test/agent/agent.int-spec.ts',
    context: '',
    call: "run('ip')",
    why: "restarts the lab host's ovsdb-server with the command line it had (read from /proc/PID/cmdline), inside the host's namespace",
    programs: () => ['ovsdb-server'],
  },
  {
    file: 'test/deploy/deploy-files.int-spec.ts',
    context: 'runComposeHealthcheck',
    call: "spawnSync('sh')",
    why: "docker/compose.yaml's Redis healthcheck (CMD-SHELL: redis-cli piped into grep), run as written",
    programs: () => ['redis-cli', 'grep'],
  },
  {
    file: 'test/deploy/deploy-files.int-spec.ts',
    context: 'runReadmeBlock',
    call: "spawnSync('bash')",
    why: "docker/README.md's agent-ACL block, run as written",
    programs: () => ['openssl', 'redis-cli'],
  },
];

/** Programs that start further programs themselves (outside the project's sources): what they need. */
const RUNS_OTHERS: Record<string, { programs: string[]; why: string }> = {
  'ovs-docker': { programs: ['docker', 'ovs-vsctl', 'ip', 'uuidgen'], why: "OVS's script: `docker inspect` for the container's PID, ovs-vsctl, ip, uuidgen for port names" },
  'ovs-pki': { programs: ['openssl'], why: "OVS's script makes keys and certificates with openssl" },
};

/** Not Debian packages of the bootstrap, by design. */
const PREREQUISITES: Record<string, string> = {
  node: "the README's requirement (Node.js >= 20.19), checked by the bootstrap (command -v node)",
  npm: "comes with Node.js (the README's requirement); the bootstrap runs npm ci",
  npx: 'comes with npm',
};

function sources(dir = ROOT): SourceText[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): SourceText[] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : sources(path);
    if (!entry.isFile()) return [];
    const rel = relative(ROOT, path);
    if (/\.(ts|tsx|js|mjs|cjs|py)$/.test(rel) && !rel.endsWith('.d.ts')) return [{ path: rel, text: readFileSync(path, 'utf8') }];
    const text = readFileSync(path, 'utf8');
    return isShellScript(rel, text.slice(0, 200)) ? [{ path: rel, text }] : [];
  });
}

const matches = (site: DynamicSite, allowed: AllowedDynamic) => site.file === allowed.file && site.context === allowed.context && site.call === allowed.call;
const where = (site: { file: string; line: number }) => `${site.file}:${site.line}`;

let uses: ProgramUse[];
let dynamic: DynamicSite[];
let files: SourceText[];

beforeAll(() => {
  files = sources();
  ({ uses, dynamic } = scanProject(files, SCAN_OPTIONS));
});

it('scans the code, tests, demo, benchmarks and scripts (a sanity check of what it finds)', () => {
  const scanned = new Set(files.map((f) => f.path));
  for (const path of ['scripts/bootstrap.sh', 'scripts/test.sh', 'scripts/demo.sh', '.ci/run', 'scripts/demo.ts', 'test/conformance/driver/test-driver', 'test/bench/peers/python_idl.py']) expect(scanned).toContain(path);
  const programs = new Set(uses.map((u) => u.program));
  // Found through the lab's runner calls, nsenter, ip netns exec, npx, a shell script and Python.
  for (const program of ['ovsdb-server', 'ovs-vswitchd', 'redis-server', 'podman', 'tcpdump', 'sysctl', 'redis-cli', 'ovs-docker', 'node_modules/.bin/tsx', 'dpkg-query', 'ovs-appctl']) {
    expect({ program, found: programs.has(program) }).toEqual({ program, found: true });
  }
});

it('knows every program name that is not a literal: resolved, or allowed here with a reason', () => {
  const unexplained = dynamic.filter((site) => !DYNAMIC_ALLOWED.some((allowed) => matches(site, allowed)));
  expect(unexplained.map((s) => `${where(s)} [${s.context}] ${s.call}: ${s.reason}`)).toEqual([]);
  const stale = DYNAMIC_ALLOWED.filter((allowed) => !dynamic.some((site) => matches(site, allowed)));
  expect(stale.map((a) => `${a.file} [${a.context}] ${a.call}: allowed, but no such site any more`)).toEqual([]);
});

it('finds every program it starts in the bootstrap, or in Debian\'s base system', () => {
  const bootstrap = parseBootstrap(readFileSync(join(ROOT, 'scripts/bootstrap.sh'), 'utf8'));
  const db = installedPackages();
  const withBootstrap = dependencyClosure(bootstrap.packages, db);

  // program -> where it is started
  const started = new Map<string, string[]>();
  const add = (program: string, from: string) => started.set(program, [...(started.get(program) ?? []), from]);
  for (const use of uses) add(use.program, where(use));
  for (const allowed of DYNAMIC_ALLOWED) for (const program of allowed.programs()) add(program, `${allowed.file} [${allowed.context}] ${allowed.call}`);
  for (const [runner, { programs }] of Object.entries(RUNS_OTHERS)) if (started.has(runner)) for (const program of programs) add(program, `${runner} (run by the project)`);

  const problems: string[] = [];
  const system = new Map<string, string>(); // program -> path
  for (const [program, from] of started) {
    const seen = `${program} (started at ${from.slice(0, 3).join(', ')}${from.length > 3 ? ', ...' : ''})`;
    if (program.startsWith('node_modules/.bin/')) {
      if (!readdirSync(join(ROOT, 'node_modules', '.bin')).includes(program.slice('node_modules/.bin/'.length))) problems.push(`${seen}: not in node_modules/.bin after npm ci`);
      continue;
    }
    if (!program.startsWith('/') && program.includes('/')) {
      if (!files.some((f) => f.path === program)) problems.push(`${seen}: no such file in the project`);
      continue; // a project script, scanned as source
    }
    if (PREREQUISITES[program]) continue;
    // `command -v X || install P`: whatever X the machine has will do, else the bootstrap installs P.
    if (bootstrap.fallbacks.has(program)) continue;
    const path = findOnSystemPath(program);
    if (path === undefined) {
      problems.push(`${seen}: not found in ${SYSTEM_PATH.join(':')}, so no Debian package installed it`);
      continue;
    }
    system.set(program, path);
  }

  const candidates = new Map([...system].map(([program, path]) => [program, ownerCandidates(path)]));
  const owned = owners([...new Set([...candidates.values()].flat())]);
  for (const [program, paths] of candidates) {
    const from = started.get(program)!;
    const seen = `${program} (started at ${from.slice(0, 3).join(', ')}${from.length > 3 ? ', ...' : ''})`;
    const packages = paths.map((p) => owned.get(p)).find((found) => found !== undefined) ?? [];
    if (packages.length === 0) {
      problems.push(`${seen}: ${system.get(program)} belongs to no Debian package`);
      continue;
    }
    const provided = packages.some((pkg) => withBootstrap.has(pkg) || isBaseSystem(db.get(pkg)));
    if (!provided) {
      problems.push(`${seen}: ${system.get(program)} is in package ${packages.join(', ')}, which is neither in scripts/bootstrap.sh's PACKAGES (nor installed with one of them) nor in Debian's base system`);
    }
  }
  expect(problems).toEqual([]);
});
