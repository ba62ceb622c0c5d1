import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { ControllerConfig } from '../config/controller-config';

/** Header values that must never reach a log line. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'];

const QUIET_ROUTES = new Set(['/health', '/metrics']);

/**
 * The process's pino options: JSON lines at the configured level. A line about a request
 * names it itself (`requestId`, and the request as `req`, serialized only when the line is
 * written): see requestLogMiddleware and the exception filter.
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

type LoggedRequest = IncomingMessage & { id?: unknown; principal?: { name: string }; originalUrl?: string };

/** A logger whose lines name `req` (`requestId`, and the request as `req`): for a line about a request written while serving it. */
export function requestLogger(logger: Logger, req: LoggedRequest): Logger {
  return logger.child({ requestId: req.id, req });
}
type LoggedResponse = ServerResponse & { err?: unknown };

/**
 * Express middleware: one line per request once it is answered (or the client went away),
 * none for health and metrics probes: `request completed` at info, `request errored` at
 * error for a 5xx, with the request, the response, the time taken and the token's name
 * (never its secret). The line is built only when its level is enabled.
 */
export function requestLogMiddleware(logger: Logger): (req: LoggedRequest, res: LoggedResponse, next: () => void) => void {
  return (req, res, next) => {
    if (QUIET_ROUTES.has((req.originalUrl ?? req.url ?? '').split('?')[0])) return next();
    const started = Date.now();
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      const failed = res.statusCode >= 500 || res.err !== undefined;
      if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
      const fields = { requestId: req.id, req, res, responseTime: Date.now() - started, ...(req.principal ? { principal: req.principal.name } : {}) };
      if (failed) logger.error({ ...fields, err: res.err ?? new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
      else logger.info(fields, 'request completed');
    };
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}
