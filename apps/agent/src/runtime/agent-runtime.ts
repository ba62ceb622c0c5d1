import { ownedExternalIds as owned, redisKeys } from '@ovs-fleet/contracts';
import type { OvsdbIdl } from '@ovs-fleet/ovsdb';
import { Plumber } from '@ovs-fleet/plumbing';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { AgentConfig } from '../config/agent-config';
import type { AgentSettings } from '../config/agent-settings';
import { AgentHttpServer, type HealthReport } from '../observability/http-server';
import { redactUrl, type AgentLogger } from '../observability/logger';
import { AgentMetrics, type ReconcileTrigger } from '../observability/metrics';
import { startConvergeWorker } from './converge-worker';
import { Converger } from './converger';
import { readDesiredState } from './desired-state-reader';
import { DriftWatcher } from './drift-watcher';
import { isNoPermission } from './errors';
import { Heartbeat } from './heartbeat';
import { connectHostOvsdb, ovsVersion, portStoreOn } from './host-ovsdb';
import { hostLinkLister, probeHost } from './host-probe';
import { HostReporter } from './host-reporter';
import { convergeJobProcessor, jobsByName } from './job-processor';
import { planJobProcessor } from './plan-job';
import { Reconciler } from './reconciler';

/** Redis refuses this agent's commands on its own host's keys: its ACL user is wrong, and retrying cannot help. */
export class AgentAccessError extends Error {
  constructor(hostId: string, cause: unknown) {
    super(
      `Redis refused the agent of host ${hostId} access to its own keys or queue (${cause instanceof Error ? cause.message : String(cause)}): ` +
        `check the user in OVS_FLEET_REDIS_URL and its ACL rules (agentAclRules('${hostId}', ...))`,
      { cause },
    );
    this.name = 'AgentAccessError';
  }
}

export interface AgentRuntimeOptions {
  config: AgentConfig;
  settings: AgentSettings;
  logger: AgentLogger;
}

/** How long drift reconciles pause after the n-th failure in a row: 1 s, 2 s, 4 s... up to the periodic interval. */
function driftBackoffMs(failures: number, capMs: number): number {
  return Math.min(capMs, 1000 * 2 ** Math.min(failures - 1, 16));
}

/**
 * One host's agent: one OVSDB replica of the host (planner, command batches and plumbing all
 * go through it), a BullMQ worker on the host's queue (concurrency 1), convergence on start,
 * periodically and on drift (one mutex with the jobs), heartbeats, /health and /metrics.
 * `stop()` finishes the job in hand first.
 */
export class AgentRuntime {
  readonly metrics = new AgentMetrics();
  readonly agentStartedAt = Date.now();
  /** Resolves with the reason when the agent cannot go on (Redis refuses its commands): exit non-zero. */
  readonly fatal: Promise<Error>;
  private failWith!: (error: Error) => void;
  private readonly redis: Redis;
  private readonly reporter: HostReporter;
  private readonly heartbeat: Heartbeat;
  private readonly stopSignal = new AbortController();
  private idl: OvsdbIdl | null = null;
  private plumber: Plumber | null = null;
  private reconciler: Reconciler | null = null;
  private drift: DriftWatcher | null = null;
  private worker: Worker | null = null;
  private http: AgentHttpServer | null = null;
  private periodicTimer: NodeJS.Timeout | null = null;
  private driftFailures = 0;
  private stopped: Promise<void> | null = null;

  constructor(private readonly options: AgentRuntimeOptions) {
    const { config, logger } = options;
    this.fatal = new Promise((resolve) => (this.failWith = resolve));
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
    let redisDown = false;
    this.redis.on('error', (error: Error) => {
      if (!redisDown) logger.warn({ err: error }, 'Redis connection error; reconnecting');
      redisDown = true;
    });
    this.redis.on('ready', () => (redisDown = false));
    this.reporter = new HostReporter(this.redis, config.hostId);
    this.heartbeat = new Heartbeat({
      reporter: this.reporter,
      agentStartedAt: this.agentStartedAt,
      ovs: () => ({ connected: this.idl?.isConnected ?? false, version: ovsVersion(this.idl) }),
      logger,
      isFatal: isNoPermission,
      onFatal: (error) => this.fail(new AgentAccessError(config.hostId, error)),
    });
  }

