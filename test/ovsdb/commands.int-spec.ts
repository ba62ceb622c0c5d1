/**
 * The command layer (libs/ovsdb/src/commands) against a real lab host: ovsdb-server and
 * ovs-vswitchd in their own namespace, userspace datapath (every bridge netdev). Results
 * are compared with what ovs-vsctl does for the same request; waiting for ovs-vswitchd is
 * checked with ovs-vsctl/ovs-appctl right after `execute` resolves.
 */
import { randomBytes } from 'node:crypto';
import { run } from '@ovs-fleet/iproute';
import { Lab, type LabHost } from '@ovs-fleet/lab';
import { commands, OvsdbCommandError, OvsdbCommitError, OvsdbIdl, OvsdbVswitchdTimeoutError, tunnelInterface } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, Port } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';

jest.setTimeout(120_000);

const DB = 'Open_vSwitch';
const indexes = (['Bridge', 'Port', 'Interface'] as const).map((table) => ({ table, column: 'name', unique: true }));

let lab: Lab | undefined;
let host: LabHost;
let idl: OvsdbIdl;

const vsctl = async (args: readonly string[]): Promise<string> => (await run('ovs-vsctl', [`--db=${host.ovsdbUnix}`, '--timeout=10', ...args])).stdout.trim();
const appctl = async (args: readonly string[]): Promise<string> => (await run('ovs-appctl', ['-t', host.vswitchdCtl, ...args], { timeoutMs: 10_000 })).stdout;

/** `ovs-vsctl --format=json list` of one record, as column → JSON value. */
async function list(table: string, record: string, columns: readonly string[]): Promise<Record<string, unknown>> {
  const out = JSON.parse(await vsctl(['--format=json', `--columns=${columns.join(',')}`, 'list', table, record])) as { headings: string[]; data: unknown[][] };
  return Object.fromEntries(out.headings.map((heading, i) => [heading, out.data[0][i]]));
}

/** Sorts the members of OVSDB JSON sets and maps so that two listings compare regardless of order. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value) && (value[0] === 'set' || value[0] === 'map')) {
    return [value[0], [...(value[1] as unknown[])].map((member) => JSON.stringify(member)).sort()];
  }
  return value;
}

/** Everything configured for a bridge, its ports and interfaces, with `prefix` taken out of names. */
async function describeBridge(bridge: string, prefix: string): Promise<unknown> {
  const strip = (text: string) => text.split(prefix).join('<>');
  const bridgeColumns = ['datapath_type', 'external_ids', 'fail_mode', 'other_config', 'protocols', 'stp_enable', 'mcast_snooping_enable'];
  const portColumns = ['tag', 'trunks', 'vlan_mode', 'external_ids', 'other_config', 'bond_mode', 'fake_bridge'];
  const ifaceColumns = ['type', 'options', 'external_ids', 'mtu_request', 'other_config'];
  const out: Record<string, unknown> = { bridge: await list('Bridge', bridge, bridgeColumns) };
  for (const port of (await vsctl(['list-ports', bridge])).split('\n').concat(bridge).filter(Boolean).sort()) {
    out[`port ${strip(port)}`] = await list('Port', port, portColumns);
    for (const iface of (await vsctl(['get', 'Port', port, 'interfaces'])).replace(/[[\]\s]/g, '').split(',')) {
      const name = String((await list('Interface', iface, ['name'])).name);
      out[`iface ${strip(name)}`] = await list('Interface', iface, ifaceColumns);
    }
  }
  return JSON.parse(strip(JSON.stringify(out, (_key, value: unknown) => normalize(value))));
}

beforeAll(async () => {
  lab = await Lab.up({ name: `cmd${randomBytes(2).toString('hex')}`, hosts: 1, autoRanges: true, redis: false });
  host = lab.hosts[0];
  idl = await OvsdbIdl.connect({ remote: host.ovsdbUnix, database: DB, schema: OpenVSwitchSchema, indexes, requestTimeoutMs: 10_000 });
});

