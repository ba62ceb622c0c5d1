import { isIP } from 'node:net';
import { OvsdbValidationError } from '../schema/validation-error';
import { toMap, type InterfaceSpec, type StringMap } from './vswitch';

export type TunnelType = 'vxlan' | 'gre' | 'geneve';

export interface TunnelSpec {
  /** The interface name (also the port name when used as `addPort(bridge, name, { interfaces: [t] })`). */
  name: string;
  type: TunnelType;
  /** The peer's address, or 'flow' (set by OpenFlow actions). */
  remoteIp: string;
  /** VNI (vxlan, geneve: 24 bits) or GRE key (32 bits), or 'flow'. Absent: 0. */
  key?: number | 'flow';
  localIp?: string;
  /** UDP destination port (vxlan, geneve). */
  dstPort?: number;
  /** Other `options:` keys, as given. */
  options?: StringMap;
  externalIds?: StringMap;
  mtuRequest?: number;
}

const KEY_BITS: Record<TunnelType, number> = { vxlan: 24, geneve: 24, gre: 32 };

function address(field: string, value: string): string {
  if (value !== 'flow' && isIP(value) === 0) throw new OvsdbValidationError(`Interface.options:${field}`, value, 'is not an IP address (or "flow")');
  return value;
}

/** An Interface for a tunnel port: `type` and `options:remote_ip/key/local_ip/dst_port`, checked. */
export function tunnelInterface(spec: TunnelSpec): InterfaceSpec {
  if (!(spec.type in KEY_BITS)) throw new OvsdbValidationError('Interface.type', spec.type, 'is not a tunnel type (vxlan, gre, geneve)');
  const options = new Map(toMap(spec.options));
  options.set('remote_ip', address('remote_ip', spec.remoteIp));
  if (spec.localIp !== undefined) options.set('local_ip', address('local_ip', spec.localIp));
  if (spec.key !== undefined) {
    const max = 2 ** KEY_BITS[spec.type] - 1;
    if (spec.key !== 'flow' && !(Number.isInteger(spec.key) && spec.key >= 0 && spec.key <= max)) {
      throw new OvsdbValidationError('Interface.options:key', spec.key, `is not a ${spec.type} key (0 to ${max}, or "flow")`);
    }
    options.set('key', String(spec.key));
  }
  if (spec.dstPort !== undefined) {
    if (spec.type === 'gre') throw new OvsdbValidationError('Interface.options:dst_port', spec.dstPort, 'does not apply to gre');
    if (!(Number.isInteger(spec.dstPort) && spec.dstPort > 0 && spec.dstPort <= 65535)) throw new OvsdbValidationError('Interface.options:dst_port', spec.dstPort, 'is not a UDP port (1 to 65535)');
    options.set('dst_port', String(spec.dstPort));
  }
  const iface: InterfaceSpec = { name: spec.name, type: spec.type, options };
  if (spec.externalIds !== undefined) iface.externalIds = spec.externalIds;
  if (spec.mtuRequest !== undefined) iface.mtuRequest = spec.mtuRequest;
  return iface;
}
