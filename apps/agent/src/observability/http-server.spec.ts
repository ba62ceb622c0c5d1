import { request } from 'node:http';
import { AgentHttpServer, type HealthReport } from './http-server';
import { AgentMetrics } from './metrics';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('AgentHttpServer', () => {
  let server: AgentHttpServer | undefined;
  afterEach(async () => server?.close());

  it('/health answers 200 when healthy and 503 when not, with the details; /metrics the registry; anything else 404/405', async () => {
    const metrics = new AgentMetrics();
    metrics.jobs.inc({ outcome: 'applied' });
    let health: HealthReport = { healthy: true, ovsdbConnected: true };
    server = await AgentHttpServer.listen({ host: '127.0.0.1', port: 0, registry: metrics.registry, health: () => health });
    expect(server.port).toBeGreaterThan(0);

    const ok = await get(server.port, '/health');
    expect([ok.status, ok.type, JSON.parse(ok.body)]).toEqual([200, 'application/json', { healthy: true, ovsdbConnected: true }]);
    health = { healthy: false, ovsdbConnected: false };
    expect((await get(server.port, '/health')).status).toBe(503);

    const scraped = await get(server.port, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    expect(scraped.body).toContain('ovsfleet_agent_jobs_total{outcome="applied"} 1');
    expect(scraped.body).toContain('ovsfleet_agent_ovsdb_connected 0');

    expect((await get(server.port, '/other')).status).toBe(404);
    expect((await get(server.port, '/health', 'POST')).status).toBe(405);
  });
});
