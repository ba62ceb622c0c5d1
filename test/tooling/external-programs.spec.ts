import { dependencyClosure, isBaseSystem, parseBootstrap, parseInstalled, pathAliases } from './debian-packages';
import { launched, scanProject, scanPython, scanShell, ScanOptions, SourceText } from './external-programs';

const scan = (files: Record<string, string>, options: ScanOptions = {}) => scanProject(Object.entries(files).map(([path, text]): SourceText => ({ path, text })), options);
const programs = (files: Record<string, string>, options?: ScanOptions) => [...new Set(scan(files, options).uses.map((u) => u.program))].sort();
const dynamicCalls = (files: Record<string, string>, options?: ScanOptions) => scan(files, options).dynamic.map((d) => `${d.context}: ${d.call}`);

describe('TypeScript: child_process', () => {
  it('finds literal programs of execFile, spawn and their Sync forms, however imported', () => {
    expect(
      programs({
        'a.ts': `import { execFile, spawnSync as ss } from 'node:child_process';
                 import * as cp from 'child_process';
                 execFile('ovs-vsctl', ['show'], () => {});
                 ss('true');
                 cp.spawn("tcpdump", ['-i', 'eth0']);
                 cp.execFileSync(\`redis-cli\`);`,
        'b.js': `const { spawn } = require('node:child_process'); spawn('ping', ['-c', '1', 'x']);
                 const child_process = require('child_process'); child_process.execFile('arping');`,
      }),
    ).toEqual(['arping', 'ovs-vsctl', 'ping', 'tcpdump', 'true', 'redis-cli'].sort());
  });

  it('follows promisify and aliases, and scans exec strings as shell', () => {
    expect(
      programs({
        'a.ts': `import { execFile, execSync } from 'node:child_process'; import { promisify } from 'node:util';
                 const execFileAsync = promisify(execFile);
                 const again = execFileAsync;
                 await again('ovs-pki', ['init']);
                 execSync('uname -s | tr a-z A-Z');`,
      }),
    ).toEqual(['ovs-pki', 'tr', 'uname']);
  });

  it('works out constants, path.join with __dirname, process.execPath, conditionals and array elements', () => {
    expect(
      programs({
        'test/x/a.ts': `import { spawn } from 'node:child_process'; import { join } from 'node:path';
                        const TSX = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
                        const BUSYBOX = '/bin/busybox';
                        const DRIVERS = [['python3', 'x.py'], ['other']];
                        spawn(TSX, ['child.ts']);
                        spawn(BUSYBOX, ['--list']);
                        spawn(process.execPath, ['-e', '1']);
                        spawn(fast ? 'ovsdb-server' : 'ovsdb-tool', []);
                        spawn(DRIVERS[0][0], []);`,
      }),
    ).toEqual(['/bin/busybox', 'node', 'node_modules/.bin/tsx', 'ovsdb-server', 'ovsdb-tool', 'python3']);
  });

  it('looks through nsenter, ip netns exec (with arguments built by a local function), npx, env and sh -c', () => {
    expect(
      programs({
        'a.ts': `import { spawn } from 'node:child_process';
                 const inNetns = (netns: string, argv: string[]) => ['netns', 'exec', netns, ...argv];
                 spawn('nsenter', [\`--net=\${path}\`, '-t', '42', 'sysctl', '-q']);
                 spawn('nsenter', ['--net=/x', '--', 'tcpdump']);
                 spawn('ip', inNetns(ns, ['ovsdb-server', '--detach']));
                 spawn('ip', ['-n', ns, 'link', 'show']);
                 spawn('npx', ['--yes', 'tsx', 'cli.ts']);
                 spawn('env', ['-u', 'X', 'A=b', 'redis-server']);
                 spawn('sh', ['-c', 'ping -c 1 x && arping y']);`,
      }),
    ).toEqual(['arping', 'env', 'ip', 'node_modules/.bin/tsx', 'npx', 'nsenter', 'ovsdb-server', 'ping', 'redis-server', 'sh', 'sysctl', 'tcpdump']);
  });

  it('reports a program it cannot tell, after a launcher too', () => {
    const dynamic = scan({
      'a.ts': `import { spawn } from 'node:child_process';
               function start() { spawn(computeName(), []); spawn(\`\${dir}/tool\`, []); }
               const go = (ns: string, argv: string[]) => spawn('ip', ['netns', 'exec', ns, ...argv.map((a) => a)]);
               spawn('nsenter', ['--net=/x', program]);`,
    }).dynamic;
    expect(dynamic.map((d) => [d.context, d.call, d.reason])).toEqual([
      ['start', 'spawn(computeName())', 'the program is not a literal (computeName())'],
      ['start', 'spawn(`${dir}/tool`)', 'the program is a string built at run time'],
      ['go', "spawn('ip')", 'the launched program is not a literal (ip: argv.map((a) => a))'],
      ['', "spawn('nsenter')", 'the launched program is not a literal (nsenter: program)'],
    ]);
  });

  it('treats a push-filled array as unknown: no program is guessed from its first elements', () => {
    expect(
      dynamicCalls({
        'a.ts': `import { spawn } from 'node:child_process';
                 const argv: string[] = ['--net=/x']; argv.push(pick());
                 spawn('nsenter', argv);`,
      }),
    ).toEqual([": spawn('nsenter')"]);
  });
});

