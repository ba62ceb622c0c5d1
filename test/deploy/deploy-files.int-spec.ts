/**
 * The deployment files in docker/, checked as far as this machine allows (docker/README.md,
 * "What is checked"): the systemd unit through systemd-analyze, the env files through the
 * apps' own configuration loaders, the compose file parsed and cross-checked, redis.conf and
 * the ACL writer in a real redis-server, and the Containerfiles read (not built: the reason is
 * found and printed each run, and is part of their tests' names).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { agentAclRules, redisKeys } from '@ovs-fleet/contracts';
import { run } from '@ovs-fleet/iproute';
import { Redis } from 'ioredis';
import { loadAgentConfig } from '../../apps/agent/src/config/agent-config';
import { loadAgentSettings } from '../../apps/agent/src/config/agent-settings';
import { loadControllerConfig } from '../../apps/controller/src/config/controller-config';
import { controllerCommand, runtimeFlags } from '../../scripts/controller-command';
import { dependencyClosure, findOnSystemPath, installedPackages, ownerCandidates, owners } from '../tooling/debian-packages';
import { scanProject } from '../tooling/external-programs';
import { ConfiguredRedis } from './support/configured-redis';
import { Containerfile, copies, execForm, last, parseContainerfile, Stage } from './support/containerfile';
import { parseEnvFile } from './support/env-file';
import { variablesRead } from './support/env-reads';
import { whyNotBuilt } from './support/image-build';
import { importClosure } from './support/import-closure';
import { nestEntry } from './support/nest-output';
import { parseUnitFile, setting, timeSpanSeconds, words } from './support/unit-file';
import { parseYaml } from './support/yaml';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const PREFIX = 'OVS_FLEET_';

const ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries((JSON.parse(read('tsconfig.json')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths).map(([alias, [target]]) => [alias, target.replace(/^\.\//, '')]),
);
const PACKAGE = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };

/** Every file under docker/, relative to the repository root. */
function dockerFiles(dir = join(ROOT, 'docker')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? dockerFiles(path) : [relative(ROOT, path)];
  });
}

const loadAgent = (env: NodeJS.ProcessEnv) => [loadAgentConfig(env), loadAgentSettings(env)];
const loadController = (env: NodeJS.ProcessEnv) => loadControllerConfig(env);

const agentEnv = parseEnvFile(read('docker/agent/agent.env.example'));
const controllerEnv = parseEnvFile(read('docker/controller/controller.env.example'));

/** The variables a loader reads: with only what it requires, and with every variable the example file names. */
function readBy(load: (env: NodeJS.ProcessEnv) => unknown, required: NodeJS.ProcessEnv, file: ReturnType<typeof parseEnvFile>): string[] {
  const everything = Object.fromEntries([...file.documented, ...file.assigned]);
  return [...new Set([...variablesRead(load, required, PREFIX), ...variablesRead(load, everything, PREFIX)])].sort();
}
const AGENT_VARIABLES = readBy(loadAgent, { OVS_FLEET_HOST_ID: 'h1' }, agentEnv);
const CONTROLLER_VARIABLES = readBy(loadController, {}, controllerEnv);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  user?: string;
  env_file?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
const compose = parseYaml(read('docker/compose.yaml')) as Compose;
const service = (name: string): ComposeService => {
  const found = compose.services?.[name];
  if (!found) throw new Error(`docker/compose.yaml has no service "${name}"`);
  return found;
};
const envFiles = (s: ComposeService): string[] => (s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file]);

/** Redis directives as redis.conf gives them (the last occurrence wins, as Redis reads it). */
const redisConf = new Map(
  read('docker/redis/redis.conf')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => /^(\S+)\s*(.*)$/.exec(line)!.slice(1, 3) as [string, string]),
);

