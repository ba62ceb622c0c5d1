/**
 * `npm run bench:controller`: the controller as its own process on a real Redis, with
 * in-process fake agents (real BullMQ workers on each host's queue) that acknowledge each job
 * at once. Measures, in one run:
 *   - attachments: 1,000 concurrent POST /v1/attachments to two hosts, after a warm-up of
 *     1,000 (100 at a time, to two other hosts), requests/s over the whole burst and p50/p99
 *     latency per request;
 *   - fan-out: a network change (a VXLAN network spanning every host: a full mesh) until its
 *     operation is `applied`, on 100 and on 1,000 hosts; three rounds, the best is the figure,
 *     with the CPU time Redis, the controller and the fake agents spent in it.
 * Targets (issue 10): >= 500 attachments/s with p99 < 1 s; 1,000-host fan-out applied < 2 s.
 * The last line is JSON. BENCH_ATTACHMENTS, BENCH_WARMUP and BENCH_FANOUT_HOSTS (comma list)
 * change the sizes. The attachment line also gives, per request over the burst, the CPU time
 * of the controller process (from /proc), of this load client and of Redis, and the commands
 * Redis ran (INFO commandstats), and how the machine's CPU time went during the burst (busy,
 * and of it other processes than ours; idle; stolen by the hypervisor: /proc/stat); then the controller's CPU per request for the same burst
 * refused at validation (the share of the HTTP stack and of what runs before deciding); then
 * the floor: the same warm-up and burst against a bare NestJS app on the same HTTP adapter,
 * validation pipe and DTO (test/bench/peers/bare-nest-app.ts), its rate, p99 and CPU.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ControllerProcess } from '../support/controller-process';
import { FakeAgent } from '../support/fake-agent';
import { RedisTestServer } from '../support/redis-server';
import { BurstClient } from './controller/burst-client';

const ATTACHMENTS = Number(process.env.BENCH_ATTACHMENTS ?? 1000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
// BENCH_FANOUT_HOSTS= (empty) runs the attachments alone.
const FANOUT_HOSTS = (process.env.BENCH_FANOUT_HOSTS ?? '100,1000').split(',').filter(Boolean).map(Number);
const TOKEN = 'bench-admin-token-0123456789';

interface Answer {
  status: number;
  ms: number;
  body: { operation?: { id: string } | null; error?: { message: string } };
}

async function call(controller: ControllerProcess, method: string, path: string, body?: object): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${controller.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const parsed = (await response.json()) as Answer['body'];
  return { status: response.status, ms: performance.now() - started, body: parsed };
}

async function must(controller: ControllerProcess, method: string, path: string, body?: object): Promise<Answer> {
  const answer = await call(controller, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function inParallel<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await work(i);
    }
  }));
  return out;
}

async function waitApplied(controller: ControllerProcess, operationId: string): Promise<string> {
  for (;;) {
    const answer = await must(controller, 'GET', `/v1/operations/${operationId}?wait=60`);
    const state = (answer.body as { state?: string }).state ?? 'unknown';
    if (state !== 'pending') return state;
  }
}

/** User + system CPU time of a process, in ms (Linux /proc; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime: fields 14 and 15 of stat
}

/**
 * Handshakes the kernel dropped because a listen queue was full (TcpExt ListenOverflows, the
 * whole machine): each such client waits a second before it tries again.
 */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:'));
  const [names, values] = lines.map((line) => line.split(/\s+/).slice(1));
  return Number(values[names.indexOf('ListenOverflows')]);
}

/** The machine's CPU time (every core) by state, in ms (/proc/stat; clock ticks of 10 ms). */
function machineCpuMs(): { busy: number; idle: number; steal: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) * 10, idle: (idle + iowait) * 10, steal: steal * 10 };
}

/**
 * Shares of the machine's CPU time between two machineCpuMs() readings, in %: busy, idle, stolen
 * by the hypervisor for other VMs, and, of busy, what processes other than ours (`oursMs`) ran.
 */
