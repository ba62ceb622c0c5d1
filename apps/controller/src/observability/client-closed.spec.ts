import { onClientClosed } from './client-closed';
import { listeningFastify } from './testing/fastify-harness';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('onClientClosed', () => {
  let closed: string[];
  let served: string[];
  let server: Awaited<ReturnType<typeof listeningFastify>>;

  beforeEach(async () => {
    closed = [];
    served = [];
    server = await listeningFastify((fastify) => {
      onClientClosed(fastify, (request) => closed.push(request.url));
      fastify.post('/slow', async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        served.push(request.url);
        return {};
      });
      fastify.post('/fast', () => ({}));
    });
  });

  afterEach(() => server.close());

  const sendThenHangUp = (path: string, bodyLength: number, body: string) =>
    server.sendThenHangUp(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bodyLength}\r\n\r\n${body}`);

  it('tells of a request whose client went away before all of it arrived', async () => {
    await sendThenHangUp('/fast', 100, '{"net');
    await until(() => closed.length > 0);
    expect(closed).toEqual(['/fast']);
  });

  it('tells of a request whose client went away while it was being served (Fastify runs no hook for it)', async () => {
    await sendThenHangUp('/slow', 2, '{}');
    await until(() => served.length > 0);
    await until(() => closed.length > 0);
    expect({ served, closed }).toEqual({ served: ['/slow'], closed: ['/slow'] });
  });

  it('tells every listener of the instance (one added after it started too)', async () => {
    const second: string[] = [];
    onClientClosed(server.fastify, (request) => second.push(request.url));
    await sendThenHangUp('/slow', 2, '{}');
    await until(() => second.length > 0);
    expect({ closed, second }).toEqual({ closed: ['/slow'], second: ['/slow'] });
  });

  it('says nothing of a request that was answered', async () => {
    expect((await server.send('POST', '/fast')).status).toBe(200);
    expect((await server.send('POST', '/slow')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toEqual([]);
  });
});
