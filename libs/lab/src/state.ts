import { readFile, rename, writeFile } from 'node:fs/promises';
import { LabRanges } from './ranges';

/** Everything a test or an agent needs to reach one simulated host. */
export interface LabHost {
  /** 1-based. */
  index: number;
  /** `h1`, `h2`, ... */
  id: string;
  /** `LAB-h1`: unique across labs; also the Open_vSwitch row's external_ids:system-id. */
  hostId: string;
  netns: string;
  runDir: string;
  /** Path of ovsdb-server's unix socket (reachable from every namespace). */
  ovsdbSocket: string;
  /** OVSDB remotes: `unix:PATH` and `tcp:MGMT_IP:6640`. */
  ovsdbUnix: string;
  ovsdbTcp: string;
  /** For `ovs-appctl -t PATH`. */
  ovsdbCtl: string;
  vswitchdCtl: string;
  ovsdbLog: string;
  vswitchdLog: string;
  mgmtIp: string;
  /** `ADDRESS/PREFIX` as configured on the host's management interface. */
  mgmtAddress: string;
  mgmtInterface: string;
  /** Tunnel endpoint: the address on br-phy. */
  underlayIp: string;
  underlayAddress: string;
  underlayBridge: string;
  uplinkInterface: string;
  /** OVS bridge on the provider segment (vlan networks' `providerBridge`), and its trunk uplink. */
  providerBridge: string;
  providerInterface: string;
}

export interface LabState {
  name: string;
  root: string;
  createdAt: string;
  ranges: LabRanges;
  /** The management bridge's address in the root namespace. */
  gateway: string;
  redis?: { host: string; port: number; url: string };
  hosts: LabHost[];
  /** Set before the first podman container or service is made, so `down` knows to look. */
  podman: boolean;
}

export async function readState(file: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LabState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written whole and renamed into place, so a crash never leaves half a file. */
export async function writeState(file: string, state: LabState): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, JSON.stringify(state, null, 2) + '\n');
  await rename(temp, file);
}
