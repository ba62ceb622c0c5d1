import type { INestApplication } from '@nestjs/common';
import type { Application } from 'express';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { HTTP_LOGGER } from './observability/observability.module';
import { apiValidationPipe } from './common/validation';
import { serveOpenApi } from './openapi';

/** What main.ts and every e2e test apply to the app, so tests run what production runs. */
export function configureApp(app: INestApplication): INestApplication {
  const http = app.getHttpAdapter().getInstance() as Application;
  http.disable('x-powered-by'); // no framework banner for scanners
  // No ETag: Express would hash every body for a validator that no client of this API revalidates with.
  http.set('etag', false);
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(apiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.get<PinoLogger>(HTTP_LOGGER)));
  app.enableShutdownHooks();
  serveOpenApi(app);
  return app;
}
