/**
 * `npm run bench:plumbing`: attach then detach N podman containers (default 100) on one lab
 * host, with this library and with ovs-docker, like for like:
 *   - at the same concurrency on both sides: one at a time (`attach`/`detach` against
 *     `ovs-docker add-port` + `set-vlan` / `del-port`, one process after another), and 8 at a
 *     time (`attachMany` / `detachMany` in groups of 8 against 8 ovs-docker processes at once);
 *   - the same options (address, gateway, MAC, MTU, VLAN tag: `set-vlan` for ovs-docker);
 *   - detach waiting for ovs-vswitchd on both sides (ours waits for `cur_cfg`; `ovs-docker
 *     del-port` runs `ovs-vsctl` without `--no-wait`), so no wait is charged to the next attach;
 *   - the same untimed warm-up before every timed run (BENCH_WARMUP containers attached and
 *     detached the same way), rounds interleaved (ours, theirs, ours, theirs...) so a busy
 *     spell of this shared machine hits both, and the best run of each kept.
 * Prints each contender's best rates (all runs in brackets), both pairings, the ratios
 * against the target (10x ovs-docker at the same concurrency), the floor (one ovs-vswitchd
 * reconfiguration on its own, measured in the same run: no side that waits for cur_cfg goes
 * below it, so it bounds the ratio) and, last, one line of JSON.
 * BENCH_CONTAINERS (100), BENCH_ROUNDS (3), BENCH_WARMUP (8) change the sizes.
 */
import { run } from '@ovs-fleet/iproute';
import { PodmanContainer } from '@ovs-fleet/lab';
import { commands, type CommandTarget } from '@ovs-fleet/ovsdb';
import { AttachRequest, countingRunner, defaultRunner, IdlPortStore, Plumber } from '@ovs-fleet/plumbing';
import { CountedTarget } from '../plumbing/support/counted-target';
import { BRIDGE, PlumbingLab, startPlumbingLab, vsctl } from '../plumbing/support/plumbing-lab';

const N = Number(process.env.BENCH_CONTAINERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 8);
const WIDTH = 8;
const TARGET = 10;

/** Runs `work` over `items`, `width` at a time (a new one starts as soon as one ends). */
async function eachAtOnce<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** Consecutive slices of `size`. */
function groups<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

async function seconds(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const address = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 2}/16`;
const mac = (i: number, kind: number) => `02:00:00:${kind.toString(16).padStart(2, '0')}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const GATEWAY = '198.18.255.254';
const TAG = 10;

async function portCount(env: PlumbingLab): Promise<number> {
  const out = await vsctl(env.host, ['list-ports', BRIDGE]);
  return out === '' ? 0 : out.split('\n').length;
}

async function nextCfg(env: PlumbingLab): Promise<number> {
  return Number(await vsctl(env.host, ['get', 'Open_vSwitch', '.', 'next_cfg']));
}

/** One side at one concurrency: attaches and detaches the containers given (by index). */
interface Contender {
  label: string;
  side: 'ours' | 'ovs-docker';
  concurrency: number;
  attach(indexes: readonly number[]): Promise<void>;
  detach(indexes: readonly number[]): Promise<void>;
  /** Untimed, halfway through the attaches and through the detaches (one at a time only: the split changes nothing there). */
  midway?: () => Promise<void>;
}

/** Veth ends in the host namespace that only the floor measurement puts on the bridge. */
const FLOOR_PORTS = Array.from({ length: WIDTH }, (_, i) => `bflr${i}`);
const FLOOR_SAMPLES = 5;

type FloorKind = 'add1' | 'remove1' | 'add8' | 'remove8' | 'noChange';

/**
 * One ovs-vswitchd reconfiguration on its own: one transaction through the same connection,
 * `next_cfg` bumped and `cur_cfg` waited for (as every waited change of either side), and no
 * `ip` work at all, with the bridge holding the ports it holds at that moment. Adding and
 * removing one port, eight in one transaction, and a change that touches no port.
 */
