import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { createLogger } from './logging';
import { ControllerMetrics } from './metrics';
import { MetricsController } from './metrics.controller';

export interface ObservabilityOptions {
  /** Where log lines go (default: stdout). nestjs-pino keeps one logger per process: the first app built decides. */
  logDestination?: DestinationStream;
}

/** The process's pino logger (logging.ts): nestjs-pino's Logger and the request lines write through it. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * JSON logs with a request id (nestjs-pino over our own logger and request lines: pino-http
 * serialized every request for a logger made per request, whatever the level), `GET /metrics`
 * and the `ControllerMetrics` every feature may inject (global). Needs ConfigModule. The
 * per-request parts (request ids, request lines, HTTP metrics) are Fastify hooks that
 * configureApp (app.setup.ts) adds.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [HTTP_LOGGER],
          // nestjs-pino only adapts Nest's Logger to our pino logger: no middleware of its own (forRoutes: []),
          // whose AsyncLocalStorage per request would make every promise of the process pay a hook.
          // Lines about a request name it themselves (requestLogger).
          useFactory: (logger: Logger) => ({ pinoHttp: { logger }, useExisting: true as const, forRoutes: [] }),
        }),
      ],
      controllers: [MetricsController],
      providers: [
        ControllerMetrics,
        { provide: HTTP_LOGGER, inject: [CONTROLLER_CONFIG], useFactory: (config: ControllerConfig) => createLogger(config, options.logDestination) },
      ],
      exports: [ControllerMetrics, HTTP_LOGGER],
    };
  }
}
