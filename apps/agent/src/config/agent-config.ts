import { FleetError } from '@ovs-fleet/errors';
import { formatRemote, isPassive, parseRemote, RemoteSyntaxError } from '@ovs-fleet/ovsdb';

/** What one agent needs to know about its host, read from the environment. */
export interface AgentConfig {
  /** The host this agent manages; names its job queue. */
  hostId: string;
  /** Where the host's ovsdb-server listens, in OVSDB remote syntax as OVS spells it in full (unix:PATH, tcp:HOST:PORT, ssl:HOST:PORT). */
  ovsdbRemote: string;
  redisUrl: string;
}

const HOST_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEFAULT_OVSDB = 'unix:/var/run/openvswitch/db.sock';

/** An environment variable with a value the agent cannot start with. */
export class AgentConfigError extends FleetError {
  readonly code: string = 'AGENT_CONFIG';

  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** OVS's remote syntax through libs/ovsdb (`tcp:HOST` takes the default port 6640); only active remotes, the agent dials. */
function ovsdbRemote(text: string): string {
  let remote;
  try {
    remote = parseRemote(text);
  } catch (error) {
    if (!(error instanceof RemoteSyntaxError)) throw error;
    throw new AgentConfigError('OVS_FLEET_OVSDB', `"${text}" is not an OVSDB remote (${error.reason}); e.g. ${DEFAULT_OVSDB} or tcp:HOST[:PORT]`);
  }
  if (isPassive(remote)) throw new AgentConfigError('OVS_FLEET_OVSDB', `"${text}" is a passive remote; the agent connects to ovsdb-server: give unix:, tcp: or ssl:`);
  return formatRemote(remote);
}

export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const hostId = env.OVS_FLEET_HOST_ID ?? '';
  if (!HOST_ID.test(hostId)) {
    throw new AgentConfigError('OVS_FLEET_HOST_ID', `"${hostId}" must be 1-63 lowercase letters, digits or '-', starting with a letter or digit`);
  }
  const redisUrl = env.OVS_FLEET_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new AgentConfigError('OVS_FLEET_REDIS_URL', `"${redisUrl}" is not a redis:// URL`);
  return { hostId, ovsdbRemote: ovsdbRemote(env.OVS_FLEET_OVSDB ?? DEFAULT_OVSDB), redisUrl };
}
