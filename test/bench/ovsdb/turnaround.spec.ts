import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnaroundMeter } from './turnaround';

describe('TurnaroundMeter', () => {
  let dir: string;
  let server: Server;
  let path: string;
  /** The server's side of each connection, in order. */
  let peers: Socket[];
  /** The meter's clock, nanoseconds, set by each test. */
  let now: bigint;
  let meter: TurnaroundMeter | undefined;
  const clients: Socket[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turnaround-'));
    path = join(dir, 'sock');
    peers = [];
    now = 0n;
    server = createServer((peer) => peers.push(peer));
    server.listen(path);
    await once(server, 'listening');
  });

  afterEach(async () => {
    meter?.close();
    meter = undefined;
    for (const client of clients.splice(0)) client.destroy();
    for (const peer of peers) peer.destroy();
    server.close();
    await once(server, 'close');
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<{ client: Socket; peer: Socket }> {
    const client = connect(path);
    clients.push(client);
    await once(client, 'connect');
    while (peers.length < clients.length) await new Promise((resolve) => setImmediate(resolve));
    return { client, peer: peers[clients.length - 1] };
  }

  /** The peer sends a reply that arrives at `at` (ns), then the client writes its next request at `writeAt`. */
  async function turn(client: Socket, peer: Socket, at: bigint, writeAt: bigint): Promise<void> {
    now = at;
    const arrived = once(client, 'data');
    peer.write('{"id":0,"result":[],"error":null}');
    await arrived;
    now = writeAt;
    client.write('{"id":1,"method":"transact","params":[]}');
  }

  const installed = () => TurnaroundMeter.install(() => now);

  it('times each reply to the next request written, while recording, on the sockets opened after it was installed', async () => {
    meter = installed();
    const { client, peer } = await open();
    meter.start();
    await turn(client, peer, 1_000_000n, 1_050_000n);
    await turn(client, peer, 2_000_000n, 2_070_000n);
    await turn(client, peer, 3_000_000n, 3_060_000n);
    expect(meter.count).toBe(3);
    expect(meter.medianUs()).toBe(60);
    // The same bytes still reach the peer through the wrapped write.
    expect((await once(peer, 'data'))[0].toString()).toContain('"method":"transact"');
  });

  it('counts only the first write after a reply, from the last data before it', async () => {
    meter = installed();
    const { client, peer } = await open();
    meter.start();
    now = 100_000n;
    const first = once(client, 'data');
    peer.write('{"id":null,"method":"update3","params":[]}');
    await first;
    await turn(client, peer, 200_000n, 230_000n);
    client.write('{"id":2,"method":"echo","params":[]}');
    expect(meter.count).toBe(1);
    expect(meter.medianUs()).toBe(30);
  });

  it('gives no sample for an arrival before start, nor after stop, and none with nothing recorded', async () => {
    meter = installed();
    const { client, peer } = await open();
    await turn(client, peer, 1_000_000n, 1_010_000n);
    now = 1_500_000n;
    const arrived = once(client, 'data');
    peer.write('{"id":1,"result":[],"error":null}');
    await arrived;
    now = 2_000_000n;
    meter.start();
    client.write('{"id":2,"method":"transact","params":[]}');
    expect(meter.medianUs()).toBeUndefined();
    await turn(client, peer, 3_000_000n, 3_040_000n);
    meter.stop();
    await turn(client, peer, 4_000_000n, 4_500_000n);
    expect(meter.count).toBe(1);
    expect(meter.medianUs()).toBe(40);
  });

  it('watches no socket opened before it was installed nor after it was closed', async () => {
    const before = await open();
    meter = installed();
    meter.start();
    await turn(before.client, before.peer, 1_000n, 2_000n);
    meter.close();
    const after = await open();
    await turn(after.client, after.peer, 3_000n, 4_000n);
    expect(meter.count).toBe(0);
  });
});
