/**
 * The host agent (apps/agent, as `npm run agent` starts it) against real daemons: a
 * redis-server, a lab host (its own namespace with ovsdb-server and ovs-vswitchd, userspace
 * datapath) and network namespaces as containers. The test plays the controller: it writes
 * desired-state documents (built with the controller's own buildDesiredState) and queues
 * converge jobs; the agent connects with its own ACL user (agentAclRules). What the agent did is
 * checked with ovs-vsctl and `ip -n`, its report stream, status hash and /metrics.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  agentAclRules,
  CONVERGE_JOB,
  hostQueueName,
  redisKeys,
  tunnelPortName,
  type AttachmentRecord,
  type ConvergeJob,
  type ConvergeReport,
  type NetworkMesh,
  type ResolvedHostState,
  type HostRecord,
  type NetworkRecord,
  PLAN_JOB,
  type AgentPlan,
  type PlanJob,
} from '@ovs-fleet/contracts';
import { run } from '@ovs-fleet/iproute';
import { Lab, type LabHost, type NetnsContainer } from '@ovs-fleet/lab';
import { hostIfname } from '@ovs-fleet/plumbing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { resolvedDesiredState } from '../../apps/controller/src/desired-state/testing/resolved';
import { CONVERGE_JOB_OPTIONS } from '../../apps/controller/src/jobs/converge-job-options';
import { freePort } from '../support/ovsdb-server';
import { RedisTestServer } from '../support/redis-server';
import { AgentProcess } from './support/agent-process';
import { isAlive } from '../support/process-state';

jest.setTimeout(180_000);

const REMOTE_TUNNEL_IP = '203.0.113.254';
const TUNNEL = tunnelPortName('blue', 'h2');
const password = randomBytes(18).toString('hex');

let redis: RedisTestServer | undefined;
let admin: Redis;
let queue: Queue<ConvergeJob>;
let lab: Lab | undefined;
let host: LabHost;
let httpPort: number;
let agent: AgentProcess;
const agents: AgentProcess[] = [];
const containers = new Map<string, NetnsContainer>();
let ovsVersion: string;
/** The attachments of the kill -9 case, converged at its end. */
let kAttachments: AttachmentRecord[] = [];

// ---- the controller's side -----------------------------------------------------------------

const now = new Date().toISOString();
const hostRecord = (id: string, tunnelIp: string): HostRecord => ({ id, tunnelIp, underlayMtu: 1500, labels: {}, integrationBridge: 'br-int', datapathType: 'netdev', createdAt: now, updatedAt: now });
const blue: NetworkRecord = {
  name: 'blue',
  type: 'vxlan',
  segmentId: 100,
  subnets: [{ cidr: '198.18.200.0/24', gateway: '198.18.200.1', allocationPools: [] }],
  mtu: 1450,
  mtuDerived: true,
  hosts: { all: true },
  providerBridge: null,
  createdAt: now,
  updatedAt: now,
};

function attachmentOf(id: string, container: NetnsContainer, hostPart: number): AttachmentRecord {
  return {
    id,
    network: 'blue',
    host: 'h1',
    container: { netns: container.netns },
    ifname: 'eth0',
    mac: `02:00:c6:12:c8:${hostPart.toString(16).padStart(2, '0')}`,
    addresses: [`198.18.200.${hostPart}/24`],
    gateway: false,
    routes: [],
    createdAt: now,
  };
}

function desired(revision: number, attachments: AttachmentRecord[]): ResolvedHostState {
  const h1 = hostRecord('h1', host.underlayIp);
  return resolvedDesiredState({
    host: h1,
    revision,
    hosts: [h1, hostRecord('h2', REMOTE_TUNNEL_IP)],
    networks: [blue],
    attachments,
    localVlans: { blue: 1 },
    operator: { bridges: [], ports: [], tunnels: [] },
  });
}

/** As the controller does: the document and its network's mesh first, then a job asking for its revision. */
async function queueConverge(resolved: ResolvedHostState, requestId: string): Promise<string> {
  const { tunnels, ...document } = resolved;
  const mesh: NetworkMesh = { network: 'blue', revision: 1, members: [{ host: 'h1', tunnelIp: document.tunnelIp }, ...tunnels.map((t) => ({ host: t.remoteHost, tunnelIp: t.remoteIp }))] };
  await admin.set(redisKeys.networkMesh('blue'), JSON.stringify(mesh));
  await admin.set(redisKeys.hostDesired('h1'), JSON.stringify(document));
  const job = await queue.add(CONVERGE_JOB, { hostId: 'h1', revision: document.revision, requestIds: [requestId], queuedAt: Date.now() }, CONVERGE_JOB_OPTIONS);
  return job.id!;
}

