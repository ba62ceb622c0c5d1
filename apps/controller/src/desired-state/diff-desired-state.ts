import { isDeepStrictEqual } from 'node:util';
import type { BridgeSpec, DatapathType, DesiredAttachment, DesiredHostState, DesiredNetwork, DesiredTunnel, PortSpec, ResolvedHostState, TunnelSpec } from '@ovs-fleet/contracts';
import { compareStrings } from './ordering';

/** A bridge of the document: the integration bridge, or one an operator asked for. */
export type DiffBridge = { source: 'integration'; name: string; datapathType: DatapathType } | ({ source: 'operator' } & BridgeSpec);
/** A tunnel port of the document: one of the computed mesh, or one an operator asked for. */
export type DiffTunnel = ({ source: 'mesh' } & DesiredTunnel) | ({ source: 'operator' } & TunnelSpec);

export interface ItemChange<T> {
  /** The item's name (bridges, ports, networks), port name (tunnels) or id (attachments). */
  key: string;
  before: T;
  after: T;
}

export interface CategoryDiff<T> {
  added: T[];
  changed: ItemChange<T>[];
  removed: T[];
}

/** What a new desired-state document changes for its host, per kind of thing; each list sorted by key. */
export interface DesiredStateDiff {
  bridges: CategoryDiff<DiffBridge>;
  /** Operator ports (attachment ports are under `attachments`, tunnel ports under `tunnels`). */
  ports: CategoryDiff<PortSpec>;
  tunnels: CategoryDiff<DiffTunnel>;
  attachments: CategoryDiff<DesiredAttachment>;
  /** Networks as the host sees them (their mesh revision is bookkeeping: the tunnels show what a mesh changes). */
  networks: CategoryDiff<HostNetwork>;
}

export type HostNetwork = Omit<DesiredNetwork, 'meshRevision'>;

function networksOf(state: ResolvedHostState | null): HostNetwork[] {
  return (state?.networks ?? []).map(({ meshRevision: _bookkeeping, ...network }) => network);
}

function bridgesOf(state: DesiredHostState | null): DiffBridge[] {
  if (!state) return [];
  return [
    { source: 'integration' as const, name: state.integrationBridge.name, datapathType: state.integrationBridge.datapathType },
    ...state.operator.bridges.map((bridge) => ({ source: 'operator' as const, ...bridge })),
  ];
}

function tunnelsOf(state: ResolvedHostState | null): DiffTunnel[] {
  if (!state) return [];
  return [
    ...state.tunnels.map((tunnel) => ({ source: 'mesh' as const, ...tunnel })),
    ...state.operator.tunnels.map((tunnel) => ({ source: 'operator' as const, ...tunnel })),
  ];
}

function tunnelPort(tunnel: DiffTunnel): string {
  return tunnel.source === 'mesh' ? tunnel.port : tunnel.name;
}

/**
 * Items matched by `identity` (by default their `key`; bridges and tunnels add their source,
 * so an operator bridge named like the integration bridge is not taken for it). An item on
 * one side only is added or removed; one on both sides but not deeply equal is changed.
 */
function diffCategory<T>(before: readonly T[], after: readonly T[], key: (item: T) => string, identity: (item: T) => string = key): CategoryDiff<T> {
  const old = new Map(before.map((item) => [identity(item), item]));
  const next = new Map(after.map((item) => [identity(item), item]));
  const diff: CategoryDiff<T> = { added: [], changed: [], removed: [] };
  for (const [id, item] of next) {
    const previous = old.get(id);
    if (previous === undefined) diff.added.push(item);
    else if (!isDeepStrictEqual(previous, item)) diff.changed.push({ key: key(item), before: previous, after: item });
  }
  for (const [id, item] of old) if (!next.has(id)) diff.removed.push(item);
  const order = (a: T, b: T) => compareStrings(key(a), key(b)) || compareStrings(identity(a), identity(b));
  diff.added.sort(order);
  diff.removed.sort(order);
  diff.changed.sort((a, b) => order(a.after, b.after));
  return diff;
}

/**
 * What `after` changes compared with `before` (null: the host had no document yet), both with
 * their tunnels resolved, for a dry run. The revision is not compared.
 */
export function diffDesiredState(before: ResolvedHostState | null, after: ResolvedHostState): DesiredStateDiff {
  return {
    bridges: diffCategory(bridgesOf(before), bridgesOf(after), (b) => b.name, (b) => `${b.source}/${b.name}`),
    ports: diffCategory(before?.operator.ports ?? [], after.operator.ports, (p) => p.name),
    tunnels: diffCategory(tunnelsOf(before), tunnelsOf(after), tunnelPort, (t) => `${t.source}/${tunnelPort(t)}`),
    attachments: diffCategory(before?.attachments ?? [], after.attachments, (a) => a.id),
    networks: diffCategory(networksOf(before), networksOf(after), (n) => n.name),
  };
}

/** True when the diff has nothing added, changed or removed in any category. */
export function isEmptyDiff(diff: DesiredStateDiff): boolean {
  return Object.values(diff).every((category: CategoryDiff<unknown>) => category.added.length + category.changed.length + category.removed.length === 0);
}

/** Whether two documents ask for the same host state, whatever their revisions (and key order). */
export function isSameDesiredState(a: DesiredHostState, b: DesiredHostState): boolean {
  return isDeepStrictEqual({ ...a, revision: 0 }, { ...b, revision: 0 });
}
