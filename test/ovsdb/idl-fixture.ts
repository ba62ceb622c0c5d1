/**
 * One real ovsdb-server for a spec file, and the OvsdbIdl and raw OvsdbClient a test opens on
 * it, closed after each test (also when it fails).
 *
 *   const fx = idlOnServer('ovs-fleet-idl-x-');
 *   it('...', async () => { fx.raw = await OvsdbClient.connect(fx.server.unixRemote); ... });
 */
import type { OvsdbClient, OvsdbIdl } from '@ovs-fleet/ovsdb';
import { OvsdbTestServer } from '../support/ovsdb-server';

export interface IdlFixture {
  server: OvsdbTestServer;
  idl: OvsdbIdl | undefined;
  raw: OvsdbClient | undefined;
}

export function idlOnServer(prefix: string): IdlFixture {
  const fixture = { idl: undefined, raw: undefined } as IdlFixture;
  beforeAll(async () => {
    fixture.server = await OvsdbTestServer.start({ prefix });
  });
  afterAll(async () => {
    await fixture.server?.dispose();
  });
  afterEach(() => {
    fixture.idl?.close();
    fixture.idl = undefined;
    fixture.raw?.close();
    fixture.raw = undefined;
  });
  return fixture;
}

/** The uuid of an `insert` operation's result. */
export const insertedUuid = (result: unknown): string => (result as { uuid: ['uuid', string] }).uuid[1];
