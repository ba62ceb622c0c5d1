import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { cidrContains, ip, ipJson, IpRoute, listNetns, run } from '@ovs-fleet/iproute';
import { defaultLabRoot, ensureBusyboxImage, Lab, LabExistsError, PAUSE_ENV, pauseMarker, podmanEnv, RangeConflictError, redisPing } from '@ovs-fleet/lab';
import { LabFootprint, labFootprint } from './lab-footprint';

// Real namespaces, daemons, bridges and podman, as root. Lab names are random per run so
// that this file can run next to itself and to other engineers' labs; `npm run lab -- down
// --all` removes what a killed run left.
const unique = () => randomBytes(3).toString('hex').slice(0, 5).replace(/^\d/, 'x');
const root = defaultLabRoot();

/** `list_dbs` over a raw JSON-RPC connection (unix socket path or TCP host/port). */
function listDbs(target: { path: string } | { host: string; port: number }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(target);
    let buffer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer to list_dbs')));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      try {
        const reply = JSON.parse(buffer) as { id: number; result: string[]; error: unknown };
        socket.end();
        if (reply.error !== null) reject(new Error(JSON.stringify(reply.error)));
        else resolve(reply.result);
      } catch {
        // the reply is not complete yet
      }
    });
    socket.write(JSON.stringify({ method: 'list_dbs', params: [], id: 1 }));
  });
}