  /** stop() was called: start() may give up half-way, which is not an error then. */
  get stopping(): boolean {
    return this.stopSignal.signal.aborted;
  }

  /** The bound port of /health and /metrics (null: disabled or not started). */
  get httpPort(): number | null {
    return this.http?.port ?? null;
  }

  async start(): Promise<void> {
    const { config, settings, logger } = this.options;
    logger.info({ redis: redactUrl(config.redisUrl), ovsdb: config.ovsdbRemote, hostNetns: settings.hostNetns }, 'agent starting');
    await this.checkRedisAccess();
    this.heartbeat.start();
    if (settings.httpPort !== null) {
      this.http = await AgentHttpServer.listen({ host: settings.httpHost, port: settings.httpPort, registry: this.metrics.registry, health: () => this.health() });
      logger.info({ host: settings.httpHost, port: this.http.port }, '/health and /metrics listening');
    }

    const idl = await connectHostOvsdb({ remote: config.ovsdbRemote, logger, signal: this.stopSignal.signal });
    this.idl = idl;
    this.metrics.ovsdbConnected.set(1);
    idl.on('connected', () => this.ovsdbConnectionChanged(true));
    idl.on('disconnected', (error) => this.ovsdbConnectionChanged(false, error));
    void this.heartbeat.beat();

    const listLinks = hostLinkLister(settings.hostNetns);
    this.plumber = new Plumber({ store: portStoreOn(idl), hostNetns: settings.hostNetns ?? undefined, dockerSocket: settings.dockerSocket ?? undefined, owner: owned.OWNER_VALUE });
    const converger = new Converger({ ovsdb: idl, plumbing: this.plumber, probe: (replica) => probeHost(replica, listLinks), vswitchdTimeoutMs: settings.vswitchdTimeoutMs });
    const reconciler = new Reconciler(converger, this.metrics, logger);
    this.reconciler = reconciler;
    const drift = new DriftWatcher({
      replica: idl.replica,
      listLinks,
      pollMs: settings.linkPollMs,
      debounceMs: settings.driftDebounceMs,
      onDrift: (reasons) => void this.repairDrift(reasons),
      logger,
    });
    this.drift = drift;
    drift.start();
    if (this.stopSignal.signal.aborted) return;

    await this.convergeToStored('start');
    this.periodicTimer = setInterval(() => void this.periodic(), settings.reconcileIntervalS * 1000);
    this.periodicTimer.unref();
    if (this.stopSignal.signal.aborted) return;

    this.worker = startConvergeWorker({
      redisUrl: config.redisUrl,
      hostId: config.hostId,
      lockMs: settings.jobLockMs,
      stalledIntervalMs: settings.stalledIntervalMs,
      logger,
      onNoPermission: (error) => this.fail(new AgentAccessError(config.hostId, error)),
      processor: jobsByName({
        converge: convergeJobProcessor({
          hostId: config.hostId,
          readDesired: () => readDesiredState(this.redis, config.hostId),
          reconciler,
          reporter: this.reporter,
          metrics: this.metrics,
          logger,
          onStart: () => drift.begin(),
          onSettled: (applied) => drift.settled(applied),
        }),
        plan: planJobProcessor({ hostId: config.hostId, replica: idl.replica, probe: (replica) => probeHost(replica, listLinks) }),
      }),
    });
    logger.info({ appliedRevision: reconciler.appliedRevision }, 'agent started');
  }