describe('docker/agent/ovs-fleet-agent.service', () => {
  const UNIT = 'docker/agent/ovs-fleet-agent.service';
  const unit = parseUnitFile(read(UNIT));

  function systemdAnalyze(args: string[]): { status: number | null; output: string } {
    const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 });
    if (result.error) throw new Error(`systemd-analyze cannot run (${result.error.message}): it comes with Debian's systemd package, which the bootstrap must install`);
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  }

  it('passes systemd-analyze verify without a warning', () => {
    expect(systemdAnalyze(['verify', join(ROOT, UNIT)])).toEqual({ status: 0, output: '' });
  });

  it('is rated 5.0 or less by systemd-analyze security --offline', () => {
    const { status, output } = systemdAnalyze(['security', '--offline=yes', '--threshold=50', '--no-pager', join(ROOT, UNIT)]);
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(output);
    expect(level).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(5);
    expect(status).toBe(0);
  });

  it('names only capabilities systemd knows, and just the three the agent uses', () => {
    const capabilities = words(unit, 'Service', 'CapabilityBoundingSet');
    expect([...capabilities].sort()).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']);
    // verify does not check the names: an unknown one would be dropped in silence.
    expect(systemdAnalyze(['capability', ...capabilities]).status).toBe(0);
    expect(words(unit, 'Service', 'AmbientCapabilities')).toEqual([]);
  });

  it('orders itself after Open vSwitch and the network, units that exist on this Debian machine', () => {
    for (const key of ['After', 'Wants']) {
      expect(words(unit, 'Unit', key).sort()).toEqual(['network-online.target', 'openvswitch-switch.service']);
    }
    const unitDirs = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
    const missing = words(unit, 'Unit', 'After').filter((name) => !unitDirs.some((dir) => existsSync(join(dir, name))));
    expect(missing).toEqual([]);
  });

  it('reads /etc/ovs-fleet/agent.env and runs the file nest build makes of the agent', () => {
    expect(setting(unit, 'Service', 'EnvironmentFile')).toBe('/etc/ovs-fleet/agent.env');
    const workingDirectory = setting(unit, 'Service', 'WorkingDirectory')!;
    expect(setting(unit, 'Service', 'ExecStart')).toBe(`node ${posix.join(workingDirectory, nestEntry(ROOT, 'agent').output)}`);
    // The README's install steps build it with `npm run build`.
    expect(PACKAGE.scripts.build.split('&&').map((step) => step.trim())).toContain('nest build agent');
  });

  it('runs with a read-only system, no home, a private /tmp and no new privileges', () => {
    const service = unit.get('Service')!;
    const values = Object.fromEntries(['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp'].map((key) => [key, service.get(key)?.at(-1)]));
    expect(values).toEqual({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes' });
    // The agent writes net.* sysctls inside containers' namespaces through /proc/sys.
    expect(service.has('ProtectKernelTunables')).toBe(false);
  });

  it('is not restarted after the exit status the agent gives a bad setting, and is after any other failure', () => {
    expect(setting(unit, 'Service', 'Restart')).toBe('on-failure');
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith(PREFIX)));
    const agent = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/agent/src/main.ts'], {
      cwd: ROOT,
      env: { ...base, OVS_FLEET_HOST_ID: 'Not A Host Id' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(agent.stderr).toContain('OVS_FLEET_HOST_ID');
    // apps/agent/src/main.ts: exit status 2 is a bad setting, the one status restarting cannot help.
    const notRestarted = words(unit, 'Service', 'RestartPreventExitStatus');
    expect(notRestarted).toEqual(['2']);
    expect(agent.status).toBe(Number(notRestarted[0]));
  });

  it('lets the job in hand finish on stop: SIGTERM to node alone, and time for a job that waits its longest for ovs-vswitchd', () => {
    expect(setting(unit, 'Service', 'KillMode')).toBe('mixed');
    const stopS = timeSpanSeconds(setting(unit, 'Service', 'TimeoutStopSec') ?? '90');
    const vswitchdS = loadAgentSettings({}).vswitchdTimeoutMs / 1000;
    expect(stopS).toBeGreaterThanOrEqual(3 * vswitchdS);
  });
});

