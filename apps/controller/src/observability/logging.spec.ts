import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ControllerConfig } from '../config/controller-config';
import { createLogger, logRequests, requestLogger } from './logging';
import { echoRequestIds } from './request-context';
import { listeningFastify } from './testing/fastify-harness';

type Handler = (req: FastifyRequest & { principal?: { name: string } }, logger: Logger) => number;

/** A Fastify server with the controller's request ids and request lines in front of `handler`, logging into `lines`. */
async function harness(logLevel: ControllerConfig['logLevel'], handler: Handler = () => 200) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ logLevel }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const server = await listeningFastify((fastify) => {
    echoRequestIds(fastify);
    logRequests(fastify, logger);
    for (const url of ['/health', '/metrics', '/*']) fastify.all(url, (request, reply) => reply.code(handler(request, logger)).send('{}'));
    fastify.post('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return {};
    });
  });
  const send = async (path: string): Promise<void> => {
    await server.send('POST', path, { authorization: 'Bearer the-secret-token-0123456789', 'x-request-id': 'req-log-1' });
  };
  /** Sends a whole request, then goes away before it is answered. */
  const sendThenHangUp = async (path: string): Promise<void> => {
    await server.sendThenHangUp(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer the-secret-token-0123456789\r\nX-Request-Id: req-log-2\r\nContent-Length: 0\r\n\r\n`);
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { lines, logger, send, sendThenHangUp, close: server.close };
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

  it('writes a line at info, status 499, for a request whose client went away before it was answered', async () => {
    const h = await harness('info');
    try {
      await h.sendThenHangUp('/slow');
      await new Promise((resolve) => setTimeout(resolve, 150)); // the handler ends: no second line
      expect(h.lines).toHaveLength(1);
      expect(h.lines[0]).toMatchObject({ level: 30, msg: 'client closed request', requestId: 'req-log-2', req: { url: '/slow', headers: { authorization: '[redacted]' } }, res: { statusCode: 499 } });
      expect(typeof h.lines[0].responseTime).toBe('number');
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
