import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import type { ControllerConfig } from '../config/controller-config';
import { assignRequestId, currentRequestId } from './request-context';

/** Header values that must never reach a log line. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'];

const QUIET_ROUTES = new Set(['/health', '/metrics']);

/**
 * pino-http options: JSON lines at the configured level, one line per request (none for
 * health and metrics probes) carrying the request id and the token's name, never its secret.
 */
export function httpLoggerOptions(config: Pick<ControllerConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
    // Every line written while serving a request, or a job run under runWithRequestId, names it.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    customProps: (req: IncomingMessage) => {
      const principal = (req as IncomingMessage & { principal?: { name: string } }).principal;
      return principal ? { principal: principal.name } : {};
    },
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.has((req.url ?? '').split('?')[0]) },
  };
}
