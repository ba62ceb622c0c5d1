import { Module } from '@nestjs/common';
import { FleetMetrics } from './fleet-metrics';

/** Job states, per-host operation latency, hosts converged and IPAM usage on /metrics. */
@Module({ providers: [FleetMetrics] })
export class FleetMetricsModule {}
