/**
 * Quick local measurement (not a test, not the formal benchmark): OvsdbClient doing N
 * "insert Interface + Port + add it to the bridge" transactions one at a time, then N
 * with 64 in flight, each run against a fresh ovsdb-server on a unix socket.
 *
 *   npx tsx test/bench/ovsdb-client-quick.ts [N]
 */
import { OvsdbClient } from '@ovs-fleet/ovsdb/client/ovsdb-client';
import type { Operation } from '@ovs-fleet/ovsdb/protocol/wire';
import { OvsdbTestServer } from '../support/ovsdb-server';

const N = Number(process.argv[2] ?? 3000);
const WINDOW = 64;

function addPort(i: number): Operation[] {
  const name = `q${i}`;
  return [
    { op: 'insert', table: 'Interface', row: { name, type: 'internal' }, 'uuid-name': 'iface' },
    { op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', 'iface'] }, 'uuid-name': 'port' },
    { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]] },
  ];
}

async function measure(label: string, body: (client: OvsdbClient) => Promise<void>): Promise<void> {
  const server = await OvsdbTestServer.start();
  try {
    await server.vsctl(['add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev']);
    const client = await OvsdbClient.connect(server.unixRemote);
    const start = process.hrtime.bigint();
    await body(client);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    client.close();
    const ports = (await server.vsctl(['list-ports', 'br0'])).stdout.trim().split('\n').length;
    if (ports !== N) throw new Error(`${label}: expected ${N} ports, found ${ports}`);
    console.log(`${label}: ${N} txn in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} txn/s`);
  } finally {
    await server.dispose();
  }
}

async function main(): Promise<void> {
  await measure('sequential (1 in flight)', async (client) => {
    for (let i = 0; i < N; i++) await client.transact('Open_vSwitch', addPort(i));
  });
  await measure(`pipelined (${WINDOW} in flight)`, async (client) => {
    let next = 0;
    const worker = async () => {
      while (next < N) await client.transact('Open_vSwitch', addPort(next++));
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
