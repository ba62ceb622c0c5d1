import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { httpLoggerOptions } from './logging';
import { ControllerMetrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { requestContextMiddleware } from './request-context';

export interface ObservabilityOptions {
  /** Where log lines go (default: stdout). nestjs-pino keeps one logger per process: the first app built decides. */
  logDestination?: DestinationStream;
}

/**
 * JSON logs with a request id (nestjs-pino), `GET /metrics` and the `ControllerMetrics`
 * every feature may inject (global). Needs ConfigModule.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [CONTROLLER_CONFIG],
          useFactory: (config: ControllerConfig) => {
            const pinoHttp = httpLoggerOptions(config);
            return { pinoHttp: options.logDestination ? [pinoHttp, options.logDestination] : pinoHttp };
          },
        }),
      ],
      controllers: [MetricsController],
      providers: [ControllerMetrics],
      exports: [ControllerMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestContextMiddleware, HttpMetricsMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
