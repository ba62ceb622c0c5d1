import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { apiValidationPipe } from './common/validation';
import { serveOpenApi } from './openapi';

/** What main.ts and every e2e test apply to the app, so tests run what production runs. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(apiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  serveOpenApi(app);
  return app;
}
