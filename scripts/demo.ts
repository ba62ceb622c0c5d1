/**
 * The demo (`npm run demo`): three simulated hosts, an overlay network between two of them
 * over VXLAN, containers plumbed into it, traffic that must pass and traffic that must not.
 * Everything is removed at the end unless `--keep` is given; `--name N` names the lab (default demo).
 */
import { parseArgs } from 'node:util';
import { run } from '@ovs-fleet/iproute';
import { assertLabName, formatStatus, Lab } from '@ovs-fleet/lab';
import { commands, OvsdbIdl, tunnelInterface } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { connectPortStore, Plumber } from '@ovs-fleet/plumbing';

const VNI = { blue: 100, red: 200 };
const VLAN = { blue: 10, red: 20 };

async function ping(netns: string, address: string): Promise<boolean> {
  try {
    // Two probes: the first may wait for ARP; ping succeeds if any reply comes back.
    await run('ip', ['netns', 'exec', netns, 'ping', '-c', '2', '-i', '0.2', '-W', '1', address]);
    return true;
  } catch {
    return false;
  }
}

function check(label: string, ok: boolean, expected: boolean): boolean {
  const verdict = ok === expected ? 'as expected' : 'UNEXPECTED';
  console.log(`  ${ok ? 'reaches     ' : 'does not    '} ${label}  (${verdict})`);
  return ok === expected;
}

/**
 * br-int on a host, with one VXLAN port per (network, remote host): the network's local VLAN
 * goes out with its VNI. One atomic transaction through the command layer, which returns
 * once ovs-vswitchd has applied it (as ovs-vsctl without --no-wait).
 */
async function buildOverlay(ovsdb: string, remoteIp: string): Promise<string[]> {
  const idl = await OvsdbIdl.connect({ remote: ovsdb, database: 'Open_vSwitch', schema: OpenVSwitchSchema });
  try {
    const batch = commands(idl);
    batch.addBridge('br-int', { mayExist: true, datapathType: 'netdev' });
    for (const network of ['blue', 'red'] as const) {
      const name = `vx-${network}`;
      batch.addPort('br-int', name, { tag: VLAN[network], interfaces: [tunnelInterface({ name, type: 'vxlan', remoteIp, key: VNI[network] })] });
    }
    const result = await batch.execute({ waitForVswitchd: true, timeoutMs: 10_000 });
    if (result.interfaceErrors.length > 0) throw new Error(`ovs-vswitchd could not set up: ${JSON.stringify(result.interfaceErrors)}`);
    return batch.describe();
  } finally {
    idl.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false }, name: { type: 'string', default: 'demo' } } });
  const LAB = assertLabName(values.name);
  let lab: Lab | undefined;
  let allAsExpected = true;
  const stop = async () => {
    if (lab && !values.keep) {
      console.log(`\nRemoving lab "${LAB}"...`);
      await Lab.down(LAB);
    }
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    console.log('Bringing up 3 simulated hosts (a namespace each with ovsdb-server and ovs-vswitchd)...');
    await Lab.down(LAB); // a demo lab left by an interrupted --keep run or a crash
    const started = Date.now();
    lab = await Lab.up({ name: LAB, hosts: 3, autoRanges: true });
    console.log(`up in ${Date.now() - started} ms\n`);
    console.log(formatStatus(await lab.status()));

    console.log('\nUnderlay: every host pings every other host\'s tunnel endpoint');
    for (const from of lab.hosts) {
      for (const to of lab.hosts.filter((h) => h !== from)) {
        allAsExpected = check(`${from.id} -> ${to.id} (${to.underlayIp})`, await ping(from.netns, to.underlayIp), true) && allAsExpected;
      }
    }

    const [h1, h2] = lab.hosts;
    console.log('\nOverlay: br-int on h1 and h2, VXLAN tunnels for networks blue (VNI 100) and red (VNI 200)');
    const sessions = await Promise.all([h1, h2].map((h) => connectPortStore(h.ovsdbUnix)));
    const plumbers = [h1, h2].map((h, i) => new Plumber({ store: sessions[i].store, hostNetns: h.netns }));
    try {
      for (const host of [h1, h2]) {
        const peer = host === h1 ? h2 : h1;
        const done = await buildOverlay(host.ovsdbUnix, peer.underlayIp);
        console.log(`  ${host.id}: ${done.join(' -- ')}`);
      }
      // Two networks with the same subnet (from 198.18.0.0/15, the benchmarking range): only the
      // VNI keeps them apart. Each network has a container on both hosts, so red passing the
      // tunnel shows that blue not reaching red is isolation, not a broken red container.
      const containers = [
        { name: 'blue1', host: 0, network: 'blue' as const, address: '198.18.0.1/24' },
        { name: 'blue2', host: 1, network: 'blue' as const, address: '198.18.0.2/24' },
        { name: 'red3', host: 1, network: 'red' as const, address: '198.18.0.3/24' },
        { name: 'red4', host: 0, network: 'red' as const, address: '198.18.0.4/24' },
      ];
      const namespaces: Record<string, string> = {};
      for (const c of containers) {
        const ns = await lab.createNamespace(c.name);
        namespaces[c.name] = ns.netns;
        await plumbers[c.host].attach({
          container: { netns: ns.netns },
          bridge: 'br-int',
          ifname: 'eth0',
          addresses: [c.address],
          mtu: 1450, // VXLAN over a 1500-byte underlay needs 50 bytes of headroom
          tag: VLAN[c.network],
        });
        console.log(`  container ${c.name} on ${[h1, h2][c.host].id}: eth0 ${c.address}, network ${c.network}`);
      }
      console.log('\nTraffic through the tunnel');
      allAsExpected = check('blue1 (h1) -> blue2 (h2) 198.18.0.2, same network', await ping(namespaces.blue1, '198.18.0.2'), true) && allAsExpected;
      allAsExpected = check('red4  (h1) -> red3  (h2) 198.18.0.3, same network', await ping(namespaces.red4, '198.18.0.3'), true) && allAsExpected;
      allAsExpected = check('blue1 (h1) -> red3  (h2) 198.18.0.3, other network', await ping(namespaces.blue1, '198.18.0.3'), false) && allAsExpected;
    } finally {
      await Promise.all(plumbers.map((p) => p.close()));
      for (const session of sessions) session.close();
    }
    console.log(allAsExpected ? '\nAll checks behaved as expected.' : '\nSome checks did not behave as expected.');
    if (values.keep) console.log(`\nThe lab is still running: npm run lab -- status --name ${LAB}; remove it with npm run lab -- down --name ${LAB}`);
  } finally {
    await stop();
  }
  process.exitCode = allAsExpected ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
