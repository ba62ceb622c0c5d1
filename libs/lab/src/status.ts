import { appctl } from './ovs-host';
import { HostNames, LabNames } from './naming';
import { verifiedPid } from './processes';
import { redisPing } from './redis';
import { LabHost, LabState } from './state';
import { dockerApi } from './podman';

export interface HostStatus {
  id: string;
  hostId: string;
  netns: string;
  /** From `ovs-appctl version` of the host's ovs-vswitchd; undefined when it does not answer. */
  ovsVersion?: string;
  ovsdbServer: boolean;
  ovsVswitchd: boolean;
  mgmtIp: string;
  underlayIp: string;
  ovsdbUnix: string;
  ovsdbTcp: string;
  vswitchdCtl: string;
}

export interface LabStatus {
  name: string;
  ranges: LabState['ranges'];
  gateway: string;
  redis?: { url: string; alive: boolean };
  podman?: { socket: string; alive: boolean };
  hosts: HostStatus[];
}

async function ovsVersion(vswitchdCtl: string): Promise<string | undefined> {
  try {
    const { stdout } = await appctl(vswitchdCtl, ['version']);
    return /\(Open vSwitch\) (\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

async function hostStatus(host: LabHost, names: HostNames): Promise<HostStatus> {
  return {
    id: host.id,
    hostId: host.hostId,
    netns: host.netns,
    ovsVersion: await ovsVersion(host.vswitchdCtl),
    ovsdbServer: verifiedPid(names.ovsdbPidFile, names.runDir) !== undefined,
    ovsVswitchd: verifiedPid(names.vswitchdPidFile, names.runDir) !== undefined,
    mgmtIp: host.mgmtIp,
    underlayIp: host.underlayIp,
    ovsdbUnix: host.ovsdbUnix,
    ovsdbTcp: host.ovsdbTcp,
    vswitchdCtl: host.vswitchdCtl,
  };
}

/** Asks every daemon of the lab whether it is there (in parallel). */
export async function labStatus(lab: LabNames, state: LabState, hostNamesOf: (index: number) => HostNames): Promise<LabStatus> {
  const redis = state.redis;
  const [hosts, redisAlive, podmanAlive] = await Promise.all([
    Promise.all(state.hosts.map((h) => hostStatus(h, hostNamesOf(h.index)))),
    redis ? redisPing(redis.host, redis.port, 1000).then((r) => r === '+PONG', () => false) : Promise.resolve(false),
    verifiedPid(lab.podmanPidFile, lab.runDir) === undefined
      ? Promise.resolve(false)
      : dockerApi(lab.podmanSocket, 'GET', '/_ping', 1000).then((r) => r.status === 200, () => false),
  ]);
  return {
    name: state.name,
    ranges: state.ranges,
    gateway: state.gateway,
    ...(redis ? { redis: { url: redis.url, alive: redisAlive } } : {}),
    ...(state.podman ? { podman: { socket: lab.podmanSocket, alive: podmanAlive } } : {}),
    hosts,
  };
}

/** What of the lab is not running, one name each (`h3 ovs-vswitchd`, `redis`); empty when everything is up. */
export function whatIsDown(status: LabStatus): string[] {
  const down = status.hosts.flatMap((h) => [...(h.ovsdbServer ? [] : [`${h.id} ovsdb-server`]), ...(h.ovsVswitchd ? [] : [`${h.id} ovs-vswitchd`])]);
  if (status.redis && !status.redis.alive) down.push('redis');
  if (status.podman && !status.podman.alive) down.push('podman service');
  return down;
}