function machineShares(before: ReturnType<typeof machineCpuMs>, after: ReturnType<typeof machineCpuMs>, oursMs: number): MachineShares {
  const busy = after.busy - before.busy;
  const idle = after.idle - before.idle;
  const steal = after.steal - before.steal;
  const total = busy + idle + steal || 1;
  return { busy: (100 * busy) / total, idle: (100 * idle) / total, steal: (100 * steal) / total, others: (100 * Math.max(0, busy - oursMs)) / total };
}

interface MachineShares {
  busy: number;
  idle: number;
  steal: number;
  /** Processes other than the controller, this one (load client, fake agents) and Redis. */
  others: number;
}

/** Resident memory of a process, in MiB (Linux /proc). */
function processRssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kib / 1024;
}

const clientCpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

interface AttachResult {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  controllerCpuMsPerRequest: number;
  clientCpuMsPerRequest: number;
  redisCpuMsPerRequest: number;
  /** Commands Redis ran per request (INFO commandstats), scripts' own redis.call()s included. */
  redisCommandsPerRequest: number;
  /** Handshakes dropped by a full listen queue during the burst (see listenOverflows). */
  listenOverflows: number;
  /** Controller CPU per request of the same burst refused at validation (400). */
  refusedControllerCpuMsPerRequest: number;
  /** The machine during the burst: % of its CPU time busy (others: not ours), idle and stolen by the hypervisor. */
  machine: MachineShares;
}

async function attachBenchmark(): Promise<AttachResult> {
  const redis = await RedisTestServer.start();
  const admin = new Redis(redis.url);
  const controller = await ControllerProcess.start({ redisUrl: redis.url, tokens: `bench:admin:${TOKEN}`, env: { OVS_FLEET_RATE_LIMIT_PER_MIN: '10000000' } });
  const agents: FakeAgent[] = [];
  const client = new BurstClient(controller.port, { Authorization: `Bearer ${TOKEN}` });
  try {
    // The burst goes to h1 and h2; the warm-up (JIT) to w1 and w2, so the burst starts on empty hosts.
    for (const [i, id] of ['h1', 'h2', 'w1', 'w2'].entries()) {
      await must(controller, 'PUT', `/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}` });
      agents.push(await FakeAgent.start({ redisUrl: redis.url, hostId: id }));
    }
    await must(controller, 'POST', '/v1/networks', { name: 'bench', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/20' }] }); // 4,094 addresses: warm-up and burst
    const attach = (i: number, hosts: [string, string]) => client.post('/v1/attachments', { network: 'bench', host: hosts[i % 2], container: { netns: `${hosts[0]}-c${i}` } });
    await inParallel(WARMUP, 100, (i) => attach(i, ['w1', 'w2']));
    const controllerCpuBefore = processCpuMs(controller.pid as number);
    const clientCpuBefore = clientCpuMs();
    const redisBefore = { cpu: await redisCpuMs(admin), commands: await redisCommands(admin) };
    const overflowsBefore = listenOverflows();
    const machineBefore = machineCpuMs();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: ATTACHMENTS }, (_, i) => attach(i, ['h1', 'h2'])));
    const seconds = (performance.now() - started) / 1000;
    const machineAfter = machineCpuMs();
    const overflows = listenOverflows() - overflowsBefore;
    const controllerCpuMsPerRequest = (processCpuMs(controller.pid as number) - controllerCpuBefore) / ATTACHMENTS;
    const clientCpuMsPerRequest = (clientCpuMs() - clientCpuBefore) / ATTACHMENTS;
    const redisCpuMsPerRequest = ((await redisCpuMs(admin)) - redisBefore.cpu) / ATTACHMENTS;
    const machine = machineShares(machineBefore, machineAfter, (controllerCpuMsPerRequest + clientCpuMsPerRequest + redisCpuMsPerRequest) * ATTACHMENTS);
    const redisCommandsPerRequest = ((await redisCommands(admin)) - redisBefore.commands - 2) / ATTACHMENTS; // less this function's own INFO calls
    const errors = answers.filter((a) => a.status !== 202);
    if (errors.length) console.log(`  ${errors.length} errors, first: ${errors[0].status} ${JSON.stringify(errors[0].body)}`);
    const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
    // The same burst refused at validation (an unknown field: 400): what the HTTP stack, auth,
    // the rate limit, logging and metrics cost on their own, without deciding or storing.
    const refusedCpuBefore = processCpuMs(controller.pid as number);
    const refused = await Promise.all(Array.from({ length: ATTACHMENTS }, (_, i) => client.post('/v1/attachments', { network: 'bench', host: 'h1', container: { netns: `r${i}` }, unknown: true })));
    const refusedControllerCpuMsPerRequest = (processCpuMs(controller.pid as number) - refusedCpuBefore) / ATTACHMENTS;
    if (refused.some((a) => a.status !== 400)) throw new Error(`a request with an unknown field was not refused with 400: ${JSON.stringify(refused.find((a) => a.status !== 400))}`);
    return {
      perSecond: ATTACHMENTS / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors: errors.length,
      controllerCpuMsPerRequest,
      clientCpuMsPerRequest,
      redisCpuMsPerRequest,
      redisCommandsPerRequest,
      listenOverflows: overflows,
      refusedControllerCpuMsPerRequest,
      machine,
    };
  } finally {
    client.close();
    await admin.quit();
    for (const agent of agents) await agent.close();
    await controller.stop();
    await redis.dispose();
  }
}