  /** Stops taking jobs, finishes the one in hand and any reconcile under way, then lets go of everything. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  health(): HealthReport {
    const ovsdbConnected = this.idl?.isConnected ?? false;
    const redis = this.redis.status;
    const worker = this.worker?.isRunning() ?? false;
    return {
      healthy: ovsdbConnected && redis === 'ready' && worker,
      hostId: this.options.config.hostId,
      ovsdbConnected,
      redis,
      worker,
      appliedRevision: this.reconciler?.appliedRevision ?? 0,
      agentStartedAt: new Date(this.agentStartedAt).toISOString(),
    };
  }

  private async shutdown(): Promise<void> {
    const { logger } = this.options;
    logger.info('agent stopping');
    this.stopSignal.abort();
    if (this.periodicTimer !== null) clearInterval(this.periodicTimer);
    this.drift?.stop();
    this.heartbeat.stop();
    await this.worker?.close();
    await this.reconciler?.idle();
    await this.plumber?.close();
    this.idl?.close();
    await this.http?.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
    logger.info('agent stopped');
  }

  private fail(error: Error): void {
    this.options.logger.fatal({ err: error }, error.message);
    this.failWith(error);
  }

  /** Reads the host's desired state and the meshes (read access) and writes its status (write access): NOPERM means a wrong ACL user. */
  private async checkRedisAccess(): Promise<void> {
    const { hostId } = this.options.config;
    try {
      await this.redis.exists(redisKeys.hostDesired(hostId), redisKeys.networkMesh('access-check'));
      await this.reporter.status({ agentStartedAt: this.agentStartedAt });
    } catch (error) {
      if (isNoPermission(error)) throw new AgentAccessError(hostId, error);
      // Redis down: the agent still repairs its host; jobs wait for Redis to come back.
      this.options.logger.warn({ err: error }, 'Redis is unreachable at start; carrying on');
    }
  }

  private ovsdbConnectionChanged(connected: boolean, error?: Error): void {
    this.metrics.ovsdbConnected.set(connected ? 1 : 0);
    if (this.stopSignal.signal.aborted) return;
    if (connected) this.options.logger.info('ovsdb-server connected');
    else this.options.logger.warn({ err: error }, 'ovsdb-server connection lost; reconnecting');
    void this.heartbeat.beat();
  }

  /** Converges to the document stored in Redis now (at start, and periodically until one was planned). */
  private async convergeToStored(trigger: ReconcileTrigger): Promise<void> {
    const { config, logger } = this.options;
    await this.guarded(trigger, async () => {
      const desired = await readDesiredState(this.redis, config.hostId);
      if (desired === null) {
        logger.info({ trigger }, 'no desired state for this host yet');
        return null;
      }
      return this.reconciler!.converge(desired, trigger);
    });
  }

  private async periodic(): Promise<void> {
    const reconciler = this.reconciler;
    if (reconciler === null || reconciler.busy || this.stopSignal.signal.aborted) return;
    if (!reconciler.hasTarget) await this.convergeToStored('periodic');
    else await this.guarded('periodic', () => reconciler.reconcile('periodic'));
  }

  private async repairDrift(reasons: string[]): Promise<void> {
    const reconciler = this.reconciler;
    if (reconciler === null || this.stopSignal.signal.aborted) return;
    await this.guarded('drift', async () => {
      const outcome = await reconciler.reconcile('drift');
      // Most signals are the agent's own changes looked at again: only real drift is worth a line.
      const changed = outcome !== null && outcome.changes > 0;
      this.options.logger[changed ? 'info' : 'debug']({ reasons, changes: outcome?.changes ?? 0 }, changed ? 'drift seen and repaired' : 'nothing to repair');
      return outcome;
    });
  }

  /**
   * Runs a reconcile that is not a job: drift watching ignores what it does, a new applied
   * revision goes into the status hash, failures are logged (drift backs off after them),
   * and NOPERM ends the agent.
   */
  private async guarded(trigger: ReconcileTrigger, run: () => Promise<{ revision: number; advanced: boolean } | null>): Promise<void> {
    const drift = this.drift!;
    drift.begin();
    let outcome: { revision: number; advanced: boolean } | null = null;
    let ok = false;
    try {
      outcome = await run();
      ok = true;
      this.driftFailures = 0;
    } catch (error) {
      if (isNoPermission(error)) return this.fail(new AgentAccessError(this.options.config.hostId, error));
      this.options.logger.warn({ err: error, trigger }, 'reconcile failed');
      if (trigger === 'drift') drift.suspendUntil(Date.now() + driftBackoffMs(++this.driftFailures, this.options.settings.reconcileIntervalS * 1000));
    } finally {
      drift.settled(ok);
    }
    if (outcome?.advanced) {
      await this.reporter.status({ heartbeatAt: Date.now(), appliedRevision: outcome.revision }, true).catch((error: unknown) => {
        if (isNoPermission(error)) this.fail(new AgentAccessError(this.options.config.hostId, error));
        else this.options.logger.warn({ err: error }, 'could not write the applied revision');
      });
    }
  }
}
