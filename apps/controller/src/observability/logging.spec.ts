import { createServer, IncomingMessage, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ControllerConfig } from '../config/controller-config';
import { createLogger, requestLogger, requestLogMiddleware } from './logging';
import { requestContextMiddleware } from './request-context';

type Handler = (req: IncomingMessage & { principal?: { name: string } }, logger: Logger) => number;

/** An HTTP server with the request context and log middleware in front of `handler`, logging into `lines`. */
async function harness(logLevel: ControllerConfig['logLevel'], handler: Handler = () => 200) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ logLevel }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const middleware = requestLogMiddleware(logger);
  const server: Server = createServer((req, res) =>
    requestContextMiddleware(req, res, () =>
      middleware(req, res, () => {
        res.statusCode = handler(req, logger);
        res.end('{}');
      }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const send = (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      request({ host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: 'Bearer the-secret-token-0123456789', 'x-request-id': 'req-log-1' } }, (res) => {
        res.resume();
        // The line is written on 'finish', just after the response goes out.
        res.on('end', () => setTimeout(resolve, 20));
      })
        .on('error', reject)
        .end();
    });
  return { lines, logger, send, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('request log lines', () => {
  it('writes one line per answered request at info: request, response, time taken, token name, never the secret', async () => {
    const h = await harness('info', (req) => ((req.principal = { name: 'ops' }), 202));
    try {
      await h.send('/v1/networks?dryRun=true');
      expect(h.lines).toHaveLength(1);
      expect(h.lines[0]).toMatchObject({
        level: 30,
        msg: 'request completed',
        requestId: 'req-log-1',
        principal: 'ops',
        req: { id: 'req-log-1', method: 'POST', url: '/v1/networks?dryRun=true', headers: { authorization: '[redacted]' } },
        res: { statusCode: 202 },
      });
      expect(typeof h.lines[0].responseTime).toBe('number');
      expect(JSON.stringify(h.lines)).not.toContain('the-secret-token');
    } finally {
      await h.close();
    }
  });

  it('writes a 5xx at error, and only it when the level is warn', async () => {
    let status = 202;
    const h = await harness('warn', () => status);
    try {
      await h.send('/v1/attachments');
      status = 503;
      await h.send('/v1/attachments');
      expect(h.lines).toHaveLength(1);
      expect(h.lines[0]).toMatchObject({ level: 50, msg: 'request errored', requestId: 'req-log-1', res: { statusCode: 503 }, err: { message: 'failed with status code 503' } });
    } finally {
      await h.close();
    }
  });

  it('writes nothing for health and metrics probes', async () => {
    const h = await harness('info');
    try {
      await h.send('/health');
      await h.send('/metrics?x=1');
      expect(h.lines).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('names the request on the lines written while serving it', async () => {
    const h = await harness('warn', (req, logger) => (requestLogger(logger, req).warn('inside'), 200));
    try {
      await h.send('/v1/hosts/h1');
      expect(h.lines).toHaveLength(1);
      expect(h.lines[0]).toMatchObject({ level: 40, msg: 'inside', requestId: 'req-log-1', req: { url: '/v1/hosts/h1', headers: { authorization: '[redacted]' } } });
    } finally {
      await h.close();
    }
  });

  it('carries no request outside one', async () => {
    const h = await harness('info');
    try {
      h.logger.info('boot');
      expect(h.lines[0]).not.toHaveProperty('requestId');
      expect(h.lines[0]).not.toHaveProperty('req');
    } finally {
      await h.close();
    }
  });
});
