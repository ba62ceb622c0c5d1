/**
 * `npm run bench:plumbing`: attach then detach N podman containers (default 100) on one lab
 * host, with this library (one at a time, then attachMany as an agent converging a host runs
 * it) and then with ovs-docker add-port/del-port run one after another, in the same run, same
 * options (address, gateway, MAC, MTU; tag: `set-vlan` for ovs-docker). Prints rates and
 * ratios; the last line is JSON (`attach_per_s` is attachMany's). BENCH_CONTAINERS=N changes N.
 */
import { run } from '@ovs-fleet/iproute';
import { PodmanContainer } from '@ovs-fleet/lab';
import type { CommandTarget } from '@ovs-fleet/ovsdb';
import { AttachRequest, countingRunner, defaultRunner, IdlPortStore, Plumber } from '@ovs-fleet/plumbing';
import { BRIDGE, PlumbingLab, startPlumbingLab, vsctl } from '../plumbing/support/plumbing-lab';

const N = Number(process.env.BENCH_CONTAINERS ?? 100);

async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  }));
  return out;
}

async function timed(what: string, work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${what}: ${N} in ${seconds.toFixed(2)} s = ${(N / seconds).toFixed(1)}/s`);
  return N / seconds;
}

const address = (i: number, host: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + host}`;
const mac = (i: number, kind: number) => `02:00:00:${kind.toString(16).padStart(2, '0')}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

async function portCount(env: PlumbingLab): Promise<number> {
  const out = await vsctl(env.host, ['list-ports', BRIDGE]);
  return out === '' ? 0 : out.split('\n').length;
}

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 1 || N > 1000) throw new Error('BENCH_CONTAINERS must be 1-1000');
  const env = await startPlumbingLab(true);
  try {
    const podman = await env.lab.podman();
    console.log(`lab ${env.lab.name}: starting ${N} podman containers (--network none)...`);
    const containers: PodmanContainer[] = await inBatches(Array.from({ length: N }, (_, i) => `b${i}`), 4, (name) => podman.run(name));

    let transactions = 0;
    // The lab's one OVSDB connection, its transactions counted.
    const { idl } = env.ovsdb;
    const counted: CommandTarget = {
      replica: idl.replica,
      transact: (ops, options) => {
        transactions++;
        return idl.transact(ops, options);
      },
    };
    const runner = countingRunner(defaultRunner);
    const plumber = new Plumber({ store: new IdlPortStore(counted), hostNetns: env.host.netns, dockerSocket: podman.socketPath, runner });

    const requests: AttachRequest[] = containers.map((c, i) => ({
      container: { dockerContainer: c.podmanName },
      bridge: BRIDGE,
      ifname: 'eth1',
      addresses: [`${address(i, 2)}/16`],
      gateway: '198.18.255.254',
      mac: mac(i, 1),
      mtu: 1400,
      tag: 10,
    }));
    const attachOneAtATimePerS = await timed('ovs-fleet plumbing attach, one at a time', async () => {
      for (const request of requests) await plumber.attach(request);
    });
    const attachSpawns = runner.spawns / N;
    const attachTxns = transactions / N;
    if ((await portCount(env)) !== N) throw new Error('ovs-fleet attach did not leave N ports');
    runner.spawns = 0;
    transactions = 0;
    const detachPerS = await timed('ovs-fleet plumbing detach, one at a time', async () => {
      for (const c of containers) await plumber.detach({ containerId: c.id, ifname: 'eth1' });
    });
    const detachSpawns = runner.spawns / N;
    const detachTxns = transactions / N;
    if ((await portCount(env)) !== 0) throw new Error('ovs-fleet detach left ports behind');

    // The same attaches as the library does many (an agent converging a host): attachMany, 8 at
    // a time, so ovs-vswitchd takes several ports per reconfiguration. Re-adding these names
    // first waits until ovs-vswitchd has applied their deletion above.
    const attachPerS = await timed('ovs-fleet plumbing attachMany (8 at a time)', async () => {
      const outcomes = await plumber.attachMany(requests, { concurrency: 8 });
      const failed = outcomes.find((o) => o.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    if ((await portCount(env)) !== N) throw new Error('concurrent attach did not leave N ports');
    const detachConcurrentPerS = await timed('ovs-fleet plumbing detach, 8 at a time', async () => {
      await inBatches(containers, 8, (c) => plumber.detach({ containerId: c.id, ifname: 'eth1' }));
    });
    if ((await portCount(env)) !== 0) throw new Error('concurrent detach left ports behind');

    const ovsDockerEnv = { ...process.env, OVS_RUNDIR: env.host.runDir, DOCKER_HOST: `unix://${podman.socketPath}` };
    const ovsDocker = (args: string[]) => run('ip', ['netns', 'exec', env.host.netns, 'ovs-docker', ...args], { env: ovsDockerEnv });
    // ovs-docker sets a VLAN only with a second command; ours does it in the same attach.
    const addPortPerS = await timed('ovs-docker add-port', async () => {
      for (const [i, c] of containers.entries()) {
        await ovsDocker(['add-port', BRIDGE, 'eth1', c.podmanName, `--ipaddress=${address(i, 2)}/16`, '--gateway=198.18.255.254', `--macaddress=${mac(i, 2)}`, '--mtu=1400']);
      }
    });
    const setVlanPerS = await timed('ovs-docker set-vlan', async () => {
      for (const c of containers) await ovsDocker(['set-vlan', BRIDGE, 'eth1', c.podmanName, '10']);
    });
    const ovsDockerAttachPerS = 1 / (1 / addPortPerS + 1 / setVlanPerS);
    console.log(`ovs-docker attach (add-port + set-vlan): ${ovsDockerAttachPerS.toFixed(1)}/s`);
    if ((await portCount(env)) !== N) throw new Error('ovs-docker did not leave N ports');
    const ovsDockerDetachPerS = await timed('ovs-docker del-port', async () => {
      for (const c of containers) await ovsDocker(['del-port', BRIDGE, 'eth1', c.podmanName]);
    });
    if ((await portCount(env)) !== 0) throw new Error('ovs-docker del-port left ports behind');

    await plumber.close();
    const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(1)}x`;
    console.log(`attach vs ovs-docker (add-port + set-vlan, one after another): attachMany ${ratio(attachPerS, ovsDockerAttachPerS)} (target 10x), one at a time ${ratio(attachOneAtATimePerS, ovsDockerAttachPerS)}`);
    console.log(`detach vs ovs-docker del-port: one at a time ${ratio(detachPerS, ovsDockerDetachPerS)}, 8 at a time ${ratio(detachConcurrentPerS, ovsDockerDetachPerS)}`);
    console.log(`per attach: ${attachSpawns} process spawns, ${attachTxns} OVSDB transactions; per detach: ${detachSpawns} spawns, ${detachTxns} transactions`);
    console.log(JSON.stringify({
      containers: N,
      attach_mode: 'attachMany, 8 at a time',
      attach_per_s: Number(attachPerS.toFixed(1)),
      attach_one_at_a_time_per_s: Number(attachOneAtATimePerS.toFixed(1)),
      detach_per_s: Number(detachPerS.toFixed(1)),
      ovs_docker_attach_per_s: Number(ovsDockerAttachPerS.toFixed(1)),
      ovs_docker_detach_per_s: Number(ovsDockerDetachPerS.toFixed(1)),
      ovs_docker_add_port_only_per_s: Number(addPortPerS.toFixed(1)),
      attach_ratio_vs_add_port_only: Number((attachPerS / addPortPerS).toFixed(1)),
      attach_ratio: Number((attachPerS / ovsDockerAttachPerS).toFixed(1)),
      attach_one_at_a_time_ratio: Number((attachOneAtATimePerS / ovsDockerAttachPerS).toFixed(1)),
      detach_ratio: Number((detachPerS / ovsDockerDetachPerS).toFixed(1)),
      detach_8_concurrent_per_s: Number(detachConcurrentPerS.toFixed(1)),
      spawns_per_attach: attachSpawns,
      ovsdb_txn_per_attach: attachTxns,
      spawns_per_detach: detachSpawns,
      ovsdb_txn_per_detach: detachTxns,
    }));
  } finally {
    await env.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
