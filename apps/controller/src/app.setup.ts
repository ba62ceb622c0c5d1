import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { acceptEmptyJsonBodies } from './common/json-body';
import { apiValidationPipe } from './common/validation';
import { logRequests } from './observability/logging';
import { recordHttpMetrics } from './observability/http-metrics.hooks';
import { ControllerMetrics } from './observability/metrics';
import { HTTP_LOGGER } from './observability/observability.module';
import { echoRequestIds, requestIdOf } from './observability/request-context';
import { serveOpenApi } from './openapi';

/** How long a client has to send a whole request (headers and body). */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The HTTP server: Fastify, not Express. Measured with bench:controller, the same controller
 * spent about a quarter less CPU per attachment request on it (Express's router, body-parser
 * and response helpers were a fifth of the total).
 */
export function controllerHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: requestIdOf,
    requestIdHeader: false, // requestIdOf reads X-Request-Id itself, and refuses insane ones
    logger: false, // request lines are ours (logRequests)
    routerOptions: { ignoreTrailingSlash: true }, // `/v1/hosts/` is `/v1/hosts`, as clients written against the Express version expect
    // A client has this long to send a whole request (Fastify's default is no limit, which lets a
    // slow sender hold a connection for ever); answers may take longer (?wait= long polls).
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
}

/** What main.ts and every e2e test apply to the app, before init, so tests run what production runs. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  echoRequestIds(fastify);
  acceptEmptyJsonBodies(app);
  recordHttpMetrics(fastify, app.get(ControllerMetrics));
  logRequests(fastify, app.get<PinoLogger>(HTTP_LOGGER));
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(apiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.get<PinoLogger>(HTTP_LOGGER)));
  app.enableShutdownHooks();
  serveOpenApi(app);
  return app;
}
