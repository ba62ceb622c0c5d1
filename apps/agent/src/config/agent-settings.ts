/**
 * The agent's tunables, read once from the environment (prefix OVS_FLEET_), validated and
 * typed. Who the agent is and what it talks to (host id, OVSDB remote, Redis URL) is in
 * agent-config.ts; everything here has a default. A bad value stops the agent at start
 * with the variable named.
 */
import { assertNetnsName } from '@ovs-fleet/iproute';
import { AgentConfigError } from './agent-config';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface AgentSettings {
  /** Reconcile the host against the last document converged to this often, drift or not. */
  reconcileIntervalS: number;
  /** How often our veths and container namespaces are looked at (`ip link`, stat). */
  linkPollMs: number;
  /** A burst of drift signals becomes one reconcile this long after the first. */
  driftDebounceMs: number;
  /** How long the OVSDB transaction of a job may wait for ovs-vswitchd to apply it. */
  vswitchdTimeoutMs: number;
  /** BullMQ lock on the job in hand; after a crash the job is retried once the lock expires. */
  jobLockMs: number;
  /** How often BullMQ looks for jobs whose agent died (stalled). */
  stalledIntervalMs: number;
  /** /health and /metrics: null when disabled (`off`); 0 picks a free port. */
  httpPort: number | null;
  httpHost: string;
  /** Named network namespace holding the host's veth ends and OVS (a lab host); null: the agent's own. */
  hostNetns: string | null;
  /** Docker Engine API socket, for attachments naming a container (podman's works too); null: Docker's default. */
  dockerSocket: string | null;
  logLevel: LogLevel;
}

export const DEFAULT_HTTP_PORT = 9470;

const PREFIX = 'OVS_FLEET_';

function raw(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[PREFIX + name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new AgentConfigError(PREFIX + name, `"${value}" must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function httpPort(env: NodeJS.ProcessEnv): number | null {
  if (raw(env, 'AGENT_HTTP_PORT') === 'off') return null;
  return integer(env, 'AGENT_HTTP_PORT', DEFAULT_HTTP_PORT, 0, 65535);
}

function httpHost(env: NodeJS.ProcessEnv): string {
  const value = raw(env, 'AGENT_HTTP_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(value)) throw new AgentConfigError(`${PREFIX}AGENT_HTTP_HOST`, `"${value}" is not an address or host name`);
  return value;
}

function hostNetns(env: NodeJS.ProcessEnv): string | null {
  const value = raw(env, 'HOST_NETNS');
  if (value === undefined) return null;
  try {
    return assertNetnsName(value, `${PREFIX}HOST_NETNS`);
  } catch {
    throw new AgentConfigError(`${PREFIX}HOST_NETNS`, `"${value}" is not a network namespace name`);
  }
}

function dockerSocket(env: NodeJS.ProcessEnv): string | null {
  const value = raw(env, 'DOCKER_SOCKET');
  if (value === undefined) return null;
  if (!/^\/[^\0\s]*$/.test(value)) throw new AgentConfigError(`${PREFIX}DOCKER_SOCKET`, `"${value}" must be an absolute path`);
  return value;
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const value = raw(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(value as LogLevel)) throw new AgentConfigError(`${PREFIX}LOG_LEVEL`, `"${value}" must be one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

export function loadAgentSettings(env: NodeJS.ProcessEnv): AgentSettings {
  return {
    reconcileIntervalS: integer(env, 'RECONCILE_INTERVAL_S', 30, 1, 86_400),
    linkPollMs: integer(env, 'LINK_POLL_MS', 1000, 100, 60_000),
    driftDebounceMs: integer(env, 'DRIFT_DEBOUNCE_MS', 300, 0, 10_000),
    vswitchdTimeoutMs: integer(env, 'VSWITCHD_TIMEOUT_MS', 10_000, 100, 600_000),
    jobLockMs: integer(env, 'JOB_LOCK_MS', 30_000, 1000, 600_000),
    stalledIntervalMs: integer(env, 'JOB_STALLED_INTERVAL_MS', 30_000, 500, 600_000),
    httpPort: httpPort(env),
    httpHost: httpHost(env),
    hostNetns: hostNetns(env),
    dockerSocket: dockerSocket(env),
    logLevel: logLevel(env),
  };
}