describe('environment files and the apps configuration loaders', () => {
  const named = (file: ReturnType<typeof parseEnvFile>) => [...file.assigned.keys(), ...file.documented.keys()].sort();

  it('agent.env.example names every variable the agent reads, and nothing else', () => {
    expect(named(agentEnv)).toEqual(AGENT_VARIABLES);
  });

  it('controller.env.example names every variable the controller reads, and nothing else', () => {
    expect(named(controllerEnv)).toEqual(CONTROLLER_VARIABLES);
  });

  it.each([
    ['agent.env.example', agentEnv, loadAgent],
    ['controller.env.example', controllerEnv, loadController],
  ] as const)('%s: the values it sets load, and each default it shows is the loader\'s default', (_, file, load) => {
    const given = Object.fromEntries(file.assigned);
    const loaded = load(given);
    const wrongDefaults = [...file.documented].filter(([key, value]) => JSON.stringify(load({ ...given, [key]: value })) !== JSON.stringify(loaded)).map(([key, value]) => `${key}=${value}`);
    expect(wrongDefaults).toEqual([]);
  });

  it('every OVS_FLEET_ variable that a file in docker/ names is read by the app it is for', () => {
    const forApp = (path: string): string[] => {
      if (path.startsWith('docker/agent/')) return AGENT_VARIABLES;
      if (path.endsWith('README.md')) return [...AGENT_VARIABLES, ...CONTROLLER_VARIABLES];
      return CONTROLLER_VARIABLES;
    };
    const unknown = dockerFiles().flatMap((path) =>
      [...new Set(read(path).match(/OVS_FLEET_[A-Z0-9_]+/g) ?? [])].filter((name) => !forApp(path).includes(name)).map((name) => `${path}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('docker/compose.yaml', () => {
  it('holds the controller, Redis and the one-shot ACL writer', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['controller', 'redis', 'redis-acl']);
  });

  it('keeps Redis data on the named volume mounted at /data, where redis.conf puts the AOF and the ACL file', () => {
    expect(Object.keys(compose.volumes ?? {})).toEqual(['redis-data']);
    expect(service('redis').volumes).toContain('redis-data:/data');
    expect(service('redis-acl').volumes).toContain('redis-data:/data');
    expect({ dir: redisConf.get('dir'), appendonly: redisConf.get('appendonly'), aclfile: redisConf.get('aclfile') }).toEqual({ dir: '/data', appendonly: 'yes', aclfile: '/data/users.acl' });
    expect(service('redis-acl').entrypoint?.at(-1)).toBe(redisConf.get('aclfile'));
  });

  it('starts Redis from docker/redis/redis.conf, mounted where its command reads it', () => {
    const mounted = (service('redis').volumes ?? []).find((volume) => volume.startsWith('./redis/redis.conf:'));
    expect(mounted).toBeDefined();
    expect(service('redis').command).toEqual(['redis-server', mounted!.split(':')[1]]);
  });

  it('names files that exist: mounted files, the build context and its Containerfile, env files as .example beside them and ignored by git', () => {
    const composeDir = join(ROOT, 'docker');
    const problems: string[] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('.') && !existsSync(join(composeDir, source))) problems.push(`${name}: volume source ${source} does not exist`);
      }
      for (const envFile of envFiles(s)) {
        const path = relative(ROOT, join(composeDir, envFile));
        if (!existsSync(join(ROOT, `${path}.example`))) problems.push(`${name}: env_file ${envFile} has no ${path}.example`);
        if (spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT }).status !== 0) problems.push(`${name}: env_file ${path} is not ignored by git (it holds secrets)`);
      }
      if (s.build) {
        const context = resolve(composeDir, s.build.context);
        if (context !== ROOT) problems.push(`${name}: build context ${s.build.context} is not the repository root`);
        if (!existsSync(join(context, s.build.dockerfile))) problems.push(`${name}: ${s.build.dockerfile} does not exist`);
      }
    }
    expect(problems).toEqual([]);
    expect(service('controller').build?.dockerfile).toBe('docker/controller/Containerfile');
  });

  it('starts Redis once the ACL file is written, and the controller once Redis is healthy', () => {
    expect(service('redis').depends_on).toEqual({ 'redis-acl': { condition: 'service_completed_successfully' } });
    expect(service('controller').depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(service('redis').healthcheck).toBeDefined();
    expect(service('controller').healthcheck).toBeDefined();
  });

  it('publishes and health-checks the port the controller listens on with its env file, on every address of its container', () => {
    const controller = service('controller');
    const config = loadControllerConfig({ ...Object.fromEntries(controllerEnv.assigned), ...controller.environment });
    expect(config.httpHost).toBe('0.0.0.0');
    expect(controller.ports).toEqual([`${config.httpPort}:${config.httpPort}`]);
    expect(controller.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${config.httpPort}/health`);
    const runtime = parseContainerfile(read('docker/controller/Containerfile')).stages.at(-1)!;
    expect(last(runtime, 'EXPOSE')?.args).toBe(String(config.httpPort));
  });

  it('writes no secret: no password in a URL, no secret variable; the one --pass is the PING-only user\'s', () => {
    const strings: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'string') strings.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          strings.push(key);
          walk(inner);
        }
      }
    };
    walk(compose);
    expect(strings.filter((text) => /\w+:\/\/[^/\s:@]+:[^@\s]+@/.test(text))).toEqual([]);
    expect(strings.filter((text) => /TOKEN|PASSWORD|SECRET|REDIS_URL/i.test(text))).toEqual([]);
    const passes = strings.flatMap((text) => [...text.matchAll(/--user (\S+) --pass (\S+)/g)].map((m) => m[1]));
    expect(passes).toEqual(['healthcheck']);
  });
});