afterAll(async () => {
  idl?.close();
  await lab?.down();
});

describe('commands against ovs-vsctl', () => {
  it('add-br + add-port (VLAN access, trunk, vxlan tunnel) give the rows ovs-vsctl gives for the same request', async () => {
    const batch = commands(idl);
    batch.addBridge('ca-br', { datapathType: 'netdev', externalIds: { owner: 'fleet' }, failMode: 'secure', otherConfig: { 'hwaddr': '02:00:00:00:aa:01' } });
    batch.addPort('ca-br', 'ca-acc', { tag: 10, externalIds: { 'iface-id': 'vm1' }, interfaces: [{ name: 'ca-acc', type: 'internal', mtuRequest: 1450 }] });
    batch.addPort('ca-br', 'ca-trk', { trunks: [20, 30], vlanMode: 'trunk', interfaces: [{ name: 'ca-trk', type: 'internal' }] });
    batch.addPort('ca-br', 'ca-vx', { tag: 10, interfaces: [tunnelInterface({ name: 'ca-vx', type: 'vxlan', remoteIp: '203.0.113.99', key: 5001 })] });
    const result = await batch.execute();
    expect(result.status).toBe('success');

    await vsctl([
      'add-br', 'cb-br', '--', 'set', 'Bridge', 'cb-br', 'datapath_type=netdev', 'external_ids:owner=fleet', 'fail_mode=secure', 'other_config:hwaddr="02:00:00:00:aa:01"',
      '--', 'add-port', 'cb-br', 'cb-acc', 'tag=10', 'external_ids:iface-id=vm1', '--', 'set', 'Interface', 'cb-acc', 'type=internal', 'mtu_request=1450',
      '--', 'add-port', 'cb-br', 'cb-trk', 'trunks=20,30', 'vlan_mode=trunk', '--', 'set', 'Interface', 'cb-trk', 'type=internal',
      '--', 'add-port', 'cb-br', 'cb-vx', 'tag=10', '--', 'set', 'Interface', 'cb-vx', 'type=vxlan', 'options:remote_ip=203.0.113.99', 'options:key=5001',
    ]);
    const ours = await describeBridge('ca-br', 'ca-');
    expect(Object.keys(ours as object)).toHaveLength(9);
    expect(ours).toEqual(await describeBridge('cb-br', 'cb-'));
    // The uuids the batch reports are the real rows.
    expect(await vsctl(['get', 'Port', 'ca-acc', '_uuid'])).toBe(result.uuid({ index: 1, command: '' }));
  });

  it('--may-exist and --if-exists behave as in ovs-vsctl', async () => {
    const again = commands(idl);
    again.addBridge('ca-br', { mayExist: true, datapathType: 'system' });
    again.addPort('ca-br', 'ca-acc', { mayExist: true, interfaces: [{ name: 'ca-acc' }] });
    again.delPort('ca-br', 'ca-none', { ifExists: true });
    again.delBridge('ca-none', { ifExists: true });
    expect((await again.execute()).status).toBe('unchanged');
    expect(await vsctl(['get', 'Bridge', 'ca-br', 'datapath_type'])).toBe('netdev');

    const elsewhere = commands(idl);
    elsewhere.addPort('cb-br', 'ca-acc', { mayExist: true });
    const ourMessage = (await elsewhere.execute().catch((e: unknown) => e)) as OvsdbCommandError;
    expect(ourMessage).toBeInstanceOf(OvsdbCommandError);
    const theirs = await vsctl(['--may-exist', 'add-port', 'cb-br', 'ca-acc']).catch((e: Error) => e.message);
    expect(theirs).toContain(ourMessage.reason);

    const taken = commands(idl);
    taken.addPort('cb-br', 'ca-trk');
    const ourConflict = (await taken.execute().catch((e: unknown) => e)) as OvsdbCommandError;
    expect(await vsctl(['add-port', 'cb-br', 'ca-trk']).catch((e: Error) => e.message)).toContain(ourConflict.reason);

    const missing = commands(idl);
    missing.delPort(undefined, 'ca-none');
    const ourMissing = (await missing.execute().catch((e: unknown) => e)) as OvsdbCommandError;
    expect(await vsctl(['del-port', 'ca-none']).catch((e: Error) => e.message)).toContain(ourMissing.reason);
  });

  it('set/add/remove/clear and findRows change the same columns ovs-vsctl reads back', async () => {
    const batch = commands(idl);
    batch.set(Port, 'ca-acc', { tag: 11, 'external_ids:zone': 'a' });
    batch.add(Port, 'ca-trk', 'trunks', [40]);
    batch.remove(Port, 'ca-trk', 'trunks', [20]);
    batch.clear('Interface', 'ca-acc', 'mtu_request');
    const found = batch.findRows(Port, { 'external_ids:zone': 'a' });
    const result = await batch.execute();
    expect(await vsctl(['get', 'Port', 'ca-acc', 'tag'])).toBe('11');
    expect(await vsctl(['get', 'Port', 'ca-acc', 'external_ids:zone'])).toBe('a');
    expect(await vsctl(['get', 'Port', 'ca-trk', 'trunks'])).toBe('[30, 40]');
    expect(await vsctl(['get', 'Interface', 'ca-acc', 'mtu_request'])).toBe('[]');
    expect(result.rows(found).map((row) => row.name)).toEqual(['ca-acc']);
  });

  it('del-br removes the bridge with its ports and interfaces', async () => {
    const batch = commands(idl);
    batch.delBridge('cb-br');
    batch.addPort('ca-br', 'cb-acc', { interfaces: [{ name: 'cb-acc', type: 'internal' }] }); // the name is free again in the same batch
    await batch.execute();
    expect((await vsctl(['list-br'])).split('\n')).not.toContain('cb-br');
    expect(await vsctl(['port-to-br', 'cb-acc'])).toBe('ca-br');
    expect(await vsctl(['--columns=name', 'find', 'Interface', 'name=cb-vx'])).toBe('');
    expect(await vsctl(['--columns=name', 'find', 'Port', 'name=cb-trk'])).toBe('');
  });
});

