import { DynamicModule, FactoryProvider, Module, ModuleMetadata } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HEALTH_SOURCES, HealthSources } from './health-sources';
import { HealthService } from './health.service';

export interface HealthSourcesOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => HealthSources | Promise<HealthSources>;
}

/**
 * `GET /health` (public). Imported as is, it reports Redis only; `HealthModule.withSources`
 * adds the queue backlog and the hosts from the features that know them:
 *   HealthModule.withSources({ imports: [JobsModule, HostsModule], inject: [JobsService, HostsService],
 *     useFactory: (jobs, hosts) => ({ queueBacklog: () => jobs.backlog(), hosts: () => hosts.ages() }) })
 */
@Module({ controllers: [HealthController], providers: [HealthService] })
export class HealthModule {
  static withSources(options: HealthSourcesOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      providers: [{ provide: HEALTH_SOURCES, inject: options.inject ?? [], useFactory: options.useFactory as (...deps: unknown[]) => HealthSources }],
    };
  }
}
