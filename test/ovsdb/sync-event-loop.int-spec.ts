/**
 * What a large initial sync costs the event loop, end to end: the reply's bytes through a
 * unix socket, the framing, JSON.parse and the replica's apply, as OvsdbIdl.connect does
 * them, against a server (in this process) that answers monitor_cond_since with a 5 MB
 * snapshot (14,000 ports). The framing decodes each chunk as it arrives and the replica
 * applies in 20 ms slices; the one long block is JSON.parse of the complete reply, which
 * cannot be split (90 to 230 ms for this reply in runs on this project's shared, loaded
 * 2-core machine). So the longest stall is bounded relative to that parse, timed
 * here on the same text: twice it (the parse inside the sync runs cold, with the heap
 * growing) plus 100 ms, the best of up to 3 syncs. And the slicing is what keeps it there:
 * the same sync applied in one slice (the control) stalls at least 50 ms longer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { OvsdbIdl, type TableUpdates2, type WireRow } from '@ovs-fleet/ovsdb';
import { OpenVSwitchSchema, Port } from '@ovs-fleet/ovsdb/vswitch';

const PORTS = 14_000;
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function snapshot(): TableUpdates2 {
  const rows: Record<string, { initial: WireRow }> = {};
  for (let i = 0; i < PORTS; i++) {
    rows[uuid(i + 1)] = {
      initial: {
        _version: ['uuid', uuid(1_000_000 + i)],
        name: `port${i}`,
        interfaces: ['uuid', uuid(2_000_000 + i)],
        tag: i % 4000,
        external_ids: ['map', [['attached-mac', '02:00:00:00:00:01'], ['iface-id', `vm-${i}-nic0-with-a-long-id`]]],
        other_config: ['map', [['priority-tags', 'false']]],
        trunks: ['set', [1, 2, 3]],
      },
    };
  }
  return { Port: rows };
}

/** Answers monitor_cond_since with `reply(id)` and echo with its params; nothing else is expected. */
function fakeServer(reply: (id: unknown) => string): Server {
  return createServer((socket: Socket) => {
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      // Requests are small and come one per write here: each complete object is one message.
      for (;;) {
        const end = completeObjectEnd(buffered);
        if (end < 0) return;
        const message = JSON.parse(buffered.slice(0, end)) as { id: unknown; method: string; params: unknown[] };
        buffered = buffered.slice(end);
        if (message.method === 'monitor_cond_since') socket.write(reply(message.id));
        else if (message.method === 'echo') socket.write(JSON.stringify({ id: message.id, result: message.params, error: null }));
        else socket.write(JSON.stringify({ id: message.id, result: null, error: { error: 'unexpected', details: message.method } }));
      }
    });
  });
}

/** End offset of the first complete top-level object in `text`, or -1. */
function completeObjectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

let dir: string;
let server: Server | undefined;
let idl: OvsdbIdl | undefined;

beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovsdb-sync-stall-'))));
afterEach(async () => {
  idl?.close();
  idl = undefined;
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One initial sync from a fresh server: the longest event-loop stall (ms) while OvsdbIdl.connect
 * receives, parses and applies the snapshot (`sliceMs`: the replica's, default 20 ms). Leaves `server` and `idl` for afterEach, closed
 * first when the next attempt starts.
 */
async function syncStallMs(replyText: (id: unknown) => string, attempt: number, sliceMs?: number): Promise<number> {
  idl?.close();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = fakeServer(replyText);
  const path = join(dir, `db-${attempt}.sock`);
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await tick(20);
    idl = await OvsdbIdl.connect({ remote: `unix:${path}`, database: 'Open_vSwitch', schema: OpenVSwitchSchema, indexes: [{ table: 'Port', column: 'name', unique: true }], sliceMs });
    await tick(20);
  } finally {
    histogram.disable();
  }
  expect(idl.replica.table(Port).size).toBe(PORTS);
  expect(idl.replica.lookup(Port, 'name', 'port5')?.tag).toBe(5);
  return histogram.max / 1e6;
}

describe('OvsdbIdl: a large initial sync and the event loop', () => {
  it('stalls the loop about as long as one JSON.parse of the reply, never for the whole apply (socket, framing, parse, apply)', async () => {
    const updates = snapshot();
    const replyText = (id: unknown) => JSON.stringify({ id, result: [false, uuid(9), updates], error: null });
    const bytes = Buffer.byteLength(replyText(1));
    expect(bytes).toBeGreaterThan(5_000_000);

    // The same parse on its own, warm, the slowest of three (the machine is shared).
    const text = replyText(1);
    let parseMs = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      JSON.parse(text);
      parseMs = Math.max(parseMs, performance.now() - start);
    }
    const boundMs = 2 * parseMs + 100;
    // The best of up to 3 syncs: a pause of the VM's own (a full GC of this process's heap, which in
    // the in-band run holds the earlier suites' garbage) can hit one sync, while an apply that did
    // not yield stalls every one of them by its whole duration (several times the parse here).
    let stallMs = Infinity;
    for (let attempt = 0; attempt < 3 && stallMs >= boundMs; attempt++) stallMs = Math.min(stallMs, await syncStallMs(replyText, attempt));
    expect(stallMs).toBeLessThan(boundMs);
    // The control: the same sync applied in one slice stalls for the parse and the whole apply.
    const unslicedMs = await syncStallMs(replyText, 3, 1e9);
    expect(stallMs + 50).toBeLessThan(unslicedMs);
  }, 90_000);
});
