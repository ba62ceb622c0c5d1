import type { BridgeSpec, OperatorResources, PortSpec, TunnelSpec } from '@ovs-fleet/contracts';
import { byKey, sortedRecord } from './ordering';

function bridge(spec: BridgeSpec): BridgeSpec {
  return { name: spec.name, datapathType: spec.datapathType, failMode: spec.failMode, otherConfig: sortedRecord(spec.otherConfig) };
}

function port(spec: PortSpec): PortSpec {
  return {
    name: spec.name,
    bridge: spec.bridge,
    kind: spec.kind,
    tag: spec.tag,
    // a set in OVS: its order carries no meaning
    trunks: [...spec.trunks].sort((a, b) => a - b),
    vlanMode: spec.vlanMode,
    peer: spec.peer,
  };
}

function tunnel(spec: TunnelSpec): TunnelSpec {
  return {
    name: spec.name,
    bridge: spec.bridge,
    type: spec.type,
    remoteIp: spec.remoteIp,
    localIp: spec.localIp,
    key: spec.key,
    dstPort: spec.dstPort,
    csum: spec.csum,
    tos: spec.tos,
    ttl: spec.ttl,
  };
}

/**
 * A copy of a host's operator resources in one canonical form (each list by name, fields and
 * map keys in a fixed order, trunks ascending), so equal resources give byte-identical JSON.
 */
export function canonicalOperatorResources(resources: OperatorResources): OperatorResources {
  return {
    bridges: resources.bridges.map(bridge).sort(byKey((b) => b.name)),
    ports: resources.ports.map(port).sort(byKey((p) => p.name)),
    tunnels: resources.tunnels.map(tunnel).sort(byKey((t) => t.name)),
  };
}
