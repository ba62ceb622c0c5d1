/** What one agent needs to know about its host, read from the environment. */
export interface AgentConfig {
  /** The host this agent manages; names its job queue. */
  hostId: string;
  /** Where the host's ovsdb-server listens, in OVSDB remote syntax (unix:PATH, tcp:HOST:PORT, ssl:HOST:PORT). */
  ovsdbRemote: string;
  redisUrl: string;
}

const HOST_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REMOTE = /^(unix:\/.+|tcp:.+:\d+|ssl:.+:\d+)$/;

export class AgentConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'AgentConfigError';
  }
}

export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const hostId = env.OVS_FLEET_HOST_ID ?? '';
  if (!HOST_ID.test(hostId)) {
    throw new AgentConfigError('OVS_FLEET_HOST_ID', `"${hostId}" must be 1-63 lowercase letters, digits or '-', starting with a letter or digit`);
  }
  const ovsdbRemote = env.OVS_FLEET_OVSDB ?? 'unix:/var/run/openvswitch/db.sock';
  if (!REMOTE.test(ovsdbRemote)) {
    throw new AgentConfigError('OVS_FLEET_OVSDB', `"${ovsdbRemote}" is not an OVSDB remote like unix:/path/db.sock or tcp:HOST:6640`);
  }
  const redisUrl = env.OVS_FLEET_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new AgentConfigError('OVS_FLEET_REDIS_URL', `"${redisUrl}" is not a redis:// URL`);
  return { hostId, ovsdbRemote, redisUrl };
}
