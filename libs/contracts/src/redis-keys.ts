/**
 * Redis keys that both the controller and the agents use. An agent's ACL user may read
 * `hostDesired` of its own host and every `networkMesh` (host ids and tunnel addresses, which
 * the members of a mesh must know of each other anyway), write `hostStatus` and `hostReports` of its own host, use
 * its own queue (`bull:host-ID:*`) and publish on its own events channel; nothing else.
 */
import { hostQueueName } from './jobs';

export const KEY_PREFIX = 'ovsf';

export const redisKeys = {
  /** JSON DesiredHostState, written whole by the controller. */
  hostDesired: (hostId: string): string => `${KEY_PREFIX}:host:${hostId}:desired`,
  /** JSON NetworkMesh of an overlay network, written by the controller; every agent may read every mesh. */
  networkMesh: (network: string): string => `${KEY_PREFIX}:network:${network}:mesh`,
  /** Pattern matching every network's mesh. */
  allNetworkMeshes: `${KEY_PREFIX}:network:*:mesh`,
  /** Hash of HostStatusFields, written by the host's agent. */
  hostStatus: (hostId: string): string => `${KEY_PREFIX}:host:${hostId}:status`,
  /** Stream of ConvergeReport (field `report`), written by the host's agent. */
  hostReports: (hostId: string): string => `${KEY_PREFIX}:host:${hostId}:reports`,
  /** Pub/sub channel on which the agent announces a new report or status (payload: the host id). */
  hostEvents: (hostId: string): string => `${KEY_PREFIX}:host:${hostId}:events`,
  /** Pattern matching every host's events channel. */
  allHostEvents: `${KEY_PREFIX}:host:*:events`,
} as const;

/** The Redis ACL rule set that confines one agent to its own host (see README, security). */
export function agentAclRules(hostId: string, password: string): string[] {
  return [
    'reset',
    'on',
    `>${password}`,
    'resetchannels',
    `&${redisKeys.hostEvents(hostId)}`,
    `~bull:${hostQueueName(hostId)}:*`,
    `%R~${redisKeys.hostDesired(hostId)}`,
    `%R~${redisKeys.allNetworkMeshes}`,
    `~${redisKeys.hostStatus(hostId)}`,
    `~${redisKeys.hostReports(hostId)}`,
    '-@all',
    '+@read',
    '+@write',
    '+@blocking',
    '+@transaction',
    '+@connection',
    '+@pubsub',
    '-@dangerous',
    '-@scripting',
    '+eval',
    '+evalsha',
    '+script|load',
    '+info',
    '-client',
    '+client|setname',
    '+client|getname',
    '+client|id',
    '-scan',
    '-randomkey',
    '-dbsize',
  ];
}
