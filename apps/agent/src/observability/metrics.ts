/**
 * The agent's Prometheus metrics, in a registry of its own (tests build agents repeatedly).
 * Names start with `ovsfleet_agent_`; the controller's start with `ovsfleet_`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const AGENT_METRIC_PREFIX = 'ovsfleet_agent_';

/** What started a reconcile: a job, the agent's start, the periodic timer, or drift seen on the host. */
export type ReconcileTrigger = 'job' | 'start' | 'periodic' | 'drift';

export class AgentMetrics {
  readonly registry = new Registry();

  readonly jobs = new Counter({
    name: `${AGENT_METRIC_PREFIX}jobs_total`,
    help: 'Converge jobs processed, by outcome (applied, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: `${AGENT_METRIC_PREFIX}reconcile_duration_seconds`,
    help: 'Time to converge the host (survey, detaches, transaction, attaches), by trigger and outcome',
    labelNames: ['trigger', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly driftRepairs = new Counter({
    name: `${AGENT_METRIC_PREFIX}drift_repairs_total`,
    help: 'Resources put back after something other than the agent changed them, by resource (bridge, tunnel, port, operator-tunnel, attachment)',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly ovsdbConnected = new Gauge({
    name: `${AGENT_METRIC_PREFIX}ovsdb_connected`,
    help: '1 while the connection to the host ovsdb-server is up',
    registers: [this.registry],
  });

  readonly appliedRevision = new Gauge({
    name: `${AGENT_METRIC_PREFIX}applied_revision`,
    help: 'Revision of the desired state last applied in full',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: AGENT_METRIC_PREFIX });
    this.ovsdbConnected.set(0);
  }
}
