import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ExplainInterceptor } from './common/explain';
import { AttachmentsModule } from './attachments/attachments.module';
import { AuthModule } from './auth';
import { ConfigModule } from './config/config.module';
import { FleetMetricsModule } from './fleet-metrics/fleet-metrics.module';
import { GraphqlApiModule } from './graphql/graphql-api.module';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { HostsModule } from './hosts/hosts.module';
import { HostsService } from './hosts/hosts.service';
import { HostQueues } from './jobs/host-queues';
import { NetworksModule } from './networks/networks.module';
import { ObservabilityModule } from './observability/observability.module';
import { OperationsModule } from './operations/operations.module';
import { OvsResourcesModule } from './ovs-resources/ovs-resources.module';
import { RedisModule } from './redis/redis.module';
import { StateModule } from './state/state.module';
import { TopologyModule } from './topology/topology.module';

@Module({
  providers: [{ provide: APP_INTERCEPTOR, useClass: ExplainInterceptor }],
  imports: [
    ConfigModule,
    RedisModule,
    ObservabilityModule.forRoot(),
    AuthModule,
    StateModule,
    IdempotencyModule,
    HealthModule.withSources({
      imports: [HostsModule],
      inject: [HostQueues, HostsService],
      useFactory: (queues: HostQueues, hosts: HostsService) => ({ queueBacklog: () => queues.backlog(), hosts: () => hosts.ages() }),
    }),
    OperationsModule,
    HostsModule,
    NetworksModule,
    AttachmentsModule,
    GraphqlApiModule,
    OvsResourcesModule,
    TopologyModule,
    FleetMetricsModule,
  ],
})
export class AppModule {}
