/**
 * The controller's configuration: read once from the environment (prefix OVS_FLEET_),
 * validated and typed. A bad value stops the process at start with the variable named.
 */
import { hash } from 'node:crypto';

export type Role = 'admin' | 'provisioner' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'provisioner', 'viewer'];

export interface ApiToken {
  /** Who holds it (logs, metrics, rate limits); never the secret. */
  name: string;
  role: Role;
  /** SHA-256 of the token: the secret itself is never kept. */
  sha256: Buffer;
}

export interface ControllerConfig {
  redisUrl: string;
  httpHost: string;
  httpPort: number;
  /**
   * Connections the kernel may hold ready for the server to accept (listen backlog; the kernel
   * caps it at net.core.somaxconn). Node's default, 511, drops the handshakes of a burst of more
   * new connections, and each client dropped waits a second to retry.
   */
  httpBacklog: number;
  tokens: ApiToken[];
  /** How long an operation waits for its hosts before it fails naming those that did not answer. */
  operationTimeoutS: number;
  /** Requests per token per minute. */
  rateLimitPerMinute: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export const ENV_PREFIX = 'OVS_FLEET_';

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[ENV_PREFIX + name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(ENV_PREFIX + name, `"${raw}" must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

export function sha256(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/**
 * OVS_FLEET_TOKENS: comma-separated `name:role:secret`, where secret is the token itself
 * (hashed at once) or `sha256:<64 hex digits>` of it, so a deployment need not hold tokens in clear.
 */
export function parseTokens(raw: string | undefined): ApiToken[] {
  const variable = `${ENV_PREFIX}TOKENS`;
  if (!raw) return [];
  const tokens: ApiToken[] = [];
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, role, ...rest] = entry.split(':');
    const secret = rest.join(':');
    if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ConfigError(variable, `entry "${name ?? ''}:...": the name must be 1-64 letters, digits, '_', '.' or '-'`);
    if (!ROLES.includes(role as Role)) throw new ConfigError(variable, `token "${name}": role "${role}" must be one of ${ROLES.join(', ')}`);
    if (tokens.some((token) => token.name === name)) throw new ConfigError(variable, `token "${name}" is given twice`);
    let hash: Buffer;
    if (secret.startsWith('sha256:')) {
      const hex = secret.slice('sha256:'.length);
      if (!/^[0-9a-f]{64}$/i.test(hex)) throw new ConfigError(variable, `token "${name}": sha256: must be followed by 64 hex digits`);
      hash = Buffer.from(hex, 'hex');
    } else {
      if (secret.length < 16) throw new ConfigError(variable, `token "${name}": the token must be at least 16 characters`);
      hash = sha256(secret);
    }
    tokens.push({ name, role: role as Role, sha256: hash });
  }
  return tokens;
}

const LOG_LEVELS: ControllerConfig['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadControllerConfig(env: NodeJS.ProcessEnv): ControllerConfig {
  const redisUrl = env[`${ENV_PREFIX}REDIS_URL`] || 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new ConfigError(`${ENV_PREFIX}REDIS_URL`, `"${redisUrl}" is not a redis:// URL`);
  const logLevel = (env[`${ENV_PREFIX}LOG_LEVEL`] || 'info') as ControllerConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`${ENV_PREFIX}LOG_LEVEL`, `"${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    redisUrl,
    httpHost: env[`${ENV_PREFIX}HTTP_HOST`] || '127.0.0.1',
    httpPort: integer(env, 'HTTP_PORT', 3000, 0, 65535),
    httpBacklog: integer(env, 'HTTP_BACKLOG', 4096, 1, 65535),
    tokens: parseTokens(env[`${ENV_PREFIX}TOKENS`]),
    operationTimeoutS: integer(env, 'OPERATION_TIMEOUT_S', 60, 1, 86400),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MIN', 6000, 1, 10_000_000),
    logLevel,
  };
}

export const CONTROLLER_CONFIG = Symbol('CONTROLLER_CONFIG');
