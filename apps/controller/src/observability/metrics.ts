/**
 * The controller's Prometheus metrics, in a registry of their own (one per app, so tests can
 * build apps repeatedly). Features inject `ControllerMetrics` and update the metric they own:
 *   jobs        registerJobStateCollector(async () => ({ waiting: 3, active: 1, ... }))
 *   operations  operationHostLatency.observe({ host }, seconds)
 *   hosts       hosts.set(n), hostsConverged.set(n)
 *   IPAM        ipamAddresses.set({ network, subnet, kind: 'allocated' | 'capacity' }, n)
 */
import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'ovsfleet_';

/** Job counts by state (waiting, active, delayed, failed, ...), read when /metrics is scraped. */
export type JobStateCollector = () => Promise<Record<string, number>>;

@Injectable()
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly logger = new Logger(ControllerMetrics.name);
  private jobStateCollector: JobStateCollector | null = null;

  readonly httpRequests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobs = new Gauge({
    name: `${METRIC_PREFIX}jobs`,
    help: 'Converge jobs by state, over every host queue',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.collectJobStates(),
  });

  readonly operationHostLatency = new Histogram({
    name: `${METRIC_PREFIX}operation_host_latency_seconds`,
    help: 'Time from an operation being accepted to a host having applied it, by host',
    labelNames: ['host'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly hosts = new Gauge({
    name: `${METRIC_PREFIX}hosts`,
    help: 'Hosts registered',
    registers: [this.registry],
  });

  readonly hostsConverged = new Gauge({
    name: `${METRIC_PREFIX}hosts_converged`,
    help: 'Hosts whose applied revision is their desired revision',
    registers: [this.registry],
  });

  readonly ipamAddresses = new Gauge({
    name: `${METRIC_PREFIX}ipam_addresses`,
    help: 'Addresses per subnet: allocated, and the capacity that can be handed out',
    labelNames: ['network', 'subnet', 'kind'] as const,
    registers: [this.registry],
  });

  private readonly scrapeCollectors: (() => Promise<void>)[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The jobs feature's source of job counts (one collector; a second replaces the first). */
  registerJobStateCollector(collector: JobStateCollector): void {
    this.jobStateCollector = collector;
  }

  /** Runs before every scrape, to set the fleet gauges (hosts, converged hosts, IPAM) from Redis. */
  registerScrapeCollector(collector: () => Promise<void>): void {
    this.scrapeCollectors.push(collector);
  }

  /** The exposition text for /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    for (const collect of this.scrapeCollectors) {
      try {
        await collect();
      } catch (error) {
        this.logger.warn(`fleet gauges not collected: ${(error as Error).message}`);
      }
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async collectJobStates(): Promise<void> {
    if (!this.jobStateCollector) return;
    try {
      const counts = await this.jobStateCollector();
      this.jobs.reset();
      for (const [state, count] of Object.entries(counts)) this.jobs.set({ state }, count);
    } catch (error) {
      // A scrape while Redis is away shows no job counts rather than failing whole.
      this.jobs.reset();
      this.logger.warn(`job states not collected: ${(error as Error).message}`);
    }
  }
}