/** compose.yaml's Redis healthcheck (CMD-SHELL: redis-cli piped into grep), run as written; its exit status. */
function runComposeHealthcheck(command: string): number | null {
  return spawnSync('sh', ['-c', command], { stdio: 'ignore' }).status;
}

/** docker/README.md's agent-ACL block (openssl, redis-cli), run as written with bash. */
function runReadmeBlock(script: string, env: Record<string, string>) {
  // stdin from /dev/null: on a socket (Node's pipes are), Debian's bash thinks sshd runs it and reads bash.bashrc.
  return spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env } });
}

describe('docker/redis: redis.conf and write-users-acl.sh in a real redis-server', () => {
  const CONF = join(ROOT, 'docker/redis/redis.conf');
  const WRITER = join(ROOT, 'docker/redis/write-users-acl.sh');
  const controllerPassword = randomBytes(24).toString('hex');
  const controllerEnvironment = { OVS_FLEET_REDIS_URL: `redis://controller:${controllerPassword}@redis:6379` };
  let redis: ConfiguredRedis;
  const clients: Redis[] = [];

  const writeAcl = (file: string, env: Record<string, string>) =>
    spawnSync('sh', [WRITER, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env } });

  /** A client that tries once and does not reconnect (Redis is killed on purpose below). */
  async function client(user: string, password: string): Promise<Redis> {
    const connection = new Redis(redis.url(user, password), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    clients.push(connection);
    await connection.connect();
    return connection;
  }
  const closeClients = () => Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));

  beforeAll(async () => {
    redis = await ConfiguredRedis.start(CONF, async (r) => {
      const written = writeAcl(r.aclFile, controllerEnvironment);
      if (written.status !== 0) throw new Error(`write-users-acl.sh failed: ${written.stderr}`);
    });
  });

  afterAll(async () => {
    await closeClients();
    await redis?.dispose();
  });

  it('is the Redis version compose.yaml pins', async () => {
    const { stdout } = await run('redis-server', ['--version']);
    const local = /v=(\d+\.\d+\.\d+)/.exec(stdout)![1];
    for (const name of ['redis', 'redis-acl']) expect(service(name).image).toBe(`docker.io/library/redis:${local}-bookworm`);
  });

  it('write-users-acl.sh refuses the example\'s placeholder and a URL without a password, writing nothing', () => {
    for (const url of [controllerEnv.assigned.get('OVS_FLEET_REDIS_URL')!, 'redis://redis:6379', `redis://controller:${'x'.repeat(8)}@redis:6379`]) {
      const file = join(redis.dir, 'refused.acl');
      const result = writeAcl(file, { OVS_FLEET_REDIS_URL: url });
      expect({ url, status: result.status, stderr: result.stderr, written: existsSync(file) }).toEqual({ url, status: 1, stderr: expect.stringContaining('OVS_FLEET_REDIS_URL') as string, written: false });
    }
  });

  it('write-users-acl.sh leaves an existing ACL file as it is', () => {
    const before = readFileSync(redis.aclFile, 'utf8');
    const result = writeAcl(redis.aclFile, { OVS_FLEET_REDIS_URL: `redis://other:${randomBytes(24).toString('hex')}@redis:6379` });
    expect({ status: result.status, after: readFileSync(redis.aclFile, 'utf8') }).toEqual({ status: 0, after: before });
    expect(before).not.toContain(controllerPassword);
  });

  it('applies the file\'s persistence, eviction and ACL settings', async () => {
    const controller = await client('controller', controllerPassword);
    const get = async (name: string) => ((await controller.call('CONFIG', 'GET', name)) as string[])[1];
    expect({ appendonly: await get('appendonly'), appendfsync: await get('appendfsync'), policy: await get('maxmemory-policy'), aclfile: await get('aclfile') }).toEqual({
      appendonly: 'yes',
      appendfsync: 'always',
      policy: 'noeviction',
      aclfile: redis.aclFile,
    });
  });

  it('has no default user, a healthcheck user that may only PING, and the controller\'s user with everything', async () => {
    const cli = (...args: string[]) => run('redis-cli', ['-p', String(redis.port), ...args]).then((r) => r.stdout.trim());
    expect(await cli('PING')).toMatch(/^NOAUTH/);
    expect(await cli('--user', 'healthcheck', '--pass', 'anything', '--no-auth-warning', 'PING')).toBe('PONG');
    expect(await cli('--user', 'healthcheck', '--pass', 'anything', '--no-auth-warning', 'GET', 'k')).toMatch(/^NOPERM/);
    const controller = await client('controller', controllerPassword);
    await controller.set('deploy:probe', 'v');
    expect(await controller.get('deploy:probe')).toBe('v');
    expect(((await controller.call('ACL', 'USERS')) as string[]).sort()).toEqual(['controller', 'default', 'healthcheck']);
  });

  it('answers compose.yaml\'s healthcheck command (which reads the answer: redis-cli exits 0 on NOAUTH)', async () => {
    const [form, command] = service('redis').healthcheck!.test;
    expect(form).toBe('CMD-SHELL');
    // Pointed at this server's port, as the container's 6379.
    const here = command.replace(/^redis-cli /, `redis-cli -p ${redis.port} `);
    expect(runComposeHealthcheck(here)).toBe(0);
    expect(runComposeHealthcheck(here.replace('--user healthcheck', '--user nobody'))).toBe(1);
    expect(spawnSync('redis-cli', ['-p', String(redis.port), 'PING']).status).toBe(0);
  });

  it('the README\'s block creates an agent user equal to agentAclRules, kept by ACL SAVE through a kill -9', async () => {
    const block = /<!-- agent-acl[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(read('docker/README.md'));
    expect(block).not.toBeNull();
    const result = runReadmeBlock(block![1], { CONTROLLER_REDIS_PASSWORD: controllerPassword, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port) });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['OK', 'OK']);
    const url = /^OVS_FLEET_REDIS_URL=redis:\/\/agent-h1:([0-9a-f]{48})@127\.0\.0\.1:(\d+)$/.exec(lines[2]);
    expect(url).not.toBeNull();
    expect(loadAgentConfig({ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_REDIS_URL: lines[2].slice('OVS_FLEET_REDIS_URL='.length) }).redisUrl).toContain('agent-h1');

    // ACL GETUSER, its rule strings' words sorted: Redis lists the same rules in a different order after a restart.
    const user = async (connection: Redis, name: string) => {
      const sortWords = (value: unknown): unknown => (Array.isArray(value) ? value.map(sortWords) : typeof value === 'string' ? value.split(' ').sort().join(' ') : value);
      return sortWords(await connection.call('ACL', 'GETUSER', name));
    };
    const controller = await client('controller', controllerPassword);
    await controller.call('ACL', 'SETUSER', 'reference-h1', ...agentAclRules('h1', url![1]));
    const reference = await user(controller, 'reference-h1');
    await controller.call('ACL', 'DELUSER', 'reference-h1');
    expect(await user(controller, 'agent-h1')).toEqual(reference);

    await closeClients();
    await redis.restart();
    const after = await client('controller', controllerPassword);
    expect(await user(after, 'agent-h1')).toEqual(reference);
    const agent = await client('agent-h1', url![1]);
    await after.set(redisKeys.hostDesired('h1'), '{}');
    await after.set(redisKeys.hostDesired('h2'), '{}');
    expect(await agent.get(redisKeys.hostDesired('h1'))).toBe('{}');
    await expect(agent.get(redisKeys.hostDesired('h2'))).rejects.toThrow(/NOPERM/);
  });

  it('keeps an acknowledged write through a kill -9', async () => {
    const controller = await client('controller', controllerPassword);
    const value = randomBytes(8).toString('hex');
    await controller.set('deploy:durable', value);
    await closeClients();
    await redis.restart();
    expect(await (await client('controller', controllerPassword)).get('deploy:durable')).toBe(value);
  });
});

