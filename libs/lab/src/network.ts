import { assertInterfaceName, assertNetnsName, ipBatch } from '@ovs-fleet/iproute';
import { HOST_MGMT_IF, HOST_PROVIDER_IF, HOST_UPLINK_IF, HostNames, LabNames, UNDERLAY_BRIDGE } from './naming';
import { LabAddressPlan } from './ranges';

type Command = string[];

/**
 * Root-namespace part of a lab, as `ip` commands for one batch: the host namespaces, the
 * management bridge (with the gateway address), the address-less underlay and provider
 * bridges, and per host three veths whose far ends are created directly inside the host's
 * namespace. The provider bridge is VLAN-transparent (no vlan_filtering: tagged frames pass
 * as they are), so it carries every VLAN of the hosts' br-prov uplinks.
 */
export function rootNetworkCommands(lab: LabNames, plan: LabAddressPlan, hosts: readonly HostNames[]): Command[] {
  const mgmt = assertInterfaceName(lab.mgmtBridge);
  const underlay = assertInterfaceName(lab.underlayBridge);
  const provider = assertInterfaceName(lab.providerBridge);
  const commands: Command[] = hosts.map((h) => ['netns', 'add', assertNetnsName(h.netns)]);
  commands.push(
    ['link', 'add', mgmt, 'type', 'bridge'],
    ['link', 'add', underlay, 'type', 'bridge'],
    ['link', 'add', provider, 'type', 'bridge'],
    ['address', 'add', `${plan.gateway}/${plan.mgmt.prefixLength}`, 'dev', mgmt],
    ['link', 'set', mgmt, 'up'],
    ['link', 'set', underlay, 'up'],
    ['link', 'set', provider, 'up'],
  );
  for (const h of hosts) {
    commands.push(
      ['link', 'add', assertInterfaceName(h.rootMgmtVeth), 'type', 'veth', 'peer', 'name', HOST_MGMT_IF, 'netns', h.netns],
      ['link', 'set', h.rootMgmtVeth, 'master', mgmt, 'up'],
      ['link', 'add', assertInterfaceName(h.rootUplinkVeth), 'type', 'veth', 'peer', 'name', HOST_UPLINK_IF, 'netns', h.netns],
      ['link', 'set', h.rootUplinkVeth, 'master', underlay, 'up'],
      ['link', 'add', assertInterfaceName(h.rootProviderVeth), 'type', 'veth', 'peer', 'name', HOST_PROVIDER_IF, 'netns', h.netns],
      ['link', 'set', h.rootProviderVeth, 'master', provider, 'up'],
    );
  }
  return commands;
}

/** Inside one host before OVS starts: lo, the management address (ovsdb-server binds to it), the uplinks. */
export function hostNetworkCommands(mgmtIp: string, prefixLength: number): Command[] {
  return [
    ['link', 'set', 'lo', 'up'],
    ['address', 'add', `${mgmtIp}/${prefixLength}`, 'dev', HOST_MGMT_IF],
    ['link', 'set', HOST_MGMT_IF, 'up'],
    ['link', 'set', HOST_UPLINK_IF, 'up'],
    ['link', 'set', HOST_PROVIDER_IF, 'up'],
  ];
}

/** Inside one host once ovs-vswitchd made br-phy: the tunnel endpoint address lives there. */
export function underlayAddressCommands(underlayIp: string, prefixLength: number): Command[] {
  return [
    ['address', 'add', `${underlayIp}/${prefixLength}`, 'dev', UNDERLAY_BRIDGE],
    ['link', 'set', UNDERLAY_BRIDGE, 'up'],
  ];
}

export async function buildRootNetwork(lab: LabNames, plan: LabAddressPlan, hosts: readonly HostNames[]): Promise<void> {
  await ipBatch(rootNetworkCommands(lab, plan, hosts));
}