async function measureFloor(target: CommandTarget, samples: Record<FloorKind, number[]>): Promise<void> {
  const waited = async (kind: FloorKind, build: (batch: ReturnType<typeof commands>) => void) => {
    const batch = commands(target);
    build(batch);
    const start = process.hrtime.bigint();
    await batch.execute({ waitForVswitchd: true, timeoutMs: 10_000 });
    samples[kind].push(Number(process.hrtime.bigint() - start) / 1e6);
  };
  for (let k = 0; k < FLOOR_SAMPLES; k++) {
    await waited('noChange', (b) => b.set('Open_vSwitch', '.', { 'external_ids:bench-floor': String(k) }));
    await waited('add1', (b) => b.addPort(BRIDGE, FLOOR_PORTS[0], { tag: TAG }));
    await waited('remove1', (b) => b.delPort(BRIDGE, FLOOR_PORTS[0]));
  }
  for (let k = 0; k < Math.ceil(FLOOR_SAMPLES / 2); k++) {
    await waited('add8', (b) => FLOOR_PORTS.forEach((name) => b.addPort(BRIDGE, name, { tag: TAG })));
    await waited('remove8', (b) => FLOOR_PORTS.forEach((name) => b.delPort(BRIDGE, name)));
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface RunFigures {
  attachPerS: number;
  detachPerS: number;
  /** ovs-vswitchd reconfigurations requested (next_cfg increments) per container. */
  attachCfgs: number;
  detachCfgs: number;
  /** Processes started and OVSDB transactions per container (ours only). */
  attachSpawns?: number;
  attachTxns?: number;
  detachSpawns?: number;
  detachTxns?: number;
}

interface Counters {
  spawns(): number;
  transactions(): number;
}

/** Warm-up, then the timed attach of all N and the timed detach of all N, each checked on the bridge. */
async function runOnce(env: PlumbingLab, contender: Contender, counters: Counters | undefined): Promise<RunFigures> {
  const all = Array.from({ length: N }, (_, i) => i);
  const warm = all.slice(0, WARMUP);
  await contender.attach(warm);
  await contender.detach(warm);
  if ((await portCount(env)) !== 0) throw new Error(`${contender.label}: warm-up left ports behind`);

  // The midway work is untimed and its next_cfg increments are not the contender's.
  let midwayCfgs = 0;
  const inTwoHalves = async (work: (indexes: readonly number[]) => Promise<void>, order: readonly number[]): Promise<number> => {
    if (!contender.midway) return seconds(() => work(order));
    const half = Math.floor(order.length / 2);
    const first = await seconds(() => work(order.slice(0, half)));
    const before = await nextCfg(env);
    await contender.midway();
    midwayCfgs += (await nextCfg(env)) - before;
    return first + (await seconds(() => work(order.slice(half))));
  };

  const cfg0 = await nextCfg(env);
  const [spawns0, txns0] = [counters?.spawns() ?? 0, counters?.transactions() ?? 0];
  const attachS = await inTwoHalves((indexes) => contender.attach(indexes), all);
  const cfg1 = (await nextCfg(env)) - midwayCfgs;
  const [spawns1, txns1] = [counters?.spawns() ?? 0, counters?.transactions() ?? 0];
  if ((await portCount(env)) !== N) throw new Error(`${contender.label}: attach did not leave ${N} ports`);
  const detachS = await inTwoHalves((indexes) => contender.detach(indexes), all);
  const cfg2 = (await nextCfg(env)) - midwayCfgs;
  const [spawns2, txns2] = [counters?.spawns() ?? 0, counters?.transactions() ?? 0];
  if ((await portCount(env)) !== 0) throw new Error(`${contender.label}: detach left ports behind`);

  const figures: RunFigures = { attachPerS: N / attachS, detachPerS: N / detachS, attachCfgs: (cfg1 - cfg0) / N, detachCfgs: (cfg2 - cfg1) / N };
  if (counters) {
    Object.assign(figures, {
      attachSpawns: (spawns1 - spawns0) / N,
      attachTxns: (txns1 - txns0) / N,
      detachSpawns: (spawns2 - spawns1) / N,
      detachTxns: (txns2 - txns1) / N,
    });
  }
  return figures;
}

const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 1 || N > 1000) throw new Error('BENCH_CONTAINERS must be 1-1000');
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be a positive whole number');
  if (!Number.isInteger(WARMUP) || WARMUP < 0 || WARMUP > N) throw new Error('BENCH_WARMUP must be a whole number from 0 to BENCH_CONTAINERS');
  const env = await startPlumbingLab(true);
  try {
    const podman = await env.lab.podman();
    console.log(`lab ${env.lab.name}: starting ${N} podman containers (--network none)...`);
    const containers: PodmanContainer[] = new Array(N);
    await eachAtOnce(Array.from({ length: N }, (_, i) => i), 4, async (i) => {
      containers[i] = await podman.run(`b${i}`);
    });

    // The lab's one OVSDB connection, its transactions counted.
    const counted = new CountedTarget(env.ovsdb.idl);
    for (const name of FLOOR_PORTS) {
      await run('ip', ['-n', env.host.netns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      await run('ip', ['-n', env.host.netns, 'link', 'set', name, 'up']);
    }
    const floorSamples: Record<FloorKind, number[]>[] = [];
    const floorMidway = async () => {
      const samples: Record<FloorKind, number[]> = { add1: [], remove1: [], add8: [], remove8: [], noChange: [] };
      floorSamples.push(samples);
      await measureFloor(env.ovsdb.idl, samples);
    };

    const runner = countingRunner(defaultRunner);
    const plumber = new Plumber({ store: new IdlPortStore(counted), hostNetns: env.host.netns, dockerSocket: podman.socketPath, runner });
    const counters: Counters = { spawns: () => runner.spawns, transactions: () => counted.transactions };

    const request = (i: number): AttachRequest => ({
      container: { dockerContainer: containers[i].podmanName },
      bridge: BRIDGE,
      ifname: 'eth1',
      addresses: [address(i)],
      gateway: GATEWAY,
      mac: mac(i, 1),
      mtu: 1400,
      tag: TAG,
    });
    const selector = (i: number) => ({ containerId: containers[i].id, ifname: 'eth1' });
    const throwFirstRejection = (outcomes: readonly PromiseSettledResult<unknown>[]) => {
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    };

    const ovsDockerEnv = { ...process.env, OVS_RUNDIR: env.host.runDir, DOCKER_HOST: `unix://${podman.socketPath}` };
    const ovsDocker = (args: string[]) => run('ip', ['netns', 'exec', env.host.netns, 'ovs-docker', ...args], { env: ovsDockerEnv });
    // ovs-docker sets a VLAN only with a second command; ours does it in the same attach.
    const ovsDockerAttach = async (i: number) => {
      const name = containers[i].podmanName;
      await ovsDocker(['add-port', BRIDGE, 'eth1', name, `--ipaddress=${address(i)}`, `--gateway=${GATEWAY}`, `--macaddress=${mac(i, 2)}`, '--mtu=1400']);
      await ovsDocker(['set-vlan', BRIDGE, 'eth1', name, String(TAG)]);
    };
    const ovsDockerDetach = (i: number) => ovsDocker(['del-port', BRIDGE, 'eth1', containers[i].podmanName]);

    const contenders: Contender[] = [
      {
        label: 'ovs-fleet plumbing, one at a time (attach/detach)',
        side: 'ours',
        concurrency: 1,
        attach: async (indexes) => {
          for (const i of indexes) await plumber.attach(request(i));
        },
        detach: async (indexes) => {
          for (const i of indexes) await plumber.detach(selector(i));
        },
        midway: floorMidway,
      },
      {
        label: 'ovs-docker, one at a time',
        side: 'ovs-docker',
        concurrency: 1,
        attach: (indexes) => eachAtOnce(indexes, 1, ovsDockerAttach),
        detach: (indexes) => eachAtOnce(indexes, 1, ovsDockerDetach),
      },
      {
        label: `ovs-fleet plumbing, ${WIDTH} at a time (attachMany/detachMany)`,
        side: 'ours',
        concurrency: WIDTH,
        attach: async (indexes) => throwFirstRejection(await plumber.attachMany(indexes.map(request), { concurrency: WIDTH })),
        detach: async (indexes) => {
          for (const group of groups(indexes, WIDTH)) throwFirstRejection(await plumber.detachMany(group.map(selector)));
        },
      },
      {
        label: `ovs-docker, ${WIDTH} processes at a time`,
        side: 'ovs-docker',
        concurrency: WIDTH,
        attach: (indexes) => eachAtOnce(indexes, WIDTH, ovsDockerAttach),
        detach: (indexes) => eachAtOnce(indexes, WIDTH, ovsDockerDetach),
      },
    ];

    console.log(`${N} containers per run after ${WARMUP} untimed, ${ROUNDS} interleaved rounds, best run of each; detach waits for ovs-vswitchd on both sides`);
    const runs: RunFigures[][] = contenders.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [k, contender] of contenders.entries()) runs[k].push(await runOnce(env, contender, contender.side === 'ours' ? counters : undefined));
    }
    await plumber.close();

    const best = runs.map((list, k) => {
      const attach = Math.max(...list.map((r) => r.attachPerS));
      const detach = Math.max(...list.map((r) => r.detachPerS));
      const last = list[list.length - 1];
      const all = (pick: (r: RunFigures) => number) => list.map((r) => pick(r).toFixed(1)).join(', ');
      const counts = last.attachSpawns === undefined ? '' : `; per attach ${last.attachSpawns.toFixed(1)} processes, ${last.attachTxns!.toFixed(2)} transactions; per detach ${last.detachSpawns!.toFixed(1)} processes, ${last.detachTxns!.toFixed(2)} transactions`;
      console.log(`${contenders[k].label.padEnd(56)} attach ${attach.toFixed(1).padStart(6)}/s (runs: ${all((r) => r.attachPerS)}), detach ${detach.toFixed(1).padStart(6)}/s (runs: ${all((r) => r.detachPerS)})`);
      console.log(`${''.padEnd(56)} next_cfg per attach ${last.attachCfgs.toFixed(2)}, per detach ${last.detachCfgs.toFixed(2)}${counts}`);
      return { attach, detach };
    });

    const pairings = [1, WIDTH].map((concurrency) => {
      const ours = best[contenders.findIndex((c) => c.side === 'ours' && c.concurrency === concurrency)];
      const theirs = best[contenders.findIndex((c) => c.side === 'ovs-docker' && c.concurrency === concurrency)];
      return { concurrency, attach: ours.attach / theirs.attach, detach: ours.detach / theirs.detach };
    });
    console.log('pairings (ours / ovs-docker, best runs, same concurrency):');
    for (const p of pairings) console.log(`  ${String(p.concurrency).padStart(2)} vs ${String(p.concurrency).padEnd(2)}  attach ${p.attach.toFixed(1)}x, detach ${p.detach.toFixed(1)}x`);
    const bestAttach = pairings.reduce((a, b) => (b.attach > a.attach ? b : a));
    const bestDetach = pairings.reduce((a, b) => (b.detach > a.detach ? b : a));
    const verdict = (what: string, ratio: number, concurrency: number) =>
      console.log(`  ${what.padEnd(44)} ${ratio.toFixed(1)}x at ${concurrency} vs ${concurrency}  (target >= ${TARGET}x)  ${ratio >= TARGET ? 'met' : 'MISSED'}`);
    console.log('ratios:');
    verdict('attach vs ovs-docker, same concurrency', bestAttach.attach, bestAttach.concurrency);
    verdict('detach vs ovs-docker, same concurrency', bestDetach.detach, bestDetach.concurrency);

    const at = (side: Contender['side'], concurrency: number) => best[contenders.findIndex((c) => c.side === side && c.concurrency === concurrency)];

    // The floor: each round's median of each kind, the best round kept (as for the contenders).
    const floorOf = (kind: FloorKind) => Math.min(...floorSamples.map((samples) => median(samples[kind])));
    const floorRounds = (kind: FloorKind) => floorSamples.map((samples) => median(samples[kind]).toFixed(1)).join(', ');
    const floor = { add1: floorOf('add1'), remove1: floorOf('remove1'), add8: floorOf('add8'), remove8: floorOf('remove8'), noChange: floorOf('noChange') };
    // Waiting for one such reconfiguration per container (one at a time) or per group of WIDTH,
    // ours can go no faster than 1/floor (WIDTH/floor): against ovs-docker's rate, that is the best ratio possible.
    const bound = (concurrency: number, floorMs: number, theirsPerS: number) => (concurrency * 1000) / floorMs / theirsPerS;
    const bounds = {
      attach1: bound(1, floor.add1, at('ovs-docker', 1).attach),
      detach1: bound(1, floor.remove1, at('ovs-docker', 1).detach),
      attachMany: bound(WIDTH, floor.add8, at('ovs-docker', WIDTH).attach),
      detachMany: bound(WIDTH, floor.remove8, at('ovs-docker', WIDTH).detach),
    };
    console.log(
      `floor: one ovs-vswitchd reconfiguration on its own (one transaction, cur_cfg waited for, no ip work), ${Math.floor(N / 2)} ports on the bridge, median of ${FLOOR_SAMPLES} (${Math.ceil(FLOOR_SAMPLES / 2)} for ${WIDTH} ports), best of ${floorSamples.length} (halfway through each of ours' one-at-a-time attach and detach runs):`,
    );
    console.log(`  add 1 port ${floor.add1.toFixed(1)} ms (rounds: ${floorRounds('add1')}), remove 1 port ${floor.remove1.toFixed(1)} ms (rounds: ${floorRounds('remove1')})`);
    console.log(`  add ${WIDTH} ports ${floor.add8.toFixed(1)} ms (rounds: ${floorRounds('add8')}), remove ${WIDTH} ports ${floor.remove8.toFixed(1)} ms (rounds: ${floorRounds('remove8')}), no port change ${floor.noChange.toFixed(1)} ms`);
    console.log('  best ratio possible against ovs-docker for a side that waits for it (ovs-docker time per container / floor):');
    console.log(`   1 vs 1   attach ${bounds.attach1.toFixed(1)}x, detach ${bounds.detach1.toFixed(1)}x`);
    console.log(`  ${String(WIDTH).padStart(2)} vs ${String(WIDTH).padEnd(2)}  attach ${bounds.attachMany.toFixed(1)}x, detach ${bounds.detachMany.toFixed(1)}x`);
    const oursOne = runs[0][ROUNDS - 1];
    const oursMany = runs[2][ROUNDS - 1];
    console.log(
      JSON.stringify({
        containers: N,
        rounds: ROUNDS,
        warmup: WARMUP,
        attach_ratio_same_concurrency: fixed(bestAttach.attach, 2),
        attach_ratio_concurrency: bestAttach.concurrency,
        detach_ratio_same_concurrency: fixed(bestDetach.detach, 2),
        detach_ratio_concurrency: bestDetach.concurrency,
        attach_ratio_1: fixed(pairings[0].attach, 2),
        detach_ratio_1: fixed(pairings[0].detach, 2),
        [`attach_ratio_${WIDTH}`]: fixed(pairings[1].attach, 2),
        [`detach_ratio_${WIDTH}`]: fixed(pairings[1].detach, 2),
        attach_per_s_1: fixed(at('ours', 1).attach),
        detach_per_s_1: fixed(at('ours', 1).detach),
        [`attach_per_s_${WIDTH}`]: fixed(at('ours', WIDTH).attach),
        [`detach_per_s_${WIDTH}`]: fixed(at('ours', WIDTH).detach),
        ovs_docker_attach_per_s_1: fixed(at('ovs-docker', 1).attach),
        ovs_docker_detach_per_s_1: fixed(at('ovs-docker', 1).detach),
        [`ovs_docker_attach_per_s_${WIDTH}`]: fixed(at('ovs-docker', WIDTH).attach),
        [`ovs_docker_detach_per_s_${WIDTH}`]: fixed(at('ovs-docker', WIDTH).detach),
        spawns_per_attach_1: fixed(oursOne.attachSpawns!, 2),
        ovsdb_txn_per_attach_1: fixed(oursOne.attachTxns!, 2),
        [`spawns_per_attach_${WIDTH}`]: fixed(oursMany.attachSpawns!, 2),
        [`ovsdb_txn_per_attach_${WIDTH}`]: fixed(oursMany.attachTxns!, 2),
        next_cfg_per_attach_1: fixed(oursOne.attachCfgs, 2),
        [`next_cfg_per_attach_${WIDTH}`]: fixed(oursMany.attachCfgs, 2),
        ovs_docker_next_cfg_per_attach: fixed(runs[1][ROUNDS - 1].attachCfgs, 2),
        floor_ports_on_bridge: Math.floor(N / 2),
        floor_ms_add_1: fixed(floor.add1, 2),
        floor_ms_remove_1: fixed(floor.remove1, 2),
        [`floor_ms_add_${WIDTH}`]: fixed(floor.add8, 2),
        [`floor_ms_remove_${WIDTH}`]: fixed(floor.remove8, 2),
        floor_ms_no_change: fixed(floor.noChange, 2),
        attach_bound_1: fixed(bounds.attach1, 2),
        detach_bound_1: fixed(bounds.detach1, 2),
        [`attach_bound_${WIDTH}`]: fixed(bounds.attachMany, 2),
        [`detach_bound_${WIDTH}`]: fixed(bounds.detachMany, 2),
      }),
    );
  } finally {
    await env.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
