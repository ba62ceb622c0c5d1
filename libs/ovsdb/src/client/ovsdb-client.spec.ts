import type { DeferredJson } from '../protocol/deferred-json';
import { OvsdbProtocolError, OvsdbTransactionError } from '../errors';
import type { Operation, TableUpdates2 } from '../protocol/wire';
import { fakePeer } from '../protocol/testing/fake-peer';
import { OvsdbClient } from './ovsdb-client';

function clientWithPeer(): { client: OvsdbClient; deliver: (text: string) => void } {
  const peer = fakePeer();
  return { client: new OvsdbClient(peer.stream, { inactivityProbeMs: 0 }), deliver: peer.deliver };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const TXN = '00000000-0000-0000-0000-000000000000';
const SERVER_LAYOUT = `{"id":null,"method":"update3","params":["m","${TXN}",{"T":{}}]}`;

describe('OvsdbClient: update notifications', () => {
  it('emits deferred-update3 first, its updates unparsed, then update3 parsed for its listeners', async () => {
    const { client, deliver } = clientWithPeer();
    const seen: string[] = [];
    let deferred: DeferredJson<TableUpdates2> | undefined;
    client.on('deferred-update3', (id, lastTxnId, updates) => {
      seen.push(`deferred ${String(id)} ${lastTxnId} ${updates.pendingLength}`);
      deferred = updates;
    });
    client.on('update3', (id, lastTxnId, updates) => seen.push(`update3 ${String(id)} ${lastTxnId} ${JSON.stringify(updates)}`));
    deliver(SERVER_LAYOUT);
    await tick();
    expect(seen).toEqual([`deferred m ${TXN} 8`, `update3 m ${TXN} {"T":{}}`]);
    expect(deferred!.value).toEqual({ T: {} });
    client.close();
  });

  it('leaves the updates unparsed when nobody listens for update3', async () => {
    const { client, deliver } = clientWithPeer();
    const deferred: DeferredJson<TableUpdates2>[] = [];
    client.on('deferred-update3', (_id, _lastTxnId, updates) => deferred.push(updates));
    deliver(SERVER_LAYOUT);
    await tick();
    expect(deferred.map((updates) => updates.pendingLength)).toEqual([8]);
    client.close();
  });

  it('emits both for a notification in another layout too (parsed whole), update2 alike', async () => {
    const { client, deliver } = clientWithPeer();
    const seen: unknown[] = [];
    client.on('deferred-update3', (id, lastTxnId, updates) => seen.push(['deferred-update3', id, lastTxnId, updates.value]));
    client.on('deferred-update2', (id, updates) => seen.push(['deferred-update2', id, updates.value]));
    client.on('update2', (id, updates) => seen.push(['update2', id, updates]));
    deliver(JSON.stringify({ method: 'update3', params: [['a', 1], TXN, { T: {} }], id: null }));
    deliver('{"id":null,"method":"update2","params":["m",{"U":{}}]}');
    await tick();
    expect(seen).toEqual([
      ['deferred-update3', ['a', 1], TXN, { T: {} }],
      ['deferred-update2', 'm', { U: {} }],
      ['update2', 'm', { U: {} }],
    ]);
    client.close();
  });
});

describe('OvsdbClient: transact', () => {
  function transactPeer() {
    const peer = fakePeer();
    const reply = (id: number, result: unknown) => peer.deliver({ id, result, error: null });
    return { client: new OvsdbClient(peer.stream, { inactivityProbeMs: 0 }), writes: peer.writes, reply };
  }
  const ops: Operation[] = [
    { op: 'insert', table: 'T', row: {} },
    { op: 'delete', table: 'T', where: [] },
  ];

  it('resolves with the results; an error among them rejects with OvsdbTransactionError naming the operation, unless allowErrors', async () => {
    const { client, reply } = transactPeer();
    const done = client.transact('db', ops);
    const failed = client.transact('db', ops);
    const allowed = client.transact('db', ops, { allowErrors: true });
    const refusal = [{ uuid: ['uuid', TXN] }, { error: 'referential integrity violation', details: 'still referenced' }];
    reply(1, [{ uuid: ['uuid', TXN] }, { count: 1 }]);
    reply(2, refusal);
    reply(3, refusal);
    await expect(done).resolves.toEqual([{ uuid: ['uuid', TXN] }, { count: 1 }]);
    const error = (await failed.catch((e: unknown) => e)) as OvsdbTransactionError;
    expect(error).toBeInstanceOf(OvsdbTransactionError);
    expect([error.opIndex, error.operation, error.results]).toEqual([1, ops[1], refusal]);
    await expect(allowed).resolves.toEqual(refusal);
    client.close();
  });

  it('a reply that is not an array rejects with a protocol error, allowErrors or not', async () => {
    const { client, reply } = transactPeer();
    const plain = client.transact('db', ops);
    const allowed = client.transact('db', ops, { allowErrors: true });
    reply(1, { count: 1 });
    reply(2, 'x');
    await expect(plain).rejects.toThrow(new OvsdbProtocolError('transact reply is not an array: {"count":1}'));
    await expect(allowed).rejects.toThrow(new OvsdbProtocolError('transact reply is not an array: "x"'));
    client.close();
  });

  it('a database name that is not an OVSDB id rejects (it does not throw) and sends nothing', async () => {
    const { client, writes } = transactPeer();
    let sent: Promise<unknown> | undefined;
    expect(() => {
      sent = client.transact('no such db', ops);
    }).not.toThrow();
    await expect(sent).rejects.toThrow(TypeError);
    await tick();
    expect(writes).toEqual([]);
    client.close();
  });
});
