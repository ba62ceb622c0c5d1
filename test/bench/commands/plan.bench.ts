/**
 * How planning scales (no server): a replica holding one bridge with N ports (as
 * ovs-vswitchd's database would), then batches that add and delete ports on it. The fake
 * target answers every op with success, so this measures planning + op building only.
 *
 *   npm run bench:commands   (or: npx tsx test/bench/commands/plan.bench.ts [ports=20000])
 */
import { randomUUID } from 'node:crypto';
import { commands, Replica } from '@ovs-fleet/ovsdb';
import type { CommandTarget, Operation, OperationResult, TableUpdates2, WireValue } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';

const ports = Number(process.argv[2] ?? 20_000);

async function replicaWith(n: number, indexed: boolean): Promise<Replica> {
  const indexes = indexed
    ? [...(['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true })), { table: 'Bridge', column: 'ports' }]
    : [];
  const replica = new Replica(OpenVSwitchSchema, { indexes });
  const bridge = randomUUID();
  const updates: TableUpdates2 = { Open_vSwitch: { [randomUUID()]: { initial: { bridges: ['uuid', bridge] } } }, Port: {}, Interface: {} };
  const portUuids: WireValue[] = [];
  for (let i = 0; i < n; i++) {
    const port = randomUUID();
    const iface = randomUUID();
    portUuids.push(['uuid', port]);
    updates.Port[port] = { initial: { name: `vm${i}`, interfaces: ['uuid', iface] } };
    updates.Interface[iface] = { initial: { name: `vm${i}`, type: 'internal' } };
  }
  updates.Bridge = { [bridge]: { initial: { name: 'br-int', ports: ['set', portUuids] as WireValue, datapath_type: 'netdev' } } };
  await replica.applyUpdate2(updates);
  await replica.idle();
  return replica;
}

const target = (replica: Replica): CommandTarget => ({
  replica,
  transact: (ops: readonly Operation[]) => Promise.resolve(ops.map((op): OperationResult => (op.op === 'insert' ? { uuid: ['uuid', randomUUID()] } : {}))),
});

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[3].toFixed(1)} ms (min ${runs[0].toFixed(1)}, max ${runs[6].toFixed(1)})`);
}

async function main(): Promise<void> {
  for (const indexed of [true, false]) {
    const replica = await replicaWith(ports, indexed);
    const t = target(replica);
    const tag = `${ports} ports, ${indexed ? 'indexed' : 'no index'}`;
    await time(`[${tag}] 1 add-port`, () => {
      const batch = commands(t);
      batch.addPort('br-int', 'new0');
      return batch.execute();
    });
    for (const k of [100, 1000]) {
      await time(`[${tag}] ${k} add-port + ${k / 10} del-port in one batch`, () => {
        const batch = commands(t);
        for (let i = 0; i < k; i++) batch.addPort('br-int', `new${i}`, { tag: 10, externalIds: { 'iface-id': `x${i}` } });
        for (let i = 0; i < k / 10; i++) batch.delPort('br-int', `vm${i}`);
        return batch.execute();
      });
      await time(`[${tag}] ${k} --may-exist add-port of existing ports`, () => {
        const batch = commands(t);
        for (let i = 0; i < k; i++) batch.addPort('br-int', `vm${i}`, { mayExist: true });
        return batch.execute();
      });
    }
  }
}

void main();
