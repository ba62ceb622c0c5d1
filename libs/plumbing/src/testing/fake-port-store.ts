import { PortRefusedError } from '../errors';
import { AddedPort, NewPort, PortRow, PortStore, PortUpdate, VswitchdWait } from '../port-store';

/**
 * In-memory PortStore for unit tests: records calls (one entry per transaction), can be told to
 * fail a method once, and refuses what a database would (a missing bridge, a taken name, a gone row).
 */
export class FakePortStore implements PortStore {
  readonly rows = new Map<string, PortRow>();
  readonly calls: string[] = [];
  readonly bridges = new Set<string>(['br-int']);
  failNext: Partial<Record<keyof PortStore, Error>> = {};
  /** What ovs-vswitchd makes of new interfaces: an ofport, -1 (cannot open) or null (not in time). */
  liveOfport: number | null = 1;
  private nextUuid = 1;

  private maybeFail(method: keyof PortStore): void {
    const error = this.failNext[method];
    if (error) {
      delete this.failNext[method];
      throw error;
    }
  }

  private nameOf(portUuid: string): string {
    return this.rows.get(portUuid)?.name ?? portUuid;
  }

  async hasBridge(name: string): Promise<boolean> {
    return this.bridges.has(name);
  }

  async addPorts(ports: readonly NewPort[], wait: VswitchdWait): Promise<AddedPort[]> {
    this.calls.push(`addPorts ${ports.map((p) => p.name).join(',')}`);
    this.maybeFail('addPorts');
    ports.forEach((port, i) => {
      if (!this.bridges.has(port.bridge)) throw new PortRefusedError(i, `no bridge named ${port.bridge}`);
      if ([...this.rows.values()].some((r) => r.name === port.name)) throw new PortRefusedError(i, `cannot create a port named ${port.name} because a port named ${port.name} already exists`);
    });
    const ofport = wait.vswitchdTimeoutMs > 0 ? this.liveOfport : null;
    return ports.map((port) => {
      const portUuid = `p-${this.nextUuid}`;
      const interfaceUuid = `i-${this.nextUuid++}`;
      const error = ofport === -1 ? 'could not open network device (No such device)' : ofport === null && wait.vswitchdTimeoutMs > 0 ? 'not applied in time' : null;
      this.rows.set(portUuid, {
        portUuid, interfaceUuid, name: port.name, bridge: port.bridge, tag: port.tag, trunks: [...port.trunks],
        externalIds: { ...port.interfaceExternalIds }, ofport, linkState: 'up', mtu: port.mtuRequest, error,
      });
      return { portUuid, interfaceUuid, ofport, error };
    });
  }

  async deletePorts(portUuids: readonly string[]): Promise<void> {
    if (portUuids.length === 0) return;
    this.calls.push(`deletePorts ${portUuids.map((u) => this.nameOf(u)).join(',')}`);
    this.maybeFail('deletePorts');
    for (const uuid of portUuids) this.rows.delete(uuid);
  }

  async find(match: Record<string, string>): Promise<PortRow[]> {
    this.maybeFail('find');
    return [...this.rows.values()]
      .filter((r) => Object.entries(match).every(([k, v]) => r.externalIds[k] === v))
      .map((r) => ({ ...r, externalIds: { ...r.externalIds }, trunks: [...r.trunks] }));
  }

  async updatePorts(updates: readonly PortUpdate[]): Promise<void> {
    this.calls.push(`updatePorts ${updates.map((u) => this.nameOf(u.row.portUuid ?? '')).join(',')}`);
    this.maybeFail('updatePorts');
    updates.forEach((update, i) => {
      if (!this.rows.has(update.row.portUuid ?? '')) throw new PortRefusedError(i, `no row "${update.row.portUuid}" in table Port`);
    });
    for (const update of updates) {
      const stored = this.rows.get(update.row.portUuid!)!;
      if (update.vlan) Object.assign(stored, { tag: update.vlan.tag, trunks: [...update.vlan.trunks] });
      if (update.externalIds) Object.assign(stored.externalIds, update.externalIds);
    }
  }

  async createBridge(name: string): Promise<void> {
    this.calls.push(`createBridge ${name}`);
    this.bridges.add(name);
  }
}