/** The Node.js image both Containerfiles build from: the version these tests run on. */
const NODE_IMAGE = `docker.io/library/node:${process.versions.node}-bookworm-slim`;
const NOT_BUILT = whyNotBuilt(NODE_IMAGE);
console.log(`docker/*/Containerfile: read and checked, not built: ${NOT_BUILT}`);

/** Debian packages `apt-get install` puts in a stage. */
function aptInstalled(stage: Stage): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'RUN')
    .flatMap((instruction) => instruction.args.split(/&&|;/))
    .map((command) => command.trim().split(/\s+/))
    .filter((command) => command[0] === 'apt-get' && command.includes('install'))
    .flatMap((command) => command.slice(command.indexOf('install') + 1).filter((word) => !word.startsWith('-')));
}

describe.each(['controller', 'agent'])(`docker/%s/Containerfile, checked without a build (${NOT_BUILT})`, (app) => {
  const path = `docker/${app}/Containerfile`;
  let file: Containerfile;
  let build: Stage;
  let runtime: Stage;
  const entry = nestEntry(ROOT, app);

  beforeAll(() => {
    file = parseContainerfile(read(path));
    build = file.stages[0];
    runtime = file.stages.at(-1)!;
  });

  it('builds every stage from the Node.js these tests run on, pinned by exact tag (digest optional), of the version package.json asks for', () => {
    const images = file.stages.map((stage) => stage.image.replace(/@sha256:[0-9a-f]{64}$/, ''));
    expect(images).toEqual(file.stages.map(() => NODE_IMAGE));
    const [major, minor] = process.versions.node.split('.').map(Number);
    const [needMajor, needMinor] = /^>=(\d+)\.(\d+)$/.exec(PACKAGE.engines.node)!.slice(1).map(Number);
    expect(major > needMajor || (major === needMajor && minor >= needMinor)).toBe(true);
  });

  it('copies only files that exist in the repository root (the build context), or from an earlier stage', () => {
    const problems: string[] = [];
    file.stages.forEach((stage, index) => {
      for (const copy of copies(stage)) {
        if (copy.from !== null) {
          if (!file.stages.slice(0, index).some((earlier) => earlier.name === copy.from)) problems.push(`line ${copy.line}: --from=${copy.from} is not an earlier stage`);
        } else {
          for (const source of copy.sources) if (!existsSync(join(ROOT, source))) problems.push(`line ${copy.line}: ${source} does not exist`);
          if (copy.sources.some((source) => source === '.' || /\.env$/.test(source))) problems.push(`line ${copy.line}: copies the whole context or an env file`);
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it(`builds with npm ci and nest build ${app}, and installs only production packages in the stage it runs`, () => {
    const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs(build)).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), `npx nest build ${app}`]));
    expect(runs(runtime).some((command) => /\bnpm ci --omit=dev\b/.test(command))).toBe(true);
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
  });

  it(`runs ${entry.output}, which nest build makes of ${entry.source} in the build stage, with npm run ${app}'s runtime flags`, () => {
    const built = posix.join(last(build, 'WORKDIR')!.args, entry.output);
    const copy = copies(runtime).find((c) => c.from === build.name && c.sources.some((source) => built.startsWith(`${source}/`)));
    expect(copy).toBeDefined();
    const source = copy!.sources.find((s) => built.startsWith(`${s}/`))!;
    const runDir = last(runtime, 'WORKDIR')!.args;
    const inRuntime = posix.join(posix.resolve(runDir, copy!.destination), posix.relative(source, built));
    const command = execForm(last(runtime, 'CMD')!);
    // The controller with the runtime flags of `npm run controller` (package.json: their one place).
    const flags = app === 'controller' ? runtimeFlags(controllerCommand(ROOT).options) : [];
    expect(command).toHaveLength(2 + flags.length);
    expect({ program: command[0], flags: command.slice(1, -1), file: posix.resolve(runDir, command.at(-1)!) }).toEqual({ program: 'node', flags, file: inRuntime });
  });

  it('gets every package the app imports from npm ci --omit=dev (dependencies, not devDependencies)', () => {
    const closure = importClosure(ROOT, entry.source, ALIASES);
    const missing = [...closure.packages].filter(([name]) => PACKAGE.dependencies[name] === undefined).map(([name, files]) => `${name} (imported by ${files.slice(0, 3).join(', ')})`);
    expect(missing).toEqual([]);
    expect(closure.packages.has('@nestjs/core')).toBe(true);
  });

  it('holds no secret: no secret-looking ENV or ARG, no password in a URL', () => {
    const instructions = file.stages.flatMap((stage) => stage.instructions);
    expect(instructions.filter((i) => (i.keyword === 'ENV' || i.keyword === 'ARG') && /TOKEN|PASSWORD|SECRET|REDIS_URL/i.test(i.args)).map((i) => i.line)).toEqual([]);
    expect(read(path).split('\n').filter((line) => /\w+:\/\/[^/\s:@]+:[^@\s]+@/.test(line))).toEqual([]);
    expect([...file.globalArgs.keys()]).toEqual(['NODE_IMAGE']);
  });

  if (app === 'controller') {
    it('runs as a user other than root', () => {
      const user = last(runtime, 'USER')?.args;
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user!.split(':')[0]);
    });
  } else {
    it('runs as root, and installs the Debian packages of every program the agent starts (ip, nsenter, sysctl, python3)', () => {
      expect(last(runtime, 'USER')?.args).toBe('root');
      const closure = importClosure(ROOT, entry.source, ALIASES);
      const scan = scanProject(
        closure.files.map((f) => ({ path: f, text: read(f) })),
        {
          seeds: [{ file: 'libs/iproute/src/spawner.ts', name: 'spawnOffThread', program: 0, args: 1 }],
          runnerTypes: [{ name: 'Runner', program: 0, args: 1, members: ['prepare'] }],
          paths: ALIASES,
        },
      );
      // libs/plumbing's Runner implementations take the program as a parameter: their callers are scanned instead.
      expect(scan.dynamic.filter((site) => site.file !== 'libs/plumbing/src/runner.ts').map((site) => `${site.file}:${site.line} ${site.call}`)).toEqual([]);
      const programs = [...new Set(scan.uses.map((use) => use.program))].sort();
      expect(programs).toEqual(expect.arrayContaining(['ip', 'nsenter', 'python3', 'sysctl']));

      const db = installedPackages();
      const inImage = dependencyClosure(aptInstalled(runtime), db);
      // bookworm-slim holds Debian's required and Essential packages only (not "important" ones such as iproute2).
      const inBase = (name: string) => db.get(name)?.essential === true || db.get(name)?.priority === 'required';
      const unprovided = programs.flatMap((program) => {
        const found = findOnSystemPath(program);
        if (found === undefined) return [`${program}: not on this machine's system path`];
        const packages = [...owners(ownerCandidates(found)).values()].flat();
        return packages.some((name) => inImage.has(name) || inBase(name)) ? [] : [`${program}: from ${packages.join(', ') || 'no package'}, not installed in the image`];
      });
      expect(unprovided).toEqual([]);
    });
  }
});