async function reports(): Promise<ConvergeReport[]> {
  const entries = await admin.xrange(redisKeys.hostReports('h1'), '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('report') + 1]) as ConvergeReport);
}

/** Whether an agent log line is about a job carrying this request. */
function servedRequest(line: Record<string, unknown>, requestId: string): boolean {
  return Array.isArray(line.requestIds) && line.requestIds.includes(requestId);
}

/** The report that settles a request: applied, or a final failure. */
async function settledReport(requestId: string, timeoutMs = 30_000): Promise<ConvergeReport> {
  return eventually(`a final report for ${requestId}`, async () => (await reports()).find((r) => r.requestIds.includes(requestId) && (r.kind === 'applied' || r.final)), timeoutMs);
}

// ---- the host, seen with tools independent of the agent ---------------------------------------

const vsctl = async (args: readonly string[]): Promise<string> => (await run('ovs-vsctl', [`--db=${host.ovsdbUnix}`, '--timeout=10', ...args])).stdout.trim();

async function hostLinks(): Promise<string[]> {
  const { stdout } = await run('ip', ['-n', host.netns, '-json', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((link) => link.ifname);
}

async function ovsPorts(): Promise<string[]> {
  return (await vsctl(['list-ports', 'br-int'])).split('\n').filter(Boolean);
}

/** Addresses on eth0 inside a container, or null when it has no eth0. */
async function containerAddresses(container: NetnsContainer): Promise<string[] | null> {
  const { stdout } = await run('ip', ['-n', container.netns, '-json', 'address', 'show']);
  const eth0 = (JSON.parse(stdout) as { ifname: string; address: string; addr_info: { family: string; local: string; prefixlen: number }[] }[]).find((l) => l.ifname === 'eth0');
  return eth0 === undefined ? null : eth0.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

/** Host ends and OVS ports of ours (libs/plumbing's prefix). */
const ours = (names: string[]): string[] => names.filter((name) => name.startsWith('ovfc')).sort();


async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined && found !== null && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}\n--- agent log ---\n${agent?.transcript() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function container(name: string): Promise<NetnsContainer> {
  const made = await lab!.createNamespace(name);
  containers.set(name, made);
  return made;
}

function startAgent(): AgentProcess {
  agent = AgentProcess.start({
    OVS_FLEET_HOST_ID: 'h1',
    OVS_FLEET_OVSDB: host.ovsdbUnix,
    OVS_FLEET_REDIS_URL: `redis://agent-h1:${password}@127.0.0.1:${redis!.port}`,
    OVS_FLEET_HOST_NETNS: host.netns,
    OVS_FLEET_AGENT_HTTP_PORT: String(httpPort),
    OVS_FLEET_LINK_POLL_MS: '250',
    OVS_FLEET_DRIFT_DEBOUNCE_MS: '200',
    OVS_FLEET_JOB_LOCK_MS: '3000',
    OVS_FLEET_JOB_STALLED_INTERVAL_MS: '1000',
  });
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  redis = await RedisTestServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await admin.call('ACL', 'SETUSER', 'agent-h1', ...agentAclRules('h1', password));
  queue = new Queue<ConvergeJob>(hostQueueName('h1'), { connection: { url: redis.url, maxRetriesPerRequest: null } });
  lab = await Lab.up({ name: `ag${randomBytes(3).toString('hex')}`, hosts: 1, autoRanges: true, redis: false });
  host = lab.hosts[0];
  // As ovs-ctl does when it starts the daemons (the lab starts them directly).
  ovsVersion = /(\d+\.\d+\.\d+)/.exec(execFileSync('ovs-vswitchd', ['--version']).toString())![1];
  await vsctl(['set', 'Open_vSwitch', '.', `ovs_version=${ovsVersion}`]);
  httpPort = await freePort();
});

afterAll(async () => {
  for (const started of agents) await started.stop(5000).catch(() => undefined);
  await queue?.close().catch(() => undefined);
  await admin?.quit().catch(() => admin.disconnect());
  await lab?.down();
  await redis?.dispose();
});

describe('the host agent on a lab host', () => {
  it('starts with no desired state, heartbeats, and answers /health', async () => {
    startAgent();
    await agent.waitForLog((line) => line.msg === 'no desired state for this host yet');
    await agent.waitForLog((line) => line.msg === 'agent started');
    const status = await eventually('a heartbeat', async () => {
      const fields = await admin.hgetall(redisKeys.hostStatus('h1'));
      return fields.ovsdbConnected === 'true' ? fields : undefined;
    }, 10_000);
    expect(status).toMatchObject({ ovsVersion, ovsdbConnected: 'true', agentStartedAt: expect.stringMatching(/^\d+$/) });
    expect(Date.now() - Number(status.heartbeatAt)).toBeLessThan(10_000);
    const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true, hostId: 'h1', ovsdbConnected: true, redis: 'ready', worker: true });
  });

  it('a converge job: the bridge, the tunnel and the veth with its address exist; report, status and announcement are written', async () => {
    const c1 = await container('c1');
    const announced: string[] = [];
    const subscriber = admin.duplicate();
    try {
      subscriber.on('message', (_channel: string, message: string) => announced.push(message));
      await subscriber.subscribe(redisKeys.hostEvents('h1'));
      const queuedAt = Date.now();
      await queueConverge(desired(1, [attachmentOf('a1', c1, 5)]), 'req-1');
      const report = await settledReport('req-1');
      expect(report).toMatchObject({ kind: 'applied', revision: 1, requestIds: ['req-1'], repaired: 0 });
      if (report.kind !== 'applied') throw new Error('not applied');
      const { pickedUpAt, committedAt, vswitchdAppliedAt, linkUpAt } = report.receipts;
      expect(pickedUpAt).toBeGreaterThanOrEqual(queuedAt);
      expect(committedAt).toBeGreaterThanOrEqual(pickedUpAt);
      expect(vswitchdAppliedAt).toBeGreaterThanOrEqual(committedAt!);
      expect(linkUpAt).toBeGreaterThanOrEqual(vswitchdAppliedAt!);
      expect(report.at).toBeGreaterThanOrEqual(linkUpAt!);
      expect(report.changes).toBe(3); // bridge, tunnel, attachment

      expect(await vsctl(['get', 'Bridge', 'br-int', 'datapath_type'])).toBe('netdev');
      expect(await vsctl(['get', 'Port', TUNNEL, 'protected'])).toBe('true');
      expect(await vsctl(['get', 'Port', TUNNEL, 'tag'])).toBe('1');
      expect(await vsctl(['get', 'Interface', TUNNEL, 'type'])).toBe('vxlan');
      expect(await vsctl(['get', 'Interface', TUNNEL, 'options:key'])).toBe('"100"');
      expect(await vsctl(['get', 'Interface', TUNNEL, 'options:remote_ip'])).toBe(`"${REMOTE_TUNNEL_IP}"`);
      const veth = hostIfname('a1', 'eth0');
      expect(await hostLinks()).toContain(veth);
      expect(await vsctl(['get', 'Port', veth, 'tag'])).toBe('1');
      expect(await containerAddresses(c1)).toEqual(['198.18.200.5/24']);

      expect(await admin.hgetall(redisKeys.hostStatus('h1'))).toMatchObject({ appliedRevision: '1', ovsdbConnected: 'true', ovsVersion });
      await eventually('the announcement', async () => announced.includes('h1'), 5000);
      expect(await metric('ovsfleet_agent_jobs_total', '{outcome="applied"}')).toBe(1);
      expect(await metric('ovsfleet_agent_ovsdb_connected')).toBe(1);
      expect(await metric('ovsfleet_agent_applied_revision')).toBe(1);
      const logged = agent.lines.find((line) => line.msg === 'job applied');
      expect(logged).toMatchObject({ requestIds: ['req-1'], revision: 1 });
    } finally {
      await subscriber.quit();
    }
  });

  it('drift: a tunnel port deleted by hand is back within 5 s, counted and logged', async () => {
    const before = await metric('ovsfleet_agent_drift_repairs_total', '{resource="tunnel"}');
    await vsctl(['del-port', TUNNEL]);
    const deletedAt = Date.now();
    await eventually('the tunnel back', async () => (await ovsPorts()).includes(TUNNEL), 5000);
    expect(Date.now() - deletedAt).toBeLessThan(5000);
    expect(await vsctl(['get', 'Port', TUNNEL, 'protected'])).toBe('true');
    expect(await vsctl(['get', 'Interface', TUNNEL, 'options:key'])).toBe('"100"');
    expect(await metric('ovsfleet_agent_drift_repairs_total', '{resource="tunnel"}')).toBe(before + 1);
    expect(agent.lines.find((line) => line.msg === 'repaired drift' && line.name === TUNNEL)).toMatchObject({ trigger: 'drift', resource: 'tunnel' });
  });

  it("drift: a container's eth0 deleted by hand is back with its address within 5 s", async () => {
    const c1 = containers.get('c1')!;
    const veth = hostIfname('a1', 'eth0');
    await run('ip', ['-n', c1.netns, 'link', 'del', 'eth0']);
    const deletedAt = Date.now();
    expect(await hostLinks()).not.toContain(veth);
    await eventually('eth0 back with its address', async () => JSON.stringify(await containerAddresses(c1)) === '["198.18.200.5/24"]', 5000);
    expect(Date.now() - deletedAt).toBeLessThan(5000);
    expect(await hostLinks()).toContain(veth);
    expect(await ovsPorts()).toContain(veth);
    expect(await metric('ovsfleet_agent_drift_repairs_total', '{resource="attachment"}')).toBeGreaterThanOrEqual(1);
  });

  it('drift: a tag changed by hand is put back within 5 s', async () => {
    const veth = hostIfname('a1', 'eth0');
    await vsctl(['set', 'Port', veth, 'tag=99']);
    await eventually('the tag back', async () => (await vsctl(['get', 'Port', veth, 'tag'])) === '1', 5000);
  });

  it('removal: a document without the attachment removes its veth, its port and its eth0; the tunnel stays', async () => {
    const c1 = containers.get('c1')!;
    const veth = hostIfname('a1', 'eth0');
    await queueConverge(desired(2, []), 'req-2');
    expect(await settledReport('req-2')).toMatchObject({ kind: 'applied', revision: 2, changes: 1 });
    expect(await hostLinks()).not.toContain(veth);
    expect(await ovsPorts()).toEqual([TUNNEL]);
    expect(await containerAddresses(c1)).toBeNull();
    expect(await admin.hget(redisKeys.hostStatus('h1'), 'appliedRevision')).toBe('2');
  });

  it("a dry run's plan question: the agent answers with the exact OVSDB operations and steps, and applies nothing", async () => {
    const proposed = desired(3, []);
    proposed.tunnels[0].tag = 2;
    const data: PlanJob = { hostId: 'h1', document: proposed, requestId: 'req-plan' };
    const job = await (queue as unknown as Queue<PlanJob>).add(PLAN_JOB, data, { attempts: 1 });
    await eventually('the plan answered', async () => (await queue.getJob(job.id!))?.finishedOn !== undefined, 10_000);
    const answered = await queue.getJob(job.id!);
    expect(answered!.failedReason).toBeFalsy();
    const plan = answered!.returnvalue as AgentPlan;
    expect(plan).toMatchObject({ hostId: 'h1', revision: 3, empty: false, conflicts: [] });
    expect(plan.steps.join('\n')).toContain(TUNNEL);
    expect(JSON.stringify(plan.ovsdbOperations)).toMatch(/"op":"update","table":"Port"/);
    expect(JSON.stringify(plan.ovsdbOperations)).toContain('"tag":2');
    // Nothing was applied: the tag is still the applied document's, and no report was written for it.
    expect(await vsctl(['get', 'Port', TUNNEL, 'tag'])).toBe('1');
    expect(await admin.hget(redisKeys.hostStatus('h1'), 'appliedRevision')).toBe('2');
    expect((await reports()).some((r) => r.revision === 3)).toBe(false);
  });

  it('a document it cannot plan: reported failed and final naming the field, no retry, nothing changed', async () => {
    const bad = desired(3, []);
    bad.networks[0].tag = 4095; // the tunnel resolved from the mesh takes its network's tag
    const id = await queueConverge(bad, 'req-3');
    expect(await settledReport('req-3')).toMatchObject({
      kind: 'failed',
      revision: 3,
      final: true,
      attempt: 1,
      error: { code: 'DESIRED_STATE_INVALID', retryable: false, message: expect.stringContaining('tunnels[0].tag') },
    });
    await eventually('the job failed', async () => (await queue.getJob(id))?.finishedOn !== undefined, 5000);
    expect((await queue.getJob(id))!.attemptsMade).toBe(1);
    expect(await vsctl(['get', 'Port', TUNNEL, 'tag'])).toBe('1');
    expect(await admin.hget(redisKeys.hostStatus('h1'), 'appliedRevision')).toBe('2');
  });

  it('SIGTERM: the job in hand is finished (reported applied) before the agent exits', async () => {
    const many = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => container(`m${i}`)));
    await queueConverge(desired(4, many.map((c, i) => attachmentOf(`m${i + 1}`, c, 20 + i))), 'req-4');
    await agent.waitForLog((line) => line.msg === 'job picked up' && servedRequest(line, 'req-4'));
    agent.kill('SIGTERM');
    const exit = await agent.exited;
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect((await reports()).find((r) => r.requestIds.includes('req-4'))).toMatchObject({ kind: 'applied', revision: 4 });
    // The job was still in hand when the agent began to stop.
    const stopping = agent.lines.findIndex((line) => line.msg === 'agent stopping');
    const applied = agent.lines.findIndex((line) => line.msg === 'job applied' && servedRequest(line, 'req-4'));
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(applied).toBeGreaterThan(stopping);
    const links = await hostLinks();
    for (let i = 1; i <= 6; i++) expect(links).toContain(hostIfname(`m${i}`, 'eth0'));
    for (const [i, c] of many.entries()) expect(await containerAddresses(c)).toEqual([`198.18.200.${20 + i}/24`]);
  });

  it('kill -9 in the middle of a job: after a restart the job is retried (stalled) and the host converges with nothing left over', async () => {
    startAgent();
    await agent.waitForLog((line) => line.msg === 'agent started');
    const ks = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => container(`k${i}`)));
    const wanted = ks.map((c, i) => attachmentOf(`k${i + 1}`, c, 40 + i));
    kAttachments = wanted;
    const expectedVeths = wanted.map((a) => hostIfname(a.id, 'eth0')).sort();
    const id = await queueConverge(desired(5, wanted), 'req-5');
    // Killed once the first new veth is there: the job is half done.
    await eventually('a first veth of the job', async () => (await hostLinks()).some((name) => expectedVeths.includes(name)), 20_000);
    agent.kill('SIGKILL');
    await agent.exited;
    expect((await reports()).find((r) => r.requestIds.includes('req-5'))).toBeUndefined();
    expect(await (await queue.getJob(id))!.getState()).toBe('active');

    startAgent();
    const report = await settledReport('req-5', 60_000);
    expect(report).toMatchObject({ kind: 'applied', revision: 5 });
    await eventually('the job completed', async () => (await (await queue.getJob(id))!.getState()) === 'completed', 10_000);
    expect(agent.lines.some((line) => line.msg === 'job picked up' && servedRequest(line, 'req-5'))).toBe(true);

    expect(ours(await hostLinks())).toEqual(expectedVeths);
    expect(ours(await ovsPorts())).toEqual(expectedVeths);
    for (const [i, c] of ks.entries()) expect(await containerAddresses(c)).toEqual([`198.18.200.${40 + i}/24`]);
    for (let i = 1; i <= 6; i++) expect(await containerAddresses(containers.get(`m${i}`)!)).toBeNull();
    expect(await admin.hget(redisKeys.hostStatus('h1'), 'appliedRevision')).toBe('5');
  });

  it('ovsdb-server killed and started again: the status says so, and a job queued meanwhile is applied once it is back', async () => {
    const pid = Number(readFileSync(join(host.runDir, 'ovsdb.pid'), 'utf8').trim());
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    process.kill(pid, 'SIGKILL');
    await eventually('ovsdb-server dead', async () => !isAlive(pid), 5000);
    await eventually('the status saying OVSDB is disconnected', async () => (await admin.hget(redisKeys.hostStatus('h1'), 'ovsdbConnected')) === 'false', 10_000);
    expect(await metric('ovsfleet_agent_ovsdb_connected')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBe(503);

    const kept = kAttachments.slice(0, 7);
    await queueConverge(desired(6, kept), 'req-6');
    await agent.waitForLog((line) => line.msg === 'job picked up' && servedRequest(line, 'req-6'));
    await run('ip', ['netns', 'exec', host.netns, ...argv]);

    expect(await settledReport('req-6', 60_000)).toMatchObject({ kind: 'applied', revision: 6 });
    const expectedVeths = kept.map((a) => hostIfname(a.id, 'eth0')).sort();
    expect(ours(await hostLinks())).toEqual(expectedVeths);
    expect(ours(await ovsPorts())).toEqual(expectedVeths);
    await eventually('the status saying OVSDB is connected', async () => (await admin.hget(redisKeys.hostStatus('h1'), 'ovsdbConnected')) === 'true', 10_000);
    expect(await metric('ovsfleet_agent_ovsdb_connected')).toBe(1);
  });
});
