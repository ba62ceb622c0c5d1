/**
 * What attach/detach/inspect need from the switch's database, and nothing more. The
 * OVSDB implementation is `OvsdbPortStore`; unit tests use an in-memory fake.
 */

export interface NewPort {
  bridge: string;
  /** Port and Interface name: the host-side veth end. */
  name: string;
  tag: number | null;
  trunks: number[];
  mtuRequest: number | null;
  interfaceExternalIds: Record<string, string>;
  portExternalIds: Record<string, string>;
}

export interface PortRow {
  portUuid: string | null;
  interfaceUuid: string;
  name: string;
  /** Bridge holding the port, null if none does (or the port row is gone). */
  bridge: string | null;
  tag: number | null;
  trunks: number[];
  /** The Interface's external_ids. */
  externalIds: Record<string, string>;
  ofport: number | null;
  linkState: string | null;
  mtu: number | null;
  error: string | null;
}

export interface LiveInterface {
  ofport: number;
  error: string | null;
}

export interface PortStore {
  /** Adds a port with one system interface to an existing bridge, in one transaction. */
  addPort(port: NewPort): Promise<{ portUuid: string; interfaceUuid: string }>;
  /**
   * Removes the ports from whatever bridge holds them (a port no bridge holds is fine).
   * Returns the configuration number ovs-vswitchd reaches once it has let go of them
   * (null when nothing was asked).
   */
  deletePorts(portUuids: readonly string[]): Promise<number | null>;
  /** Waits until ovs-vswitchd has applied configuration number `cfg` (Open_vSwitch cur_cfg). */
  waitApplied(cfg: number, timeoutMs: number): Promise<void>;
  /** Ports whose Interface external_ids include every key/value of `match`. */
  find(match: Record<string, string>): Promise<PortRow[]>;
  /** Changes VLAN settings and/or sets (overwrites) Interface external_ids keys. */
  updatePort(row: Pick<PortRow, 'portUuid' | 'interfaceUuid'>, changes: { vlan?: { tag: number | null; trunks: number[] }; externalIds?: Record<string, string> }): Promise<void>;
  /** Waits until ovs-vswitchd has taken the interface (ofport set), up to `timeoutMs`. */
  waitLive(name: string, timeoutMs: number): Promise<LiveInterface>;
  /** Creates a bridge explicitly; never done implicitly by attach. */
  createBridge(name: string, datapathType: string): Promise<void>;
}
