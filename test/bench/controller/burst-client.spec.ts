import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BurstClient } from './burst-client';

describe('BurstClient', () => {
  let server: Server;
  let port: number;
  const seen: { url?: string; headers: Record<string, unknown>; body: string; remotePort?: number }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body, remotePort: req.socket.remotePort });
        if (req.url === '/chunked') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"a"');
          res.end(':1}');
        } else if (req.url === '/split') {
          const text = JSON.stringify({ échelle: 'x'.repeat(100_000) });
          res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
          res.write(text.slice(0, 10));
          setTimeout(() => res.end(text.slice(10)), 20);
        } else if (req.url === '/close') {
          res.writeHead(400, { 'Content-Type': 'application/json', Connection: 'close', 'Content-Length': 2 });
          res.end('{}');
        } else if (req.url === '/hangup') {
          req.socket.destroy();
        } else {
          const text = JSON.stringify({ echo: JSON.parse(body) as unknown });
          res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => (seen.length = 0));

  it('posts JSON with the given headers and reads the status and JSON answer', async () => {
    const client = new BurstClient(port, { Authorization: 'Bearer t' });
    try {
      const answer = await client.post('/v1/things', { name: 'a' });
      expect(answer).toMatchObject({ status: 202, body: { echo: { name: 'a' } } });
      expect(answer.ms).toBeGreaterThan(0);
      expect(seen[0]).toMatchObject({ url: '/v1/things', body: '{"name":"a"}', headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'content-length': '12' } });
    } finally {
      client.close();
    }
  });

  it('reuses an idle connection and opens one per request in flight', async () => {
    const client = new BurstClient(port, {});
    try {
      await client.post('/', { i: 1 });
      await client.post('/', { i: 2 });
      expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
      await Promise.all([client.post('/', { i: 3 }), client.post('/', { i: 4 })]);
      expect(client.openConnections).toBe(2);
    } finally {
      client.close();
    }
  });

  it('waits for an answer that arrives in pieces', async () => {
    const client = new BurstClient(port, {});
    try {
      const answer = await client.post('/split', {});
      expect(answer.status).toBe(201);
      expect((answer.body as { échelle: string }).échelle).toHaveLength(100_000);
    } finally {
      client.close();
    }
  });

  it('refuses an answer without Content-Length, and one whose connection closes first', async () => {
    const client = new BurstClient(port, {});
    try {
      await expect(client.post('/chunked', {})).rejects.toThrow('an answer without Content-Length: HTTP/1.1 200 OK');
      await expect(client.post('/hangup', {})).rejects.toThrow('the connection closed before the answer was complete');
    } finally {
      client.close();
    }
  });

  it('does not reuse a connection the server closes', async () => {
    const client = new BurstClient(port, {});
    try {
      expect((await client.post('/close', {})).status).toBe(400);
      expect((await client.post('/', { after: true })).status).toBe(202);
      expect(new Set(seen.map((s) => s.remotePort)).size).toBe(2);
    } finally {
      client.close();
    }
  });
});
