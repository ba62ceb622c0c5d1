import { Duplex } from 'node:stream';
import type { DeferredJson } from '../protocol/deferred-json';
import type { TableUpdates2 } from '../protocol/wire';
import { OvsdbClient } from './ovsdb-client';

function clientWithPeer(): { client: OvsdbClient; deliver: (text: string) => void } {
  const stream = new Duplex({
    read() {},
    write(_chunk: Buffer, _encoding, callback) {
      callback();
    },
  });
  return { client: new OvsdbClient(stream, { inactivityProbeMs: 0 }), deliver: (text) => stream.push(text) };
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
