import { ControllerMetrics } from './metrics';
import { CLIENT_CLOSED } from './client-closed';
import { recordHttpMetrics, UNMATCHED_ROUTE } from './http-metrics.hooks';
import { listeningFastify } from './testing/fastify-harness';

async function counted(metrics: ControllerMetrics): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  return (await metrics.httpRequests.get()).values.map(({ labels, value }) => ({ labels, value }));
}

describe('HTTP metrics hooks', () => {
  it('label each request with its route pattern (never the raw URL), method and status, and time it', async () => {
    const metrics = new ControllerMetrics();
    const server = await listeningFastify((fastify) => {
      recordHttpMetrics(fastify, metrics);
      fastify.get('/v1/hosts/:id', () => ({}));
      fastify.delete('/v1/hosts/:id', (_request, reply) => reply.code(409).send({}));
    });
    try {
      await server.send('GET', '/v1/hosts/h1?x=1');
      await server.send('GET', '/v1/hosts/h2');
      await server.send('DELETE', '/v1/hosts/h1');
      await server.send('GET', '/no/such/thing');
      expect(await counted(metrics)).toEqual(
        expect.arrayContaining([
          { labels: { method: 'GET', route: '/v1/hosts/:id', status: '200' }, value: 2 },
          { labels: { method: 'DELETE', route: '/v1/hosts/:id', status: '409' }, value: 1 },
          { labels: { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }, value: 1 },
        ]),
      );
      expect(await counted(metrics)).toHaveLength(3);
      const durations = (await metrics.httpRequestDuration.get()).values.filter((v) => v.metricName?.endsWith('_count'));
      expect(durations.map((v) => [v.labels.route, v.value]).sort()).toEqual([['/v1/hosts/:id', 1], ['/v1/hosts/:id', 2], [UNMATCHED_ROUTE, 1]].sort());
    } finally {
      await server.close();
    }
  });

  it.each([
    ['while it was being served (the whole request sent)', 'Content-Length: 2\r\n\r\n{}'],
    ['before sending all of it', 'Content-Length: 100\r\n\r\n{"net'],
  ])('count a request whose client went away %s, as 499, and only as that', async (_when, rest) => {
    const metrics = new ControllerMetrics();
    const server = await listeningFastify((fastify) => {
      recordHttpMetrics(fastify, metrics);
      fastify.post('/v1/attachments', async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return {};
      });
    });
    try {
      await server.sendThenHangUp(`POST /v1/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${rest}`);
      await new Promise((resolve) => setTimeout(resolve, 200)); // a handler that ran has ended
      expect(await counted(metrics)).toEqual([{ labels: { method: 'POST', route: '/v1/attachments', status: CLIENT_CLOSED }, value: 1 }]);
    } finally {
      await server.close();
    }
  });
});
