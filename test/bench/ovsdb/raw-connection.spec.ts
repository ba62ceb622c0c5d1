import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawConnection } from '../peers/raw-jsonrpc';
import { rawConnectionMode } from './contenders';

/** A fake server: answers monitor_cond_since and transact (an update3 and an echo request before each reply; a row named "bad" fails), records what it got. */
function fakeServer(socketPath: string) {
  const seen = { connections: 0, monitors: 0, ids: [] as unknown[] };
  const server: Server = createServer((c) => {
    seen.connections++;
    let buffered = '';
    c.setEncoding('utf8');
    c.on('data', (text: string) => {
      buffered += text;
      // Our client writes one JSON object per request, none nested in a way this split could break.
      const parts = buffered.split(/(?<=\})(?=\{"(?:method|result)")/);
      buffered = '';
      for (const part of parts) {
        let message: { method?: string; id: unknown; params?: unknown[] };
        try {
          message = JSON.parse(part) as typeof message;
        } catch {
          buffered = part;
          continue;
        }
        if (message.method === 'monitor_cond_since') {
          seen.monitors++;
          c.write(JSON.stringify({ id: message.id, result: [false, 'x', {}], error: null }));
        } else if (message.method === 'transact') {
          seen.ids.push(message.id);
          const bad = JSON.stringify(message.params).includes('"bad"');
          c.write(JSON.stringify({ id: null, method: 'update3', params: ['raw', 'y', { Port: {} }] }));
          c.write(JSON.stringify({ id: 'probe', method: 'echo', params: [] }));
          c.write(JSON.stringify({ id: message.id, result: bad ? [{ error: 'constraint violation' }] : [{ count: 1 }], error: null }));
        }
      }
    });
  });
  return { seen, server, listening: new Promise<void>((resolve) => server.listen(socketPath, resolve)) };
}

describe('RawConnection (the raw writer’s kept connection)', () => {
  let dir: string;
  let fake: ReturnType<typeof fakeServer>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raw-connection-'));
    fake = fakeServer(join(dir, 'db.sock'));
    await fake.listening;
  });

  afterEach(async () => {
    await new Promise((resolve) => fake.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every run on one connection and one monitor, with request ids that do not repeat', async () => {
    const connection = await RawConnection.open(join(dir, 'db.sock'), { Port: { columns: ['name'] } });
    const first = await connection.transactions(5, 1, (i) => [{ op: 'comment', comment: `a${i}` }]);
    const second = await connection.transactions(7, 3, (i) => [{ op: 'comment', comment: `b${i}` }]);
    connection.close();
    expect(first.txn).toBe(5);
    expect(second.txn).toBe(7);
    expect(second.seconds).toBeGreaterThan(0);
    expect(fake.seen.connections).toBe(1);
    expect(fake.seen.monitors).toBe(1);
    expect(new Set(fake.seen.ids).size).toBe(12);
  });

  it('opens without a monitor when given none, and a run of none resolves at once', async () => {
    const connection = await RawConnection.open(join(dir, 'db.sock'));
    await expect(connection.transactions(0, 1, () => [])).resolves.toMatchObject({ txn: 0 });
    await connection.transactions(2, 1, () => []);
    connection.close();
    expect(fake.seen.monitors).toBe(0);
    expect(fake.seen.ids).toHaveLength(2);
  });

  it('fails the run on an error result, and refuses runs after it', async () => {
    const connection = await RawConnection.open(join(dir, 'db.sock'));
    await expect(connection.transactions(3, 1, (i) => [{ op: 'insert', table: 'Port', row: { name: i === 1 ? 'bad' : 'ok' } }])).rejects.toThrow('transaction 1 failed: {"error":"constraint violation"}');
    await expect(connection.transactions(1, 1, () => [])).rejects.toThrow('transaction 1 failed');
    connection.close();
  });
});

describe('rawConnectionMode', () => {
  it('opens a connection per run by default, keeps one when asked, and refuses anything else', () => {
    expect(rawConnectionMode(undefined)).toBe('per-run');
    expect(rawConnectionMode('')).toBe('per-run');
    expect(rawConnectionMode('kept')).toBe('kept');
    expect(rawConnectionMode('per-run')).toBe('per-run');
    expect(() => rawConnectionMode('sometimes')).toThrow('BENCH_RAW_CONNECTION must be kept or per-run, got "sometimes"');
  });
});
