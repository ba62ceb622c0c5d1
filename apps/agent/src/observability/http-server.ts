import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What /health reports; `healthy` decides 200 or 503. */
export interface HealthReport {
  healthy: boolean;
  [detail: string]: unknown;
}

export interface AgentHttpOptions {
  host: string;
  /** 0: any free port (read it back from `port`). */
  port: number;
  registry: Registry;
  health: () => HealthReport;
}

/**
 * The agent's own small HTTP endpoint: GET /health (JSON, 200 or 503) and GET /metrics
 * (Prometheus text). Nothing else; bound to loopback unless configured otherwise.
 */
export class AgentHttpServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(options: AgentHttpOptions): Promise<AgentHttpServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/health') {
        const report = options.health();
        response.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
        return;
      }
      if (path === '/metrics') {
        options.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new AgentHttpServer(server, (server.address() as AddressInfo).port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