function getJson(socketPath: string, path: string): Promise<{ status: number; body: { State?: { Pid: number; Running: boolean } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The lab's command line, as `npm run lab` runs it. */
function cli(args: string[], options: { uid?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node_modules/.bin/tsx', ['libs/lab/tools/cli.ts', ...args], { ...options, env: { ...process.env, HOME: '/tmp' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ping = (netns: string, address: string) => run('ip', ['netns', 'exec', netns, 'ping', '-c', '1', '-W', '3', address]);

describe('multi-host lab (real namespaces, OVS, redis, podman)', () => {
  const name = `li${unique()}`;
  let lab: Lab | undefined;
  let upMs = 0;
  const labOrFail = () => {
    if (!lab) throw new Error('the lab did not come up');
    return lab;
  };

  let before: LabFootprint | undefined;

  beforeAll(async () => {
    before = await labFootprint([name], root);
    const started = performance.now();
    lab = await Lab.up({ name, hosts: 3, autoRanges: true });
    upMs = performance.now() - started;
    console.log(`lab ${name}: 3 hosts up in ${Math.round(upMs)} ms (${lab.ranges.mgmt}, ${lab.ranges.underlay})`);
  });

  afterAll(async () => {
    await Lab.down(name);
    // Runs even when tests failed; a difference fails the suite.
    expect(await labFootprint([name], root)).toEqual(before);
  });

  it('brings 3 hosts up well under a minute, numbered inside its ranges', () => {
    const l = labOrFail();
    expect(upMs).toBeLessThan(60_000);
    expect(l.hosts.map((h) => h.netns)).toEqual([`ovf-${name}-h1`, `ovf-${name}-h2`, `ovf-${name}-h3`]);
    for (const h of l.hosts) {
      expect(cidrContains(l.ranges.mgmt, `${h.mgmtIp}/32`)).toBe(true);
      expect(cidrContains(l.ranges.underlay, `${h.underlayIp}/32`)).toBe(true);
    }
    expect(new Set(l.hosts.map((h) => h.underlayIp)).size).toBe(3);
  });

  it('answers OVSDB on every host over its unix socket and over TCP on its management address', async () => {
    for (const h of labOrFail().hosts) {
      expect(await listDbs({ path: h.ovsdbSocket })).toContain('Open_vSwitch');
      const [, host, port] = h.ovsdbTcp.split(':');
      expect(await listDbs({ host, port: Number(port) })).toContain('Open_vSwitch');
      expect(host).toBe(h.mgmtIp);
    }
  });

  it('runs ovs-vswitchd per host with br-phy on the userspace datapath and the underlay route learned', async () => {
    for (const h of labOrFail().hosts) {
      const { stdout: version } = await run('ovs-appctl', ['-t', h.vswitchdCtl, 'version']);
      expect(version).toMatch(/^ovs-vswitchd \(Open vSwitch\) \d+\.\d+/);
      const { stdout: datapath } = await run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, 'get', 'Bridge', 'br-phy', 'datapath_type']);
      expect(datapath.trim()).toBe('netdev');
      const { stdout: systemId } = await run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, 'get', 'Open_vSwitch', '.', 'external_ids:system-id']);
      expect(systemId.trim().replace(/"/g, "")).toBe(h.hostId);
      const { stdout: routes } = await run('ovs-appctl', ['-t', h.vswitchdCtl, 'ovs/route/show']);
      expect(routes).toContain(`${labOrFail().ranges.underlay} dev br-phy`);
    }
  });

  it('passes underlay pings between every pair of hosts, from inside their namespaces', async () => {
    const hosts = labOrFail().hosts;
    const pairs = hosts.flatMap((a) => hosts.filter((b) => b !== a).map((b) => [a, b] as const));
    const results = await Promise.all(pairs.map(([a, b]) => ping(a.netns, b.underlayIp).then(({ stdout }) => stdout)));
    expect(results).toHaveLength(6);
    for (const out of results) expect(out).toMatch(/1 packets transmitted, 1 received/);
  });

  it('carries a VXLAN tunnel over the underlay: a namespace on host 1 pings one on host 2', async () => {
    const l = labOrFail();
    const [h1, h2] = l.hosts;
    const overlay = ['198.18.213.1', '198.18.213.2'];
    const containers = [await l.createNamespace('vx1'), await l.createNamespace('vx2')];
    try {
      await Promise.all(
        [h1, h2].map(async (h, i) => {
          const peer = i === 0 ? h2 : h1;
          const c = containers[i];
          await run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, '--timeout=10',
            '--', 'add-br', 'br-int', '--', 'set', 'Bridge', 'br-int', 'datapath_type=netdev',
            '--', 'add-port', 'br-int', 'vx0', '--', 'set', 'Interface', 'vx0', 'type=vxlan', `options:remote_ip=${peer.underlayIp}`, 'options:key=4242']);
          await ip(['link', 'add', 'vxc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.netns], { netns: h.netns });
          await ip(['link', 'set', 'vxc', 'up'], { netns: h.netns });
          await run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, '--timeout=10', 'add-port', 'br-int', 'vxc']);
          await ip(['address', 'add', `${overlay[i]}/24`, 'dev', 'eth0'], { netns: c.netns });
          await ip(['link', 'set', 'eth0', 'mtu', '1450', 'up'], { netns: c.netns });
        }),
      );
      const { stdout } = await run('ip', ['netns', 'exec', containers[0].netns, 'ping', '-c', '2', '-i', '0.2', '-W', '3', overlay[1]]);
      expect(stdout).toMatch(/2 packets transmitted, 2 received/);
    } finally {
      await Promise.all(containers.map((c) => l.removeNamespace(c.name)));
      await Promise.all([h1, h2].map((h) => run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, '--timeout=10', '--if-exists', 'del-br', 'br-int'])));
    }
  });

  it('has no default route in the host namespaces, and no address on the underlay bridge', async () => {
    for (const h of labOrFail().hosts) {
      const routes = [...(await ipJson<IpRoute[]>(['-4', 'route', 'show', 'table', 'all'], { netns: h.netns })), ...(await ipJson<IpRoute[]>(['-6', 'route', 'show', 'table', 'all'], { netns: h.netns }))];
      expect(routes.filter((r) => r.dst === 'default')).toEqual([]);
    }
    const underlay = await ipJson<{ addr_info: { family: string }[] }[]>(['address', 'show', 'dev', `ovf${name}-u`]);
    expect(underlay[0].addr_info.filter((a) => a.family === 'inet')).toEqual([]);
  });

  it('serves Redis on the management gateway, reachable from the root namespace and from a host', async () => {
    const redis = labOrFail().redis;
    if (!redis) throw new Error('no redis');
    expect(redis.host).toBe(labOrFail().gateway);
    expect(await redisPing(redis.host, redis.port)).toBe('+PONG');
    const { stdout } = await run('ip', ['netns', 'exec', labOrFail().hosts[2].netns, 'redis-cli', '-h', redis.host, '-p', String(redis.port), 'ping']);
    expect(stdout.trim()).toBe('PONG');
  });

  it('reports status: versions, live daemons, addresses and endpoints', async () => {
    const status = await labOrFail().status();
    expect(status.redis?.alive).toBe(true);
    expect(status.hosts).toHaveLength(3);
    for (const [i, h] of status.hosts.entries()) {
      expect(h).toMatchObject({ ovsdbServer: true, ovsVswitchd: true, mgmtIp: labOrFail().hosts[i].mgmtIp, ovsdbTcp: labOrFail().hosts[i].ovsdbTcp });
      expect(h.ovsVersion).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('refuses a second lab with the same name, and one whose ranges overlap, touching nothing', async () => {
    const l = labOrFail();
    await expect(Lab.up({ name, hosts: 1, autoRanges: true })).rejects.toThrow(LabExistsError);
    const other = `lo${unique()}`;
    const attempt = Lab.up({ name: other, hosts: 1, mgmt: l.ranges.mgmt, underlay: l.ranges.underlay });
    await expect(attempt).rejects.toThrow(RangeConflictError);
    await expect(attempt).rejects.toThrow(`address ${l.gateway}/`);
    expect(await labFootprint([other], root)).toEqual({ netns: [], links: [], processes: [], files: [], containers: [] });
  });

  it('makes and removes a plain namespace container, ending what runs in it', async () => {
    const l = labOrFail();
    const c = await l.createNamespace('web1');
    expect(c.netns).toBe(`ovf-${name}-c-web1`);
    expect(await listNetns()).toContain(c.netns);
    const links = await ipJson<{ ifname: string; flags: string[] }[]>(['link', 'show'], { netns: c.netns });
    expect(links.map((x) => x.ifname)).toEqual(['lo']);
    expect(links[0].flags).toContain('UP');
    // A veth from host 1 into the container, as plumbing makes them: its host end must be gone when removal resolves.
    await ip(['link', 'add', 'ctest0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.netns], { netns: l.hosts[0].netns });
    const sleeper = spawn('ip', ['netns', 'exec', c.netns, 'sleep', '1000'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readlinkSync(`/proc/${sleeper.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
    await l.removeNamespace('web1');
    expect((await ipJson<{ ifname: string }[]>(['link', 'show'], { netns: l.hosts[0].netns })).map((x) => x.ifname)).not.toContain('ctest0');
    await exited;
    expect(await listNetns()).not.toContain(c.netns);
  });

  it('runs a real podman container and reads its PID through the Docker-compatible API', async () => {
    const l = labOrFail();
    const started = performance.now();
    const podman = await l.podman();
    console.log(`podman for lab ${name}: ready in ${Math.round(performance.now() - started)} ms (image + API service: ${podman.startMs} ms)`);
    const c = await podman.run('app1');
    try {
      const { status, body } = await getJson(podman.socketPath, `/containers/ovf-${name}-app1/json`);
      expect(status).toBe(200);
      expect(body.State?.Running).toBe(true);
      expect(body.State?.Pid).toBe(c.pid);
      const links = await run('nsenter', [`--net=/proc/${c.pid}/ns/net`, 'ip', '-json', 'link', 'show']);
      expect((JSON.parse(links.stdout) as { ifname: string }[]).map((x) => x.ifname)).toEqual(['lo']);
    } finally {
      await podman.remove('app1');
    }
    const { stdout } = await run('podman', ['ps', '-a', '--format', '{{.Names}}'], { env: podmanEnv() });
    expect(stdout.split('\n')).not.toContain(`ovf-${name}-app1`);
  });
  it('builds the busybox image from busybox-static when it is missing (under a throwaway name)', async () => {
    const image = `localhost/ovf-${name}-busybox`;
    const env = podmanEnv();
    try {
      expect(await ensureBusyboxImage(env, image)).toBe(true);
      expect(await ensureBusyboxImage(env, image)).toBe(false);
      const { stdout } = await run('podman', ['run', '--rm', '--network', 'none', image, '/bin/echo', 'hello from busybox'], { env });
      expect(stdout.trim()).toBe('hello from busybox');
    } finally {
      await run('podman', ['rmi', '-f', image], { env }).catch(() => undefined);
    }
  });

  it('answers on the command line: status as JSON, clear one-line errors for bad input, a missing lab or no root', async () => {
    const [status, badName, negativeHosts, missing, notRoot, overlap] = await Promise.all([
      cli(['status', '--name', name, '--json']),
      cli(['up', '--name', 'Bad-Name']),
      cli(['up', '--name', `ln${unique()}`, '--hosts', '-1']),
      cli(['status', '--name', `lm${unique()}`]),
      cli(['down', '--name', name], { uid: 65534 }),
      cli(['up', '--name', `lo${unique()}`, '--hosts', '1', '--mgmt', labOrFail().ranges.mgmt, '--underlay', labOrFail().ranges.underlay]),
    ]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { hosts: { mgmtIp: string; ovsVswitchd: boolean }[] };
    expect(parsed.hosts.map((h) => h.mgmtIp)).toEqual(labOrFail().hosts.map((h) => h.mgmtIp));
    expect(badName).toMatchObject({ code: 2, stdout: '' });
    expect(badName.stderr).toMatch(/^lab: lab name: "Bad-Name" must be/);
    expect(negativeHosts).toMatchObject({ code: 2, stdout: '' });
    expect(negativeHosts.stderr).toMatch(/^lab: hosts: -1 must be a whole number from 1 to 99\n/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lab: lab "lm\w+" has no state file/);
    expect(notRoot).toMatchObject({ code: 1, stderr: 'lab: the lab needs root (namespaces, links and daemons): run it as root\n' });
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/^lab: refusing to build the lab: its ranges are already in use on this machine:\n {2}mgmt range .* overlaps address /);
    for (const out of [badName.stderr, negativeHosts.stderr, missing.stderr, overlap.stderr]) expect(out).not.toMatch(/\n\s+at /);
    expect((await labOrFail().status()).hosts.every((h) => h.ovsdbServer)).toBe(true);
  });

  it('carries VLAN-tagged frames between hosts on the provider segment: br-prov access ports with the same tag talk, another tag does not', async () => {
    const l = labOrFail();
    const [h1, h2] = l.hosts;
    const vsctl = (h: typeof h1, args: string[]) => run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, '--timeout=10', ...args]);
    const containers = [await l.createNamespace('vl1'), await l.createNamespace('vl2')];
    try {
      for (const [i, h] of [h1, h2].entries()) {
        expect((await vsctl(h, ['get', 'Bridge', h.providerBridge, 'datapath_type'])).stdout.trim()).toBe('netdev');
        expect((await vsctl(h, ['list-ports', h.providerBridge])).stdout.trim()).toBe(h.providerInterface);
        await ip(['link', 'add', 'vlc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', containers[i].netns], { netns: h.netns });
        await ip(['link', 'set', 'vlc', 'up'], { netns: h.netns });
        await vsctl(h, ['add-port', h.providerBridge, 'vlc', 'tag=214']);
        await ip(['address', 'add', `198.18.214.${i + 1}/24`, 'dev', 'eth0'], { netns: containers[i].netns });
        await ip(['link', 'set', 'eth0', 'up'], { netns: containers[i].netns });
      }
      // The frames cross the root namespace's bridge tagged.
      const capture = run('timeout', ['10', 'tcpdump', '-i', `ovf${name}-p`, '-nn', '-e', '-c', '1', 'vlan 214 and icmp'], { timeoutMs: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { stdout } = await ping(containers[0].netns, '198.18.214.2');
      expect(stdout).toMatch(/1 packets transmitted, 1 received/);
      expect((await capture).stdout).toMatch(/vlan 214, .*198\.18\.214\.1 > 198\.18\.214\.2: ICMP echo request/);

      await vsctl(h2, ['set', 'Port', 'vlc', 'tag=215']);
      await expect(ping(containers[0].netns, '198.18.214.2')).rejects.toMatchObject({ exitCode: 1 }); // no reply (2 would be an error)
    } finally {
      await Promise.all(containers.map((c) => l.removeNamespace(c.name)));
      await Promise.all([h1, h2].map((h) => vsctl(h, ['--if-exists', 'del-port', h.providerBridge, 'vlc'])));
    }
  });

  it("keeps Redis's data and ACL users across a restart, even a crash: append-only file synced every second, noeviction, an ACL file", async () => {
    const l = labOrFail();
    const redis = l.redis!;
    const cliArgs = ['-h', redis.host, '-p', String(redis.port)];
    const redisCli = async (...args: string[]) => (await run('redis-cli', [...cliArgs, ...args])).stdout.trim();
    expect(await redisCli('CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
    expect(await redisCli('CONFIG', 'GET', 'appendfsync')).toBe('appendfsync\neverysec');
    expect(await redisCli('CONFIG', 'GET', 'maxmemory-policy')).toBe('maxmemory-policy\nnoeviction');
    expect(await redisCli('CONFIG', 'GET', 'dir')).toBe(`dir\n${l.runDir}`);
    expect(await redisCli('SET', 'lab-test-key', 'kept')).toBe('OK');
    expect(await redisCli('ACL', 'SETUSER', 'lab-test-user', 'on', '>lab-test-password', '~lab-test-*', '+get')).toBe('OK');
    expect(await redisCli('ACL', 'SAVE')).toBe('OK');

    await l.restartRedis();
    expect(await redisCli('GET', 'lab-test-key')).toBe('kept');
    expect(await run('redis-cli', [...cliArgs, '--user', 'lab-test-user', '--pass', 'lab-test-password', '--no-auth-warning', 'GET', 'lab-test-key']).then((r) => r.stdout.trim())).toBe('kept');

    expect(await redisCli('SET', 'lab-test-key', 'after a crash')).toBe('OK');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // appendfsync everysec
    await l.restartRedis('SIGKILL');
    expect(await redisCli('GET', 'lab-test-key')).toBe('after a crash');
    await redisCli('DEL', 'lab-test-key');
    await redisCli('ACL', 'DELUSER', 'lab-test-user');
    await redisCli('ACL', 'SAVE');
  });

  it("restarts a host's ovsdb-server on its database: what was there stays, and ovs-vswitchd applies changes again", async () => {
    const l = labOrFail();
    const h = l.hosts[0];
    const vsctl = (args: string[]) => run('ovs-vsctl', [`--db=${h.ovsdbUnix}`, '--timeout=10', ...args]);
    const pidFile = join(h.runDir, 'ovsdb.pid');
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const before = readFileSync(pidFile, 'utf8').trim();
      await vsctl(['--no-wait', 'set', 'Open_vSwitch', '.', `external_ids:lab-test=${signal}`]);
      await l.restartOvsdbServer(h.id, signal);
      expect(readFileSync(pidFile, 'utf8').trim()).not.toBe(before);
      expect((await vsctl(['get', 'Open_vSwitch', '.', 'external_ids:lab-test'])).stdout.trim()).toBe(signal);
      // Without --no-wait ovs-vsctl waits for ovs-vswitchd: it reconnected.
      await vsctl(['add-br', 'br-labtest', '--', 'set', 'Bridge', 'br-labtest', 'datapath_type=netdev']);
      await vsctl(['del-br', 'br-labtest']);
      expect(await listDbs({ path: h.ovsdbSocket })).toContain('Open_vSwitch');
    }
    await vsctl(['--no-wait', 'remove', 'Open_vSwitch', '.', 'external_ids', 'lab-test']);
  });

  it('gives the environment an agent reads for a host: its own Redis user in the URL when given, and podman\'s socket once podman is in use', async () => {
    const l = labOrFail();
    await l.podman();
    expect(l.agentEnv('h2')).toEqual({
      OVS_FLEET_HOST_ID: `${name}-h2`,
      OVS_FLEET_OVSDB: l.hosts[1].ovsdbTcp,
      OVS_FLEET_REDIS_URL: l.redis?.url,
      OVS_FLEET_DOCKER_SOCKET: (await l.podman()).socketPath,
    });
    expect(l.agentEnv(2, 'unix').OVS_FLEET_OVSDB).toBe(`unix:${l.hosts[1].ovsdbSocket}`);
    const withUser = l.agentEnv('h2', { remote: 'unix', redisUser: { username: 'agent-h2', password: 'a/b@c' } });
    expect(withUser.OVS_FLEET_OVSDB).toBe(`unix:${l.hosts[1].ovsdbSocket}`);
    expect(withUser.OVS_FLEET_REDIS_URL).toBe(`redis://agent-h2:a%2Fb%40c@${l.redis?.host}:${l.redis?.port}`);
  });

  // Last: it stops a daemon.
  it("tells in status when a host's ovs-vswitchd is gone", async () => {
    const l = labOrFail();
    const pid = Number(readFileSync(join(l.hosts[2].runDir, 'vswitchd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const status = await l.status();
    expect(status.hosts.map((h) => h.ovsVswitchd)).toEqual([true, true, false]);
    expect(status.hosts[2].ovsVersion).toBeUndefined();
    expect(status.hosts[2].ovsdbServer).toBe(true);
    // Scripts can rely on the exit status.
    const fromCli = await cli(['status', '--name', name]);
    expect(fromCli.code).toBe(3);
    expect(fromCli.stderr).toBe(`lab ${name}: down: h3 ovs-vswitchd\n`);
    expect(fromCli.stdout).toMatch(/^h3 .* DOWN /m);
  });
});

describe('lab crash recovery: down by name alone', () => {
  const labs: string[] = [];
  afterAll(async () => {
    for (const name of labs) await Lab.down(name);
  });

  it.each([
    ['with the state file deleted', (runDir: string) => rmSync(join(runDir, 'state.json'))],
    ['with the whole run dir deleted', (runDir: string) => rmSync(runDir, { recursive: true })],
  ])('removes a lab made by a process that is gone, %s, leaving the machine as found', async (_how, damage) => {
    const name = `lc${unique()}`;
    labs.push(name);
    const before = await labFootprint([name], root);
    // A separate process brings the lab up and exits: no object of it exists here.
    await run('npx', ['tsx', 'libs/lab/tools/cli.ts', 'up', '--name', name, '--hosts', '2', '--auto', '--podman'], { timeoutMs: 60_000 });
    const opened = await Lab.open(name);
    await (await opened.podman()).run('orphan');
    const ns = await opened.createNamespace('n1');
    spawn('ip', ['netns', 'exec', ns.netns, 'sleep', '1000'], { stdio: 'ignore', detached: true }).unref();

    const during = await labFootprint([name], root);
    expect(during.netns).toEqual([`ovf-${name}-c-n1`, `ovf-${name}-h1`, `ovf-${name}-h2`]);
    expect(during.links).toHaveLength(9); // per host mgmt, underlay and provider veths; the three bridges
    expect(during.containers).toEqual([`ovf-${name}-orphan`]);
    expect(during.processes.length).toBeGreaterThanOrEqual(6); // 2 x (ovsdb-server, ovs-vswitchd), redis, podman service

    damage(opened.runDir);
    const report = await Lab.down(name);
    expect(report.containers).toEqual([`ovf-${name}-orphan`]);
    expect(report.processes.length).toBeGreaterThanOrEqual(7); // ... and the sleep in n1
    expect(await labFootprint([name], root)).toEqual(before);
    expect(existsSync(opened.runDir)).toBe(false);
    await expect(ip(['link', 'show', `ovf${name}-m`])).rejects.toThrow(/does not exist/);
  });

  // `up` pauses at a known step (OVS_FLEET_LAB_PAUSE_AFTER, see libs/lab/src/pause.ts) and is
  // killed there, so it is certainly in the middle of its build; daemons it already started
  // survive, as after a crash.
  it.each([
    ['allocation', (f: LabFootprint) => expect([f.netns, f.links, f.processes]).toEqual([[], [], []])],
    ['claim', (f: LabFootprint) => expect([f.netns, f.links, f.processes]).toEqual([[], [], []])],
    ['network', (f: LabFootprint) => expect([f.netns.length, f.links.length, f.processes]).toEqual([3, 12, []])],
    ['daemons', (f: LabFootprint) => expect([f.netns.length, f.links.length, f.processes.length >= 7]).toEqual([3, 12, true])], // 3 x (ovsdb-server, ovs-vswitchd), redis
  ] as const)('removes a lab whose `up` was killed half way (after step %s), leaving the machine as found', async (step, expectMadeSoFar) => {
    const name = `lk${unique()}`;
    labs.push(name);
    const before = await labFootprint([name], root);
    const marker = pauseMarker(join(root, name), step);
    const child = spawn('npx', ['tsx', 'libs/lab/tools/cli.ts', 'up', '--name', name, '--hosts', '3', '--auto'], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, [PAUSE_ENV]: step },
    });
    let ended = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve(void (ended = true))));
    for (let i = 0; i < 1200 && !ended && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 25));
    try {
      expect({ paused: existsSync(marker), ended }).toEqual({ paused: true, ended: false });
      const during = await labFootprint([name], root);
      expect(during.files).toContain(join(root, name, 'state.json'));
      expectMadeSoFar(during);
    } finally {
      // Throws (ESRCH) if `up` is gone: it must still be waiting at its step here.
      if (!ended && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }
    await exited;
    await Lab.down(name);
    expect(await labFootprint([name], root)).toEqual(before);
  });

  it('an `up` killed (SIGKILL) while it holds the allocation lock blocks no later `up`', async () => {
    const killed = `lk${unique()}`;
    const next = `lk${unique()}`;
    labs.push(killed, next);
    const marker = pauseMarker(join(root, killed), 'allocation');
    const child = spawn('node_modules/.bin/tsx', ['libs/lab/tools/cli.ts', 'up', '--name', killed, '--hosts', '1', '--auto'], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, [PAUSE_ENV]: 'allocation' },
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; i < 1200 && child.exitCode === null && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(marker)).toBe(true);
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;

    const started = Date.now();
    const lab = await Lab.up({ name: next, hosts: 1, autoRanges: true, redis: false });
    try {
      expect(Date.now() - started).toBeLessThan(10_000); // the lock's timeout is 30 s
      expect(lab.hosts).toHaveLength(1);
    } finally {
      await lab.down();
    }
  });
});