describe('atomicity', () => {
  it('a batch whose last command fails in planning sends nothing', async () => {
    const batch = commands(idl);
    batch.addBridge('at-br', { datapathType: 'netdev' });
    batch.addPort('at-br', 'at-p1');
    batch.delPort('at-br', 'ca-acc');
    await expect(batch.execute()).rejects.toMatchObject({ commandIndex: 2, reason: 'bridge at-br does not have a port ca-acc' });
    expect((await vsctl(['list-br'])).split('\n')).not.toContain('at-br');
  });

  it('a batch the server refuses at its last operation changes nothing', async () => {
    const batch = commands(idl);
    batch.addBridge('at-br', { datapathType: 'netdev' });
    batch.addPort('at-br', 'at-p1');
    // A collector set naming a bridge that does not exist: referential integrity fails at commit.
    batch.create('Flow_Sample_Collector_Set', { id: 1, bridge: '11111111-2222-4333-8444-555555555555' });
    const error = await batch.execute().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvsdbCommitError);
    expect(error).toMatchObject({ status: 'error', retryable: false });
    expect((error as Error).message).toContain('referential integrity violation');
    expect((await vsctl(['list-br'])).split('\n')).not.toContain('at-br');
    expect(await vsctl(['--columns=name', 'find', 'Port', 'name=at-p1'])).toBe('');
  });
});

