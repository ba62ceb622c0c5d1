import { mkdir } from 'node:fs/promises';
import { ipBatch, run } from '@ovs-fleet/iproute';
import { HOST_PROVIDER_IF, HOST_UPLINK_IF, HostNames, PROVIDER_BRIDGE, UNDERLAY_BRIDGE } from './naming';
import { hostNetworkCommands, underlayAddressCommands } from './network';
import { waitFor } from './wait';

const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
export const OVSDB_TCP_PORT = 6640;

export interface HostOvsPlan {
  names: HostNames;
  /** Set as the Open_vSwitch row's external_ids:system-id. */
  systemId: string;
  mgmtIp: string;
  mgmtPrefixLength: number;
  underlayIp: string;
  underlayPrefixLength: number;
  /** The underlay range as a CIDR, as OVS's route table prints it. */
  underlayNetwork: string;
}

const inNetns = (netns: string, argv: readonly string[]) => ['netns', 'exec', netns, ...argv];

function vsctl(names: Pick<HostNames, 'ovsdbSocket'>, args: readonly string[]) {
  return run('ovs-vsctl', [`--db=unix:${names.ovsdbSocket}`, '--timeout=10', ...args]);
}

export function appctl(ctl: string, args: readonly string[]) {
  return run('ovs-appctl', ['-t', ctl, '--timeout=5', ...args]);
}

/**
 * The host's ovsdb-server, inside its namespace, on its database file: a unix socket in the
 * run dir and TCP on the management address. Also how a test restarts it (same file, so
 * nothing in the database is lost).
 */
export async function startOvsdbServer(h: HostNames, mgmtIp: string): Promise<void> {
  await run(
    'ip',
    inNetns(h.netns, [
      'ovsdb-server', h.dbFile,
      `--remote=punix:${h.ovsdbSocket}`,
      `--remote=ptcp:${OVSDB_TCP_PORT}:${mgmtIp}`,
      `--pidfile=${h.ovsdbPidFile}`, `--unixctl=${h.ovsdbCtl}`, `--log-file=${h.ovsdbLog}`,
      '-vconsole:off', '--detach',
    ]),
  );
}

/**
 * One simulated host's Open vSwitch, as in the lab notes: a fresh database, ovsdb-server
 * and ovs-vswitchd started inside the host namespace, br-phy (userspace datapath) holding
 * the uplink with the underlay address on its internal interface, and br-prov (userspace
 * datapath) holding the provider segment's uplink, a trunk for vlan networks.
 */
export async function startHostOvs(plan: HostOvsPlan): Promise<void> {
  const h = plan.names;
  await mkdir(h.runDir, { recursive: true });
  await ipBatch(hostNetworkCommands(plan.mgmtIp, plan.mgmtPrefixLength), { netns: h.netns });
  await run('ovsdb-tool', ['create', h.dbFile, VSWITCH_SCHEMA]);
  await startOvsdbServer(h, plan.mgmtIp);
  await vsctl(h, [
    '--no-wait', '--', 'init',
    '--', 'set', 'Open_vSwitch', '.', `external_ids:system-id=${plan.systemId}`,
    '--', 'add-br', UNDERLAY_BRIDGE, '--', 'set', 'Bridge', UNDERLAY_BRIDGE, 'datapath_type=netdev',
    '--', 'add-port', UNDERLAY_BRIDGE, HOST_UPLINK_IF,
    '--', 'add-br', PROVIDER_BRIDGE, '--', 'set', 'Bridge', PROVIDER_BRIDGE, 'datapath_type=netdev',
    '--', 'add-port', PROVIDER_BRIDGE, HOST_PROVIDER_IF,
  ]);
  await run(
    'ip',
    inNetns(h.netns, [
      'ovs-vswitchd', `unix:${h.ovsdbSocket}`,
      `--pidfile=${h.vswitchdPidFile}`, `--unixctl=${h.vswitchdCtl}`, `--log-file=${h.vswitchdLog}`,
      '-vconsole:off', '--detach',
    ]),
    { env: { ...process.env, OVS_RUNDIR: h.runDir } },
  );
  await ipBatch(underlayAddressCommands(plan.underlayIp, plan.underlayPrefixLength), { netns: h.netns });
  await waitForUnderlayRoute(h.vswitchdCtl, plan.underlayNetwork);
}

/** Tunnels need OVS's own copy of the kernel route to the underlay, out through br-phy. */
async function waitForUnderlayRoute(vswitchdCtl: string, underlayNetwork: string): Promise<void> {
  const wanted = `${underlayNetwork} dev ${UNDERLAY_BRIDGE}`;
  await waitFor(`ovs/route/show to list ${wanted}`, async () => {
    const { stdout } = await appctl(vswitchdCtl, ['ovs/route/show']);
    return stdout.includes(wanted) ? true : undefined;
  });
}
