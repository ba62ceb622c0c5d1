import { LiveInterface, NewPort, PortRow, PortStore } from '../port-store';

/** In-memory PortStore for unit tests: records calls, can be told to fail one method once. */
export class FakePortStore implements PortStore {
  readonly rows = new Map<string, PortRow>();
  readonly calls: string[] = [];
  readonly bridges = new Set<string>(['br-int']);
  failNext: Partial<Record<keyof PortStore, Error>> = {};
  liveOfport = 1;
  cfg = 0;
  private nextUuid = 1;

  private maybeFail(method: keyof PortStore): void {
    const error = this.failNext[method];
    if (error) {
      delete this.failNext[method];
      throw error;
    }
  }

  async addPort(port: NewPort): Promise<{ portUuid: string; interfaceUuid: string }> {
    this.calls.push(`addPort ${port.name}`);
    this.maybeFail('addPort');
    if (!this.bridges.has(port.bridge)) throw new Error(`bridge "${port.bridge}" does not exist`);
    if ([...this.rows.values()].some((r) => r.name === port.name)) throw new Error(`duplicate port ${port.name}`);
    const portUuid = `p-${this.nextUuid}`;
    const interfaceUuid = `i-${this.nextUuid++}`;
    this.rows.set(portUuid, {
      portUuid, interfaceUuid, name: port.name, bridge: port.bridge, tag: port.tag, trunks: [...port.trunks],
      externalIds: { ...port.interfaceExternalIds }, ofport: this.liveOfport, linkState: 'up', mtu: port.mtuRequest, error: null,
    });
    return { portUuid, interfaceUuid };
  }

  async deletePorts(portUuids: readonly string[]): Promise<number | null> {
    this.calls.push(`deletePorts ${portUuids.map((u) => this.rows.get(u)?.name ?? u).join(',')}`);
    this.maybeFail('deletePorts');
    for (const uuid of portUuids) this.rows.delete(uuid);
    return portUuids.length === 0 ? null : ++this.cfg;
  }

  async waitApplied(cfg: number): Promise<void> {
    this.calls.push(`waitApplied ${cfg}`);
  }

  async find(match: Record<string, string>): Promise<PortRow[]> {
    this.calls.push('find');
    this.maybeFail('find');
    return [...this.rows.values()]
      .filter((r) => Object.entries(match).every(([k, v]) => r.externalIds[k] === v))
      .map((r) => ({ ...r, externalIds: { ...r.externalIds }, trunks: [...r.trunks] }));
  }

  async updatePort(row: Pick<PortRow, 'portUuid' | 'interfaceUuid'>, changes: { vlan?: { tag: number | null; trunks: number[] }; externalIds?: Record<string, string> }): Promise<void> {
    this.calls.push('updatePort');
    this.maybeFail('updatePort');
    const stored = this.rows.get(row.portUuid ?? '');
    if (!stored) throw new Error('the port or interface is gone');
    if (changes.vlan) Object.assign(stored, { tag: changes.vlan.tag, trunks: [...changes.vlan.trunks] });
    if (changes.externalIds) Object.assign(stored.externalIds, changes.externalIds);
  }

  async waitLive(name: string): Promise<LiveInterface> {
    this.calls.push(`waitLive ${name}`);
    this.maybeFail('waitLive');
    return { ofport: this.liveOfport, error: this.liveOfport < 0 ? 'could not open network device' : null };
  }

  async createBridge(name: string): Promise<void> {
    this.calls.push(`createBridge ${name}`);
    this.bridges.add(name);
  }
}