describe('TypeScript: wrappers and the project runners', () => {
  const iproute = {
    'libs/iproute/src/spawner.ts': `export function spawnOffThread(file: string, args: readonly string[]) { /* execFile inside a worker's source string */ }`,
    'libs/iproute/src/exec.ts': `import { spawnOffThread } from './spawner';
      export function prepare(file: string, args: readonly string[]) { return spawnOffThread(file, args); }
      export function run(file: string, args: readonly string[]) { return prepare(file, args).run(''); }`,
    'libs/iproute/src/index.ts': `export * from './exec';`,
  };
  const options: ScanOptions = {
    seeds: [{ file: 'libs/iproute/src/spawner.ts', name: 'spawnOffThread', program: 0, args: 1 }],
    runnerTypes: [{ name: 'Runner', program: 0, args: 1, members: ['prepare'] }],
    paths: { '@x/iproute': 'libs/iproute/src/index.ts' },
  };

  it('follows a seed through wrappers, re-exports and a path alias to the callers', () => {
    expect(
      programs({ ...iproute, 'app/a.ts': `import { run as exec } from '@x/iproute'; await exec('ovs-appctl', ['-t', ctl]);`, 'app/b.ts': `import * as ipr from '@x/iproute'; ipr.prepare('podman', []);` }, options),
    ).toEqual(['ovs-appctl', 'podman']);
  });

  it('follows a parameter that is the first element of an array argument to the callers', () => {
    expect(
      programs(
        {
          ...iproute,
          'test/case.ts': `import { run } from '@x/iproute';
            export async function runCase(name: string, driver: readonly string[]) { const [file, ...prefix] = driver; await run(file, [...prefix, name]); }`,
          'test/a.ts': `import { join } from 'node:path'; import { runCase } from './case';
            const OURS = [join(__dirname, '../libs/driver')];
            await runCase('x', ['/usr/bin/python3', 'test.py']); await runCase('y', OURS);`,
        },
        options,
      ),
    ).toEqual(['/usr/bin/python3', 'libs/driver']);
  });

  it('scans calls through a value of a runner type; an anonymous implementation is a dynamic site', () => {
    const files = {
      ...iproute,
      'libs/plumbing/src/runner.ts': `import { run, prepare } from '@x/iproute';
        export type Runner = ((file: string, args: readonly string[]) => Promise<unknown>) & { prepare?: (file: string, args: readonly string[]) => unknown };
        export const defaultRunner: Runner = Object.assign((file: string, args: readonly string[]) => run(file, args), { prepare: (file: string, args: readonly string[]) => prepare(file, args) });
        function prepareWith(runner: Runner, file: string, args: readonly string[]) { return runner.prepare ? runner.prepare(file, args) : runner(file, args); }
        const ipInTarget = (pid?: number): [string, string[]] => (pid === undefined ? ['ip', ['-batch', '-']] : ['nsenter', [\`--net=/proc/\${pid}/ns/net\`, 'ip', '-batch', '-']]);
        export function batch(runner: Runner, pid?: number) { return prepareWith(runner, ...ipInTarget(pid)); }
        export function sysctl(runner: Runner) { return prepareWith(runner, 'nsenter', ['--net=/x', 'sysctl', '-p', '-']); }
        class Plumber { constructor(private readonly runner: Runner) {} go() { return this.runner('ovs-vsctl', []); } }`,
    };
    expect(programs(files, options)).toEqual(['ip', 'nsenter', 'ovs-vsctl', 'sysctl']);
    expect(dynamicCalls(files, options)).toEqual(['defaultRunner: run(file)', 'defaultRunner > prepare: prepare(file)']);
  });

  it('reports a runner passed around as a value, and a method whose parameter is the program', () => {
    expect(
      dynamicCalls({
        'a.ts': `import { execFile, spawn } from 'node:child_process';
                 const starters = [execFile];
                 class Tool { start(file: string) { return spawn(file, []); } }`,
      }),
    ).toEqual(['starters: execFile', 'Tool > start: spawn(file)']);
  });
});