describe('waiting for ovs-vswitchd', () => {
  it('after execute({ waitForVswitchd }) resolves, ofports are assigned and the datapath lists the ports', async () => {
    const batch = commands(idl);
    batch.addBridge('wv-br', { datapathType: 'netdev' });
    batch.addPort('wv-br', 'wv-p1', { interfaces: [{ name: 'wv-p1', type: 'internal' }] });
    batch.addPort('wv-br', 'wv-vx', { interfaces: [tunnelInterface({ name: 'wv-vx', type: 'vxlan', remoteIp: '203.0.113.98', key: 7 })] });
    const result = await batch.execute({ waitForVswitchd: true, timeoutMs: 20_000 });
    expect(result.nextCfg).toBeGreaterThan(0);
    // No polling: ovs-vswitchd has already applied the configuration.
    for (const iface of ['wv-br', 'wv-p1', 'wv-vx']) expect(Number(await vsctl(['get', 'Interface', iface, 'ofport']))).toBeGreaterThan(0);
    expect(Number(await vsctl(['get', 'Open_vSwitch', '.', 'cur_cfg']))).toBeGreaterThanOrEqual(result.nextCfg!);
    const dpif = await appctl(['dpif/show']);
    expect(dpif).toMatch(/wv-br:/);
    expect(dpif).toMatch(/wv-p1 \d+\/\d+: \(tap\)/);
    expect(dpif).toMatch(/wv-vx \d+\/\d+: \(vxlan/);

    expect(result.interfaceErrors).toEqual([]);

    // A system interface for a device that does not exist: ovs-vsctl reports it after the reload, so do we.
    const missing = commands(idl);
    missing.addPort('wv-br', 'wv-nodev');
    const reported = await missing.execute({ waitForVswitchd: true, timeoutMs: 20_000 });
    expect(reported.interfaceErrors).toEqual([{ name: 'wv-nodev', uuid: await vsctl(['get', 'Interface', 'wv-nodev', '_uuid']), error: expect.stringContaining('could not open network device wv-nodev') }]);
    const theirs = await run('ovs-vsctl', [`--db=${host.ovsdbUnix}`, '--timeout=10', 'add-port', 'wv-br', 'wv-nodev2']);
    expect(theirs.stderr).toContain(`Error detected while setting up 'wv-nodev2': ${reported.interfaceErrors[0].error!.replace('wv-nodev', 'wv-nodev2')}`);

    const del = commands(idl);
    del.delPort('wv-br', 'wv-p1');
    await del.execute({ waitForVswitchd: true, timeoutMs: 20_000 });
    expect(await appctl(['dpif/show'])).not.toMatch(/wv-p1/);
  });

  it('without ovs-vswitchd the wait times out naming the pending configuration (the transaction committed)', async () => {
    const server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-cmd-' });
    const lonely = await OvsdbIdl.connect({ remote: server.unixRemote, database: DB, schema: OpenVSwitchSchema, indexes });
    try {
      const batch = commands(lonely);
      batch.addBridge('nv-br', { datapathType: 'netdev' });
      const error = await batch.execute({ waitForVswitchd: true, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OvsdbVswitchdTimeoutError);
      expect(error).toMatchObject({ pendingCfg: 1, curCfg: 0, timeoutMs: 300 });
      expect((error as Error).message).toContain('did not apply configuration 1');
      expect(await server.vsctl(['list-br'])).toMatchObject({ stdout: 'nv-br\n' });
    } finally {
      lonely.close();
      await server.dispose();
    }
  });
});

describe('concurrent changes', () => {
  it("a change made after planning makes the transaction 'try again'; the batch re-plans from the fresh replica", async () => {
    // Freeze the replica so the batch plans on a state another client has already changed.
    const release = idl.hold();
    try {
      await vsctl(['add-port', 'ca-br', 'cc-p1', '--', 'set', 'Interface', 'cc-p1', 'type=internal']);
      const mayExist = commands(idl);
      const handle = mayExist.addPort('ca-br', 'cc-p1', { mayExist: true, interfaces: [{ name: 'cc-p1' }] });
      const result = await mayExist.execute({ retries: 3 });
      expect(result.attempts).toBe(2);
      expect(result.status).toBe('unchanged');
      expect(result.uuid(handle)).toBe(await vsctl(['get', 'Port', 'cc-p1', '_uuid']));
    } finally {
      release();
    }
  });

  it('a row written by uuid and deleted meanwhile by another client: try again, then "no row" on the re-plan', async () => {
    await vsctl(['add-br', 'cc-gone', '--', 'set', 'Bridge', 'cc-gone', 'datapath_type=netdev']);
    const uuid = await vsctl(['get', 'Bridge', 'cc-gone', '_uuid']);
    const release = idl.hold();
    try {
      await vsctl(['del-br', 'cc-gone']);
      const batch = commands(idl);
      batch.set('Bridge', uuid, { 'external_ids:owner': 'x' });
      const error = await batch.execute({ retries: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OvsdbCommandError);
      expect((error as Error).message).toContain(`no row "${uuid}" in table Bridge`);
    } finally {
      release();
    }
  });

  it('two clients racing: the same --may-exist port from both and distinct ports, no error, every port once', async () => {
    const other = await OvsdbIdl.connect({ remote: host.ovsdbUnix, database: DB, schema: OpenVSwitchSchema, indexes, requestTimeoutMs: 10_000 });
    try {
      for (let round = 0; round < 15; round++) {
        await Promise.all(
          [idl, other].map((client, i) => {
            const batch = commands(client);
            batch.addPort('ca-br', `race${round}`, { mayExist: true, interfaces: [{ name: `race${round}`, type: 'internal' }] });
            batch.addPort('ca-br', `race${round}-${i}`, { interfaces: [{ name: `race${round}-${i}`, type: 'internal' }] });
            return batch.execute({ retries: 5 });
          }),
        );
      }
      const ports = (await vsctl(['list-ports', 'ca-br'])).split('\n').filter((name) => name.startsWith('race'));
      expect(ports).toHaveLength(45);
      // Without the waits the loser would meet the Port name index instead ("constraint violation");
      // seen here: a re-plan in nearly every round.
      const cleanup = commands(idl);
      for (const port of ports) cleanup.delPort('ca-br', port);
      await cleanup.execute();
    } finally {
      other.close();
    }
  });

  it('a connection dropped while the transaction is in flight: the batch re-plans after the resync', async () => {
    for (let round = 0; round < 5; round++) {
      const batch = commands(idl);
      const handle = batch.addPort('ca-br', `rc${round}`, { mayExist: true, interfaces: [{ name: `rc${round}`, type: 'internal' }] });
      const done = batch.execute({ retries: 5 });
      idl.forceReconnect();
      const result = await done;
      // Whether the first attempt committed or not, the port is there exactly once.
      expect(result.uuid(handle)).toBe(await vsctl(['get', 'Port', `rc${round}`, '_uuid']));
    }
    const ports = (await vsctl(['list-ports', 'ca-br'])).split('\n').filter((name) => name.startsWith('rc'));
    expect(ports.sort()).toEqual(['rc0', 'rc1', 'rc2', 'rc3', 'rc4']);
  });

  it('re-planning reports the conflict as ovs-vsctl would; with no retries the error is a retryable OvsdbCommitError', async () => {
    let release = idl.hold();
    try {
      await vsctl(['add-port', 'ca-br', 'cc-p2', '--', 'set', 'Interface', 'cc-p2', 'type=internal']);
      const strict = commands(idl);
      strict.addPort('ca-br', 'cc-p2');
      await expect(strict.execute({ retries: 3 })).rejects.toThrow('cannot create a port named cc-p2 because a port named cc-p2 already exists on bridge ca-br');
    } finally {
      release();
    }
    release = idl.hold();
    try {
      await vsctl(['del-port', 'cc-p2']);
      const noRetry = commands(idl);
      noRetry.delPort('ca-br', 'cc-p2');
      const error = await noRetry.execute({ retries: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OvsdbCommitError);
      expect(error).toMatchObject({ status: 'try again', retryable: true, attempts: 1 });
    } finally {
      release();
    }
  });
});
