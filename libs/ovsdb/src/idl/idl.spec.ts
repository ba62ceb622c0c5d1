import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvsdbProtocolError } from '../errors';
import { JsonFrameParser } from '../protocol/framing';
import type { DatabaseSchema } from '../protocol/wire';
import { OvsdbIdl } from './idl';

const SCHEMA: DatabaseSchema = { name: 'db', version: '1.0.0', tables: { T: { columns: { name: { type: 'string' } }, isRoot: true } } };
/** What monitor_cond_since asks with for everything (no last txn id). */
const NO_TXN = '00000000-0000-0000-0000-000000000000';
const SNAPSHOT_TXN = '00000000-0000-0000-0000-00000000000a';
const TXN1 = '00000000-0000-0000-0000-000000000001';
const TXN2 = '00000000-0000-0000-0000-000000000002';
const ROW1 = '10000000-0000-0000-0000-000000000001';
const ROW2 = '10000000-0000-0000-0000-000000000002';

/**
 * A server that answers as ovsdb-server does, in its layout: monitor_cond_since with an
 * empty snapshot, and each transact with the next of `updates` (the update3's table
 * updates, as text) sent before its reply. Records each monitor_cond_since's txn id.
 */
async function fakeServer(dir: string, updates: [txnId: string, text: string][]) {
  const sinceTxnIds: string[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    const parser = new JsonFrameParser((message) => {
      const { id, method, params } = message as { id: number; method: string; params: unknown[] };
      const reply = (result: unknown) => socket.write(JSON.stringify({ id, result, error: null }));
      if (method === 'monitor_cond_since') {
        sinceTxnIds.push(params[3] as string);
        reply([false, SNAPSHOT_TXN, {}]);
      } else if (method === 'transact') {
        const [txnId, text] = updates.shift()!;
        socket.write(`{"id":null,"method":"update3","params":["ovs-fleet-idl","${txnId}",${text}]}`);
        reply([{}]);
      } else if (method === 'echo') {
        reply(params);
      }
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
  });
  const path = join(dir, 'db.sock');
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { remote: `unix:${path}`, sinceTxnIds, close };
}

describe('OvsdbIdl: updates parsed late', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovsdb-idl-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads its writes; an update that does not parse drops the connection with a protocol error, is reported, and the next sync is a full one', async () => {
    const server = await fakeServer(dir, [
      [TXN1, `{"T":{"${ROW1}":{"insert":{"name":"a"}}}}`],
      [TXN2, `{"T":{"${ROW2}":{"insert":{"name":"b"}}},}`],
    ]);
    const idl = await OvsdbIdl.connect({ remote: server.remote, database: 'db', schema: SCHEMA, inactivityProbeMs: 0 });
    try {
      await idl.transact([]);
      expect(idl.replica.get('T', ROW1)?.name).toBe('a');
      expect(idl.replica.lastTxnId).toBe(TXN1);

      const disconnected = new Promise<Error | undefined>((resolve) => idl.once('disconnected', resolve));
      const inconsistency = new Promise<Error>((resolve) => idl.once('inconsistency', resolve));
      const resynced = new Promise((resolve) => idl.once('resynced', resolve));
      await idl.transact([]);
      expect(idl.replica.get('T', ROW2)).toBeUndefined();
      const cause = await disconnected;
      expect(cause).toBeInstanceOf(OvsdbProtocolError);
      expect(cause!.message).toMatch(/: invalid JSON/);
      expect((await inconsistency).message).toMatch(/invalid JSON/);
      await resynced;
      // Not resumed from TXN1: updates after the broken one may have been applied meanwhile.
      expect(server.sinceTxnIds).toEqual([NO_TXN, NO_TXN]);
    } finally {
      idl.close();
      await server.close();
    }
  });
});