describe('shell', () => {
  const uses = (text: string) => [...new Set(scanShell({ path: 's.sh', text }).uses.map((u) => u.program))].sort();

  it('finds commands, command substitutions, programs after exec and launchers; skips builtins, keywords, assignments and redirections', () => {
    const text = `#!/usr/bin/env bash
set -euo pipefail
fail() { printf 'bootstrap: %s\\n' "$*" >&2; exit 1; }
cd "$(dirname "$0")/.."   # a comment: not-a-program
[ "$(id -u)" = 0 ] || fail "root please"
status=$(dpkg-query -W -f='\${Status}' "$pkg" 2>/dev/null || true)
X=1 Y=2 apt-get install -y -qq pkg >/dev/null \\
  || echo failed
if ! ip netns add "$probe" 2>&1; then
  for pkg in one two; do tar -C "$dir" -xzf x.tgz; done
fi
cat <<EOF
heredoc-line-is-not-a-command
EOF
command -v docker >/dev/null || missing+=(podman-docker)
exec npx tsx scripts/demo.ts "$@"
`;
    expect(uses(text)).toEqual(['apt-get', 'cat', 'dirname', 'dpkg-query', 'id', 'ip', 'node_modules/.bin/tsx', 'npx', 'tar']);
  });

  it('follows functions that run their arguments ("$@" after shifts); other functions are not programs', () => {
    const text = `fail() { printf '%s\\n' "$*" >&2; exit 1; }
step() {
  printf '== %s\\n' "$1"
  shift
  "$@" || status=1
}
step "type-check" npx tsc -p tsconfig.json
step lint eslint .
fail "no"
`;
    expect(uses(text)).toEqual(['eslint', 'node_modules/.bin/tsc', 'npx']);
    expect(scanShell({ path: 's.sh', text }).dynamic).toEqual([]);
  });

  it('skips case patterns and reports a command that is an expansion', () => {
    const text = `case $1 in
  --ip=*|-i) ADDR=\`expr X"$1" : 'X[^=]*=\\(.*\\)'\` ;;
  *) uuidgen ;;
esac
NAME () { sed -e s/a/b/; }
PROGRAM=ovs-vsctl
"$PROGRAM" show
`;
    expect(uses(text)).toEqual(['expr', 'sed', 'uuidgen']);
    expect(scanShell({ path: 's.sh', text }).dynamic.map((d) => [d.line, d.call])).toEqual([[7, '"$PROGRAM"']]);
  });
});

describe('Python and launchers', () => {
  it('finds subprocess calls with a literal list, and reports the others', () => {
    const result = scanPython({ path: 'p.py', text: `import subprocess\nsubprocess.run(["ovs-appctl", "-t", ctl], check=True)\nsubprocess.Popen(argv)\n` });
    expect(result.uses.map((u) => [u.program, u.line])).toEqual([['ovs-appctl', 2]]);
    expect(result.dynamic.map((d) => d.line)).toEqual([3]);
  });

  it('finds the program in ip netns exec, with -all and with an unknown namespace', () => {
    expect(launched('ip', ['netns', 'exec', { unknown: 'ns' }, 'ping'])).toEqual({ program: 'ping' });
    expect(launched('ip', ['-all', 'netns', 'exec', 'ping'])).toEqual({ program: 'ping' });
    expect(launched('ip', ['-n', 'x', 'link', 'show'])).toBeUndefined();
    expect(launched('/usr/bin/nsenter', ['-t', '1', '-n', 'ip', 'link'])).toEqual({ program: 'ip' });
  });
});

describe('Debian packages', () => {
  it('reads the bootstrap\'s PACKAGES list and its command -v fallbacks', () => {
    const text = `PACKAGES=(
  openvswitch-switch   # ovsdb-server (and more)
  iputils-ping arping  # traffic checks
)
command -v docker >/dev/null || missing+=(podman-docker)
`;
    expect(parseBootstrap(text)).toEqual({ packages: ['openvswitch-switch', 'iputils-ping', 'arping'], fallbacks: new Map([['docker', 'podman-docker']]) });
  });

  it('counts what apt installs with a listed package (alternatives, virtual packages), and the base system', () => {
    const db = parseInstalled(
      [
        'redis-server\tinstall ok installed\toptional\tno\t\tredis-tools (= 5:7.0), libc6 (>= 2.34)\t',
        'redis-tools\tinstall ok installed\toptional\tno\t\tlibc6, default-mta | mail-transport-agent\t',
        'postfix\tinstall ok installed\toptional\tno\t\t\tmail-transport-agent',
        'libc6:amd64\tinstall ok installed\trequired\tno\t\t\t',
        'tcpdump\tinstall ok installed\toptional\tno\t\tlibc6\t',
        'gone\tdeinstall ok config-files\toptional\tno\t\t\t',
      ].join('\n'),
    );
    expect([...db.keys()]).toEqual(['redis-server', 'redis-tools', 'postfix', 'libc6', 'tcpdump']);
    const closure = dependencyClosure(['redis-server'], db);
    expect([...closure.keys()].sort()).toEqual(['libc6', 'postfix', 'redis-server', 'redis-tools']);
    expect(closure.has('tcpdump')).toBe(false);
    expect(isBaseSystem(db.get('libc6'))).toBe(true);
    expect(isBaseSystem(db.get('tcpdump'))).toBe(false);
  });

  it('knows a file under both halves of the merged /usr', () => {
    expect(pathAliases('/usr/sbin/sysctl')).toEqual(['/usr/sbin/sysctl', '/sbin/sysctl']);
    expect(pathAliases('/bin/ps')).toEqual(['/bin/ps', '/usr/bin/ps']);
    expect(pathAliases('/usr/local/bin/docker')).toEqual(['/usr/local/bin/docker']);
  });
});