interface FloorResult {
  perSecond: number;
  p99: number;
  cpuMsPerRequest: number;
  listenOverflows: number;
}

/**
 * The same warm-up and burst against a bare NestJS app on the controller's HTTP adapter,
 * validation pipe and DTO, answering 202 at once (test/bench/peers/bare-nest-app.ts): the
 * stack's own cost per request on this machine, which the controller's cannot go under.
 */
async function floorBenchmark(): Promise<FloorResult> {
  const app = await ControllerProcess.start({ redisUrl: '', tokens: '', entry: 'test/bench/peers/bare-nest-app.ts' });
  const client = new BurstClient(app.port, {});
  try {
    const attach = (i: number, hosts: [string, string]) => client.post('/v1/attachments', { network: 'bench', host: hosts[i % 2], container: { netns: `${hosts[0]}-c${i}` } });
    await inParallel(WARMUP, 100, (i) => attach(i, ['w1', 'w2']));
    const cpuBefore = processCpuMs(app.pid as number);
    const overflowsBefore = listenOverflows();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: ATTACHMENTS }, (_, i) => attach(i, ['h1', 'h2'])));
    const seconds = (performance.now() - started) / 1000;
    const refused = answers.find((a) => a.status !== 202);
    if (refused) throw new Error(`the bare app refused a request: ${refused.status} ${JSON.stringify(refused.body)}`);
    return {
      perSecond: ATTACHMENTS / seconds,
      p99: percentile(answers.map((a) => a.ms).sort((a, b) => a - b), 99),
      cpuMsPerRequest: (processCpuMs(app.pid as number) - cpuBefore) / ATTACHMENTS,
      listenOverflows: listenOverflows() - overflowsBefore,
    };
  } finally {
    client.close();
    await app.stop();
  }
}

/** Network changes timed per fan-out size; the best is the figure, every round is printed. */
const FANOUT_ROUNDS = 3;

interface FanoutRound {
  seconds: number;
  requestMs: number;
  /** CPU time during the round: Redis (INFO cpu), the controller process (/proc), this process (the fake agents). */
  cpuMs: { redis: number; controller: number; agents: number };
}

interface FanoutResult {
  rounds: FanoutRound[];
  best: FanoutRound;
  agentsReadyS: number;
  /** The controller process's resident memory once started, and after the last round (it keeps what its last commit read: CommittedReads). */
  controllerRssMiB: { started: number; end: number };
}

