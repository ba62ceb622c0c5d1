/**
 * Commands against ovs-vsctl on a real ovsdb-server (no ovs-vswitchd, so both without
 * waiting for it): adding ports one change at a time and in one batch.
 *
 *   npm run bench:commands   (or: npx tsx test/bench/commands/vsctl.bench.ts [ports=200])
 */
import { commands, OvsdbIdl } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../../support/ovsdb-server';

const n = Number(process.argv[2] ?? 200);
const indexes = (['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true }));

async function timed(label: string, count: number, fn: () => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label}: ${ms.toFixed(0)} ms, ${((count * 1000) / ms).toFixed(0)} ports/s`);
}

async function main(): Promise<void> {
  const server = await OvsdbTestServer.start();
  const vsctl = (args: string[]) => server.vsctl(args);
  let idl: OvsdbIdl | undefined;
  try {
    await vsctl(['add-br', 'br-a', '--', 'set', 'Bridge', 'br-a', 'datapath_type=netdev']);
    await vsctl(['add-br', 'br-b', '--', 'set', 'Bridge', 'br-b', 'datapath_type=netdev']);
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: 'Open_vSwitch', schema: OpenVSwitchSchema, indexes });
    const client = idl;

    await timed(`ovs-vsctl add-port, one process per port (${n})`, n, async () => {
      for (let i = 0; i < n; i++) await vsctl(['add-port', 'br-a', `v${i}`, 'tag=10']);
    });
    await timed(`commands add-port, one batch per port (${n})`, n, async () => {
      for (let i = 0; i < n; i++) {
        const batch = commands(client);
        batch.addPort('br-b', `c${i}`, { tag: 10 });
        await batch.execute();
      }
    });
    await timed(`commands add-port, one batch of ${n * 5}`, n * 5, async () => {
      const batch = commands(client);
      for (let i = 0; i < n * 5; i++) batch.addPort('br-b', `d${i}`, { tag: 10 });
      await batch.execute();
    });
    await timed(`ovs-vsctl one process, ${n * 5} add-port commands joined with --`, n * 5, async () => {
      const args: string[] = [];
      for (let i = 0; i < n * 5; i++) args.push(...(i ? ['--'] : []), 'add-port', 'br-a', `w${i}`, 'tag=10');
      await vsctl(args);
    });
    await timed(`commands del-port, one batch of ${n * 5}`, n * 5, async () => {
      const batch = commands(client);
      for (let i = 0; i < n * 5; i++) batch.delPort('br-b', `d${i}`);
      await batch.execute();
    });
  } finally {
    idl?.close();
    await server.dispose();
  }
}

void main();
