/**
 * OvsdbIdl with `serverDatabase`: `_Server`'s Database table mirrored on the IDL's own
 * connection (as Python's IDL does), with events from the first sync on when subscribed
 * between OvsdbIdl.create and start, and following databases added and removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { OvsdbIdl, type ChangeEvent, type ChangeSubscription, type ReplicaEvent } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema } from '@ovs-fleet/ovsdb/vswitch';
import { OvsdbTestServer } from '../support/ovsdb-server';

const EXTRA_SCHEMA = { name: 'fleet_extra', version: '1.0.0', tables: { t: { columns: { c: { type: 'string' } } } } };

function drain(subscription: ChangeSubscription): ChangeEvent[] {
  const events: ReplicaEvent[] = [];
  for (let event = subscription.poll(); event !== undefined; event = subscription.poll()) events.push(event);
  if (events.some((event) => event.type === 'gap')) throw new Error('unexpected gap');
  return events as ChangeEvent[];
}

const summary = (events: ChangeEvent[]) => events.map((event) => `${event.type}:${String((event.new ?? event.old).name)}`).sort();

describe('OvsdbIdl mirroring _Server', () => {
  let server: OvsdbTestServer;
  let dir: string;
  let idl: OvsdbIdl | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-idl-server-'));
    server = await OvsdbTestServer.start({ prefix: 'ovs-fleet-idl-server-db-' });
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    idl?.close();
    idl = undefined;
  });

  it('notifies the rows of the first sync, then follows databases added and removed', async () => {
    idl = OvsdbIdl.create({ remote: server.unixRemote, database: 'Open_vSwitch', schema: OpenVSwitchSchema, tables: ['QoS'], serverDatabase: true });
    const events = idl.serverReplica.subscribe();
    await idl.start();
    expect(summary(drain(events))).toEqual(['insert:Open_vSwitch', 'insert:_Server']);
    const row = [...idl.serverReplica.table('Database').values()].find((database) => database.name === 'Open_vSwitch');
    expect(row).toMatchObject({ model: 'standalone', connected: true, leader: true });

    const schemaFile = join(dir, 'extra.ovsschema');
    const dbFile = join(dir, 'extra.db');
    writeFileSync(schemaFile, JSON.stringify(EXTRA_SCHEMA));
    await run('ovsdb-tool', ['create', dbFile, schemaFile]);
    await server.appctl(['ovsdb-server/add-db', dbFile]);
    const names = () => [...idl!.serverReplica.table('Database').values()].map((database) => database.name).sort();
    await idl.serverReplica.waitFor(() => names().includes('fleet_extra'), 5000);
    await server.appctl(['ovsdb-server/remove-db', 'fleet_extra']);
    await idl.serverReplica.waitFor(() => !names().includes('fleet_extra'), 5000);
    expect(summary(drain(events))).toEqual(['delete:fleet_extra', 'insert:fleet_extra']);
    expect(names()).toEqual(['Open_vSwitch', '_Server']);
  });

  it('is off by default: serverReplica refused', async () => {
    idl = await OvsdbIdl.connect({ remote: server.unixRemote, database: 'Open_vSwitch', schema: OpenVSwitchSchema, tables: ['QoS'] });
    expect(() => idl!.serverReplica).toThrow(/serverDatabase/);
  });
});
