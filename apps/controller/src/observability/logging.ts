import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { ControllerConfig } from '../config/controller-config';
import { CLIENT_CLOSED, onClientClosed } from './client-closed';

/** Header values that must never reach a log line. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'];

const QUIET_ROUTES = new Set(['/health', '/metrics']);

/** What the `res` serializer makes of a request no answer reached: its status is 499. */
const CLOSED_BEFORE_ANSWER = { statusCode: Number(CLIENT_CLOSED), headersSent: true, getHeaders: () => ({}) };

/**
 * The process's pino options: JSON lines at the configured level. A line about a request
 * names it itself (`requestId`, and the request as `req`, serialized only when the line is
 * written): see logRequests and the exception filter.
 */
export function loggerOptions(config: Pick<ControllerConfig, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: pino.stdSerializers.req, res: pino.stdSerializers.res, err: pino.stdSerializers.err },
  };
}

export function createLogger(config: Pick<ControllerConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}

type LoggedRequest = { id?: unknown; principal?: { name: string } };

/** A logger whose lines name `req` (`requestId`, and the request as `req`): for a line about a request written while serving it. */
export function requestLogger(logger: Logger, req: LoggedRequest): Logger {
  return logger.child({ requestId: req.id, req });
}

/**
 * One line per request once it is answered (Fastify's onResponse), none for health and
 * metrics probes: `request completed` at info, `request errored` at error for a 5xx, with
 * the request, the response, the time taken and the token's name (never its secret); and
 * `client closed request` at info (status 499) for one whose client went away before it was
 * answered. The line is built only when its level is enabled.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request: FastifyRequest & LoggedRequest, reply, done) => {
    const failed = reply.statusCode >= 500;
    if (logger.isLevelEnabled(failed ? 'error' : 'info') && !QUIET_ROUTES.has(request.routeOptions.url ?? '')) {
      const fields = requestLine(request, reply.raw, reply.elapsedTime);
      if (failed) logger.error({ ...fields, err: new Error(`failed with status code ${reply.statusCode}`) }, 'request errored');
      else logger.info(fields, 'request completed');
    }
    done();
  });
  onClientClosed(fastify, (request: FastifyRequest & LoggedRequest, reply) => {
    if (!logger.isLevelEnabled('info') || QUIET_ROUTES.has(request.routeOptions.url ?? '')) return;
    logger.info(requestLine(request, CLOSED_BEFORE_ANSWER, reply.elapsedTime), 'client closed request');
  });
}

/** A request line's fields: the request, its response, the time taken and the token's name (never its secret). */
function requestLine(request: FastifyRequest & LoggedRequest, res: object, responseTime: number): Record<string, unknown> {
  return { requestId: request.id, req: request, res, responseTime, ...(request.principal ? { principal: request.principal.name } : {}) };
}