async function redisCpuMs(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

async function redisCommands(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/**
 * FANOUT_ROUNDS network changes over `hosts` hosts, one after another: each creates a VXLAN
 * network spanning every host (every host's document changes and its mesh gains a network),
 * timed from the request until the operation is `applied` on every host. Tunnel addresses from
 * 2001:db8::/32 (no traffic flows: the agents are fake).
 */
async function fanoutBenchmark(hosts: number): Promise<FanoutResult> {
  const redis = await RedisTestServer.start();
  const admin = new Redis(redis.url);
  const controller = await ControllerProcess.start({ redisUrl: redis.url, tokens: `bench:admin:${TOKEN}`, env: { OVS_FLEET_RATE_LIMIT_PER_MIN: '10000000', OVS_FLEET_OPERATION_TIMEOUT_S: '120' } });
  const agents: FakeAgent[] = [];
  try {
    const startedRssMiB = processRssMiB(controller.pid as number);
    const ids = Array.from({ length: hosts }, (_, i) => `f${i}`);
    await inParallel(hosts, 64, (i) => must(controller, 'PUT', `/v1/hosts/${ids[i]}`, { tunnelIp: `2001:db8::${(i + 1).toString(16)}` }));
    const agentsStarted = performance.now();
    agents.push(...(await inParallel(hosts, 32, (i) => FakeAgent.start({ redisUrl: redis.url, hostId: ids[i] }))));
    const agentsReadyS = (performance.now() - agentsStarted) / 1000;
    const rounds: FanoutRound[] = [];
    for (let round = 0; round < FANOUT_ROUNDS; round++) {
      // Let the agents drain the previous jobs first (registrations, the last round): only the network change is timed.
      // Longer than a worker's 5 s block: the fake agents, all woken by one change, block again together and
      // would all time out together inside the next round (a fleet's agents are not in step like that).
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const before = { redis: await redisCpuMs(admin), controller: processCpuMs(controller.pid as number), agents: clientCpuMs() };
      const started = performance.now();
      const created = await must(controller, 'POST', '/v1/networks', { name: `mesh-${round}`, type: 'vxlan', subnets: [{ cidr: `198.18.${16 * (round + 1)}.0/20` }] });
      const requestMs = performance.now() - started;
      const state = await waitApplied(controller, (created.body.operation as { id: string }).id);
      const seconds = (performance.now() - started) / 1000;
      if (state !== 'applied') throw new Error(`fan-out to ${hosts} hosts ended ${state}`);
      const cpuMs = {
        redis: (await redisCpuMs(admin)) - before.redis,
        controller: processCpuMs(controller.pid as number) - before.controller,
        agents: clientCpuMs() - before.agents,
      };
      rounds.push({ seconds, requestMs, cpuMs });
    }
    const best = rounds.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    return { rounds, best, agentsReadyS, controllerRssMiB: { started: startedRssMiB, end: processRssMiB(controller.pid as number) } };
  } finally {
    await inParallel(agents.length, 64, (i) => agents[i].close());
    await admin.quit();
    await controller.stop();
    await redis.dispose();
  }
}

async function main(): Promise<void> {
  console.log(`controller benchmark: ${ATTACHMENTS} concurrent attachments; fan-out to ${FANOUT_HOSTS.join(' and ')} hosts`);
  const attach: AttachResult = ATTACHMENTS > 0 ? await attachBenchmark() : { perSecond: 0, p50: 0, p99: 0, errors: 0, controllerCpuMsPerRequest: 0, clientCpuMsPerRequest: 0, redisCpuMsPerRequest: 0, redisCommandsPerRequest: 0, listenOverflows: 0, refusedControllerCpuMsPerRequest: 0, machine: { busy: 0, idle: 0, steal: 0, others: 0 } };
  console.log(
    `attachments: ${ATTACHMENTS} concurrent POST /v1/attachments: ${attach.perSecond.toFixed(0)}/s, p50 ${attach.p50.toFixed(0)} ms, p99 ${attach.p99.toFixed(0)} ms, errors ${attach.errors}` +
      ` (CPU per request: controller ${attach.controllerCpuMsPerRequest.toFixed(2)} ms, load client ${attach.clientCpuMsPerRequest.toFixed(2)} ms, Redis ${attach.redisCpuMsPerRequest.toFixed(2)} ms for ${attach.redisCommandsPerRequest.toFixed(1)} commands; handshakes dropped by a full listen queue: ${attach.listenOverflows})`,
  );
  console.log(
    `  the machine's CPU time during the burst (2 cores): ${attach.machine.busy.toFixed(0)}% busy (of it ${attach.machine.others.toFixed(0)}% other processes than the controller, this one and Redis), ` +
      `${attach.machine.idle.toFixed(0)}% idle, ${attach.machine.steal.toFixed(0)}% taken by the hypervisor for other VMs (steal)`,
  );
  console.log(`  the same burst refused at validation (400): controller CPU ${attach.refusedControllerCpuMsPerRequest.toFixed(2)} ms per request`);
  const floor = ATTACHMENTS > 0 ? await floorBenchmark() : { perSecond: 0, p99: 0, cpuMsPerRequest: 0, listenOverflows: 0 };
  console.log(
    `  floor: the same warm-up and burst against a bare NestJS app (same HTTP adapter, validation pipe and DTO; no auth, Redis or deciding; answers 202 at once): ` +
      `${floor.perSecond.toFixed(0)}/s, p99 ${floor.p99.toFixed(0)} ms, its CPU ${floor.cpuMsPerRequest.toFixed(2)} ms per request, handshakes dropped ${floor.listenOverflows}`,
  );
  const fanout: Record<number, number> = {};
  for (const hosts of FANOUT_HOSTS) {
    const { rounds, best, agentsReadyS, controllerRssMiB } = await fanoutBenchmark(hosts);
    fanout[hosts] = Number(best.seconds.toFixed(3));
    const s = (ms: number) => (ms / 1000).toFixed(2);
    console.log(
      `fan-out: a VXLAN network over ${hosts} hosts (full mesh: ${hosts * (hosts - 1)} tunnels) applied on every host in ${best.seconds.toFixed(2)} s, best of ${rounds.length} ` +
        `(rounds: ${rounds.map((r) => r.seconds.toFixed(2)).join(', ')}; request answered in ${best.requestMs.toFixed(0)} ms; ${hosts} agents started in ${agentsReadyS.toFixed(1)} s)`,
    );
    console.log(`  CPU in that round: Redis ${s(best.cpuMs.redis)} s, controller ${s(best.cpuMs.controller)} s, the ${hosts} fake agents (this process) ${s(best.cpuMs.agents)} s; controller RSS ${controllerRssMiB.started.toFixed(0)} MiB once started, ${controllerRssMiB.end.toFixed(0)} MiB after the rounds`);
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`  attachments/s >= 500 and p99 < 1000 ms: ${verdict(attach.perSecond >= 500 && attach.p99 < 1000)}`);
  if (fanout[1000] !== undefined) console.log(`  1,000-host fan-out < 2 s: ${verdict(fanout[1000] < 2)}`);
  console.log(
    JSON.stringify({
      attach_requests_per_s: Math.round(attach.perSecond),
      attach_request_p50_ms: Math.round(attach.p50),
      attach_request_p99_ms: Math.round(attach.p99),
      attach_errors: attach.errors,
      attach_controller_cpu_ms_per_request: Number(attach.controllerCpuMsPerRequest.toFixed(2)),
      attach_client_cpu_ms_per_request: Number(attach.clientCpuMsPerRequest.toFixed(2)),
      attach_redis_cpu_ms_per_request: Number(attach.redisCpuMsPerRequest.toFixed(2)),
      refused_controller_cpu_ms_per_request: Number(attach.refusedControllerCpuMsPerRequest.toFixed(2)),
      attach_listen_overflows: attach.listenOverflows,
      attach_machine_steal_pct: Number(attach.machine.steal.toFixed(1)),
      attach_machine_others_pct: Number(attach.machine.others.toFixed(1)),
      attach_machine_idle_pct: Number(attach.machine.idle.toFixed(1)),
      floor_requests_per_s: Math.round(floor.perSecond),
      floor_request_p99_ms: Math.round(floor.p99),
      floor_cpu_ms_per_request: Number(floor.cpuMsPerRequest.toFixed(2)),
      fanout_100_hosts_s: fanout[100] ?? null,
      fanout_1000_hosts_s: fanout[1000] ?? null,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
