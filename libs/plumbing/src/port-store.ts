/**
 * What attach/detach/inspect need from the switch's database, and nothing more. The OVSDB
 * implementation is `IdlPortStore` (libs/ovsdb's replica and command layer); unit tests use an
 * in-memory fake. Every write of a batch is one transaction; a refused item of a batch is a
 * `PortRefusedError` naming its index (nothing of the batch was written).
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

/** A port added by `addPorts`, with what ovs-vswitchd made of its interface. */
export interface AddedPort {
  portUuid: string;
  interfaceUuid: string;
  /** Set by ovs-vswitchd once it has the interface; null when not (yet), -1 when it could not open it. */
  ofport: number | null;
  /** ovs-vswitchd's `Interface.error`, or why the interface is not live (not applied in time). */
  error: string | null;
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

export interface PortUpdate {
  row: Pick<PortRow, 'portUuid' | 'interfaceUuid'>;
  /** New access VLAN or trunks of the Port. */
  vlan?: { tag: number | null; trunks: number[] };
  /** Interface external_ids keys to set (others are kept). */
  externalIds?: Record<string, string>;
}

/** How long to wait for ovs-vswitchd to apply a change (Open_vSwitch cur_cfg); 0: do not wait. */
export interface VswitchdWait {
  vswitchdTimeoutMs: number;
}

export interface PortStore {
  /** Whether a bridge of this name exists. */
  hasBridge(name: string): Promise<boolean>;
  /**
   * Adds ports, each with one system interface, to existing bridges in one transaction; then
   * waits for ovs-vswitchd, and tells for each port whether it took the interface.
   */
  addPorts(ports: readonly NewPort[], wait: VswitchdWait): Promise<AddedPort[]>;
  /** Removes ports from whatever bridge holds them (one missing is fine), in one transaction, then waits for ovs-vswitchd. */
  deletePorts(portUuids: readonly string[], wait: VswitchdWait): Promise<void>;
  /** Ports whose Interface external_ids include every key/value of `match`. */
  find(match: Record<string, string>): Promise<PortRow[]>;
  /** Applies the updates in one transaction; waits for ovs-vswitchd when a VLAN changes. */
  updatePorts(updates: readonly PortUpdate[], wait: VswitchdWait): Promise<void>;
  /** Creates a bridge explicitly; never done implicitly by attach. */
  createBridge(name: string, datapathType: string): Promise<void>;
}
