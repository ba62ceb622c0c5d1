import { join } from 'node:path';
import { ValidationError } from '@ovs-fleet/iproute';

/** Where labs keep their state and run directories unless told otherwise. */
export const DEFAULT_LAB_ROOT = '/run/ovs-fleet-lab';

/**
 * Lab names are short because they go into interface names: `ovf` + name + `-` + `99u`
 * must stay within 15 bytes. No '-' in the name, so one lab's prefix is never a prefix of
 * another lab's (`ovfa-` vs `ovfab-`).
 */
const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;
export const MAX_HOSTS = 99;
/** Containers' names go into namespace names (`ovf-NAME-c-CNAME`) and podman names. */
const CONTAINER_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Socket paths in the run dir must stay under the 107-byte unix socket limit. */
const MAX_ROOT_LENGTH = 60;

export function assertLabName(name: unknown): string {
  if (typeof name !== 'string' || !LAB_NAME.test(name)) {
    throw new ValidationError('lab name', `"${String(name)}" must be 1-8 characters: a lowercase letter, then lowercase letters or digits`);
  }
  return name;
}

export function assertContainerName(name: unknown): string {
  if (typeof name !== 'string' || !CONTAINER_NAME.test(name)) {
    throw new ValidationError('container name', `"${String(name)}" must be 1-32 characters of lowercase letters, digits, '_' or '-', not starting with '_' or '-'`);
  }
  return name;
}

export function assertHostCount(hosts: unknown): number {
  if (typeof hosts !== 'number' || !Number.isInteger(hosts) || hosts < 1 || hosts > MAX_HOSTS) {
    throw new ValidationError('hosts', `${String(hosts)} must be a whole number from 1 to ${MAX_HOSTS}`);
  }
  return hosts;
}

export function assertLabRoot(root: unknown): string {
  if (typeof root !== 'string' || !root.startsWith('/') || root.length > MAX_ROOT_LENGTH || /[\s\0]/.test(root)) {
    throw new ValidationError('lab root', `"${String(root)}" must be an absolute path of at most ${MAX_ROOT_LENGTH} bytes without whitespace`);
  }
  return root.replace(/\/+$/, '') || '/';
}

/** Every name and path a lab uses, derived from its name alone (so `down` needs nothing else). */
export interface LabNames {
  name: string;
  runDir: string;
  stateFile: string;
  /** Root-namespace links: bridges and the root ends of host veths. */
  linkPrefix: string;
  mgmtBridge: string;
  underlayBridge: string;
  /** The provider segment: a VLAN-transparent Linux bridge (vlan networks' tagged frames cross hosts on it). */
  providerBridge: string;
  /** Namespaces (hosts and plain containers). */
  netnsPrefix: string;
  /** Podman container names. */
  podmanPrefix: string;
  /** Label put on every podman container of this lab. */
  podmanLabel: string;
  redisPidFile: string;
  redisLogFile: string;
  /** Redis's ACL users (`ACL SAVE` writes them here; append-only files do not hold them). */
  redisAclFile: string;
  podmanSocket: string;
  podmanPidFile: string;
  podmanLogFile: string;
}

export const PODMAN_LABEL_KEY = 'ovs-fleet-lab';

export function labNames(name: string, root = DEFAULT_LAB_ROOT): LabNames {
  assertLabName(name);
  const runDir = join(assertLabRoot(root), name);
  const linkPrefix = `ovf${name}-`;
  return {
    name,
    runDir,
    stateFile: join(runDir, 'state.json'),
    linkPrefix,
    mgmtBridge: `${linkPrefix}m`,
    underlayBridge: `${linkPrefix}u`,
    providerBridge: `${linkPrefix}p`,
    netnsPrefix: `ovf-${name}-`,
    podmanPrefix: `ovf-${name}-`,
    podmanLabel: `${PODMAN_LABEL_KEY}=${name}`,
    redisPidFile: join(runDir, 'redis.pid'),
    redisLogFile: join(runDir, 'redis.log'),
    redisAclFile: join(runDir, 'users.acl'),
    podmanSocket: join(runDir, 'podman.sock'),
    podmanPidFile: join(runDir, 'podman.pid'),
    podmanLogFile: join(runDir, 'podman.log'),
  };
}

/** Interface names inside every host namespace (each host has its own, so no prefix). */
export const HOST_MGMT_IF = 'mgmt0';
export const HOST_UPLINK_IF = 'uplink0';
export const UNDERLAY_BRIDGE = 'br-phy';
/** The OVS bridge of each host on the provider segment, and its uplink (a trunk of every VLAN). */
export const PROVIDER_BRIDGE = 'br-prov';
export const HOST_PROVIDER_IF = 'prov0';

export interface HostNames {
  index: number;
  /** `h1`, `h2`, ... */
  id: string;
  netns: string;
  runDir: string;
  rootMgmtVeth: string;
  rootUplinkVeth: string;
  rootProviderVeth: string;
  dbFile: string;
  ovsdbSocket: string;
  ovsdbPidFile: string;
  ovsdbCtl: string;
  ovsdbLog: string;
  vswitchdPidFile: string;
  vswitchdCtl: string;
  vswitchdLog: string;
}

export function hostNames(lab: LabNames, index: number): HostNames {
  if (!Number.isInteger(index) || index < 1 || index > MAX_HOSTS) throw new ValidationError('host index', `${index} is not within 1..${MAX_HOSTS}`);
  const id = `h${index}`;
  const runDir = join(lab.runDir, id);
  return {
    index,
    id,
    netns: `${lab.netnsPrefix}${id}`,
    runDir,
    rootMgmtVeth: `${lab.linkPrefix}${index}m`,
    rootUplinkVeth: `${lab.linkPrefix}${index}u`,
    rootProviderVeth: `${lab.linkPrefix}${index}p`,
    dbFile: join(runDir, 'conf.db'),
    ovsdbSocket: join(runDir, 'db.sock'),
    ovsdbPidFile: join(runDir, 'ovsdb.pid'),
    ovsdbCtl: join(runDir, 'ovsdb.ctl'),
    ovsdbLog: join(runDir, 'ovsdb.log'),
    vswitchdPidFile: join(runDir, 'vswitchd.pid'),
    vswitchdCtl: join(runDir, 'vswitchd.ctl'),
    vswitchdLog: join(runDir, 'vswitchd.log'),
  };
}

export function containerNetns(lab: LabNames, container: string): string {
  return `${lab.netnsPrefix}c-${assertContainerName(container)}`;
}

export function podmanContainerName(lab: LabNames, container: string): string {
  return `${lab.podmanPrefix}${assertContainerName(container)}`;
}
