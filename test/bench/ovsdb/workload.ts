/**
 * The benchmark's workloads, shared by every contender written in TypeScript: the
 * transaction (insert an Interface and a Port, add the Port to the bridge) through
 * OvsdbIdl's IDL transactions, and a database shaped like a running host for the sync.
 */
import { OvsdbClient, type Operation, type OvsdbIdl } from '@ovs-fleet/ovsdb';
import { Bridge, Interface, Port } from '@ovs-fleet/ovsdb/vswitch';

export const BRIDGE = 'br0';

/** The benchmark transaction as the Python IDL peer builds it: two inserts and a mutate of the bridge's ports. */
export async function addPort(idl: OvsdbIdl, bridgeUuid: string, name: string): Promise<void> {
  const txn = idl.transaction();
  const iface = txn.insert(Interface, { name });
  const port = txn.insert(Port, { name, interfaces: [iface.ref] });
  txn.mutate(Bridge, bridgeUuid, [['ports', 'insert', [port.ref]]]);
  const result = await txn.commit();
  if (result.status !== 'success') throw new Error(`transaction for ${name} failed: ${result.status} ${result.error ?? ''} ${result.details ?? ''}`);
}

/** Takes every port off the bridge (the server then drops the orphaned Port and Interface rows). */
export function emptyBridgeOps(): Operation[] {
  return [{ op: 'update', table: 'Bridge', where: [['name', '==', BRIDGE]], row: { ports: ['set', []] } }];
}

/** The uuid of the benchmark's bridge in the IDL's replica. */
export function bridgeUuid(idl: OvsdbIdl): string {
  for (const row of idl.replica.table(Bridge).values()) if (row.name === BRIDGE) return row._uuid;
  throw new Error(`bridge ${BRIDGE} is not in the replica`);
}

const STATISTICS = ['collisions', 'rx_bytes', 'rx_crc_err', 'rx_dropped', 'rx_errors', 'rx_frame_err', 'rx_missed_errors', 'rx_over_err', 'rx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors', 'tx_packets'];
const mac = (i: number): string => `02:00:00:${[16, 8, 0].map((shift) => ((i >> shift) & 0xff).toString(16).padStart(2, '0')).join(':')}`;

/**
 * Adds `count` ports and interfaces to the bridge, the interfaces filled in as
 * ovs-vswitchd would on a running host (counters, status, link state), 1,000 per
 * transaction. Names are `vm<i>-eth0`.
 */
export async function populateHostLike(remote: string, count: number, batch = 1000): Promise<void> {
  const client = await OvsdbClient.connect(remote);
  try {
    for (let start = 0; start < count; start += batch) {
      const ops: Operation[] = [];
      const ports: ['named-uuid', string][] = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        ops.push({
          op: 'insert',
          table: 'Interface',
          'uuid-name': `i${i}`,
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
      ops.push({ op: 'mutate', table: 'Bridge', where: [['name', '==', BRIDGE]], mutations: [['ports', 'insert', ['set', ports]]] });
      await client.transact('Open_vSwitch', ops);
    }
  } finally {
    client.close();
  }
}
