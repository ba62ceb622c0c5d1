/**
 * Initial sync of N ports + N interfaces (default 20,000), interfaces filled in as
 * ovs-vswitchd would (statistics, status, link state), from a real ovsdb-server into
 * the replica, against the reference Python IDL on the same database. Each side runs in
 * its own process so its memory growth can be read from RSS. The last line is JSON.
 *
 *   npx tsx --expose-gc test/bench/replica-sync.bench.ts            (BENCH_PORTS=N to change N)
 */
import { spawn } from 'node:child_process';
import { run } from '@ovs-fleet/iproute';
import { JsonRpcSession } from '@ovs-fleet/ovsdb/protocol/jsonrpc-session';
import type { Operation, TableUpdates2 } from '@ovs-fleet/ovsdb/protocol/wire';
import { Replica } from '@ovs-fleet/ovsdb/replica';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/schemas/generated/open-vswitch';
import { connectRemote } from '@ovs-fleet/ovsdb/transport/connect';
import { OvsdbTestServer, VSWITCH_SCHEMA } from '../support/ovsdb-server';

const N = Number(process.env.BENCH_PORTS ?? 20_000);
const BATCH = 1000;
const STATISTICS = ['collisions', 'rx_bytes', 'rx_crc_err', 'rx_dropped', 'rx_errors', 'rx_frame_err', 'rx_missed_errors', 'rx_over_err', 'rx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors', 'tx_packets'];
const mac = (i: number): string => `02:00:00:${[16, 8, 0].map((shift) => ((i >> shift) & 0xff).toString(16).padStart(2, '0')).join(':')}`;

interface SyncResult {
  rows: number;
  seconds: number;
  rss_growth_bytes: number;
  heap_after_gc_bytes?: number;
}

async function populate(server: OvsdbTestServer): Promise<void> {
  await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev']);
  const session = new JsonRpcSession(await connectRemote(server.unixRemote));
  try {
    for (let start = 0; start < N; start += BATCH) {
      const ops: Operation[] = [];
      const ports: ['named-uuid', string][] = [];
      for (let i = start; i < Math.min(N, start + BATCH); i++) {
        ops.push({
          op: 'insert',
          table: 'Interface',
          'uuid-name': `i${i}`,
          // What ovs-vswitchd fills in on a running host: counters, status, link state.
          row: {
            name: `vm${i}-eth0`,
            type: 'internal',
            external_ids: ['map', [['attached-mac', mac(i)], ['iface-id', `vm-${i}-nic0`]]],
            statistics: ['map', STATISTICS.map((key, k) => [key, (i * 31 + k) % 100_000] as [string, number])],
            status: ['map', [['driver_name', 'tun'], ['driver_version', '1.6'], ['firmware_version', '']]],
            admin_state: 'up',
            link_state: 'up',
            mtu: 1500,
            ofport: i + 1,
            mac_in_use: mac(i),
          },
        });
        ops.push({ op: 'insert', table: 'Port', 'uuid-name': `p${i}`, row: { name: `vm${i}-eth0`, tag: (i % 4000) + 1, interfaces: ['named-uuid', `i${i}`] } });
        ports.push(['named-uuid', `p${i}`]);
      }
      ops.push({ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['ports', 'insert', ['set', ports]]] });
      const result = await session.request<{ error?: string }[]>('transact', ['Open_vSwitch', ...ops]);
      const failed = result.find((r) => r?.error !== undefined);
      if (failed) throw new Error(`populate failed: ${JSON.stringify(failed)}`);
    }
  } finally {
    session.close();
  }
}

/** Child mode: sync into a Replica and report time and memory. */
async function measureReplica(remote: string, rows: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const replica = new Replica(OpenVSwitchSchema, {
    indexes: [
      { table: 'Port', column: 'name', unique: true },
      { table: 'Interface', column: 'name', unique: true },
    ],
  });
  const session = new JsonRpcSession(await connectRemote(remote));
  session.on('notification', (method, params) => {
    if (method === 'update2') void replica.applyUpdate2(params[1] as TableUpdates2);
  });
  // Not kept in a variable: the parsed snapshot is garbage once applied, as in real use.
  await replica.resync(await session.request<TableUpdates2>('monitor_cond', ['Open_vSwitch', 'bench', replica.monitorRequests()]));
  const seconds = (performance.now() - start) / 1000;
  if (replica.table('Port').size < rows) throw new Error(`replica holds ${replica.table('Port').size} ports, expected ${rows}`);
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  gc?.();
  const heapAfterGc = process.memoryUsage().heapUsed - heapBefore;
  session.close();
  const result: SyncResult = { rows, seconds, rss_growth_bytes: rssGrowth, ...(gc ? { heap_after_gc_bytes: heapAfterGc } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited with ${code}`))));
  });
}

const lastJson = (text: string): SyncResult => JSON.parse(text.trim().split('\n').pop()!) as SyncResult;

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return measureReplica(process.argv[3], Number(process.argv[4]));
  const server = await OvsdbTestServer.start();
  try {
    console.log(`populating ${N} ports + interfaces...`);
    await populate(server);
    const { stdout } = await run('ovs-vsctl', [`--db=${server.unixRemote}`, '--no-wait', 'list-ports', 'br0']);
    console.log(`bridge br0 holds ${stdout.trim().split('\n').length} ports`);
    const ours = lastJson(await runChild(process.execPath, [...process.execArgv, __filename, 'child', server.unixRemote, String(N)]));
    const python = lastJson(await runChild('/usr/bin/python3', [`${__dirname}/peers/python_idl.py`, 'sync', server.unixRemote, VSWITCH_SCHEMA, String(N)]));
    console.log(`replica:    ${ours.seconds.toFixed(2)} s, RSS +${(ours.rss_growth_bytes / 2 ** 20).toFixed(1)} MiB` +
      (ours.heap_after_gc_bytes === undefined ? '' : `, heap retained ${(ours.heap_after_gc_bytes / 2 ** 20).toFixed(1)} MiB`));
    console.log(`python IDL: ${python.seconds.toFixed(2)} s, RSS +${(python.rss_growth_bytes / 2 ** 20).toFixed(1)} MiB`);
    console.log(JSON.stringify({ ports: N, replica: ours, python_idl: python, speedup: python.seconds / ours.seconds, memory_ratio: ours.rss_growth_bytes / python.rss_growth_bytes }));
  } finally {
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
