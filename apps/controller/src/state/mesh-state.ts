import type { Redis } from 'ioredis';
import { isOverlay, redisKeys, resolveHostState, type DesiredHostState, type NetworkMesh, type NetworkRecord, type ResolvedHostState } from '@ovs-fleet/contracts';
import { nextMeshes, type FleetView } from '../desired-state';
import { stateKeys } from './state-keys';
import type { WriteCommands } from './write-commands';

/** The overlay networks' meshes around one change. */
export interface MeshState {
  /** Whether the meshes were read and recomputed (a change of the fleet's topology, or a dry run). */
  computed: boolean;
  /** As stored before the change (computed only). */
  stored: ReadonlyMap<string, NetworkMesh>;
  /** As they will be after it (computed only). */
  next: ReadonlyMap<string, NetworkMesh>;
  /** Networks whose mesh goes with them (computed only). */
  removed: readonly string[];
  /** The revision every document built by this change names, by network. */
  revisions: Readonly<Record<string, number>>;
}

/**
 * The meshes a change builds its documents with. Only a change of hosts or networks can change
 * a mesh: then (and for a dry run, whose diff shows the tunnels) the meshes are read and
 * recomputed; otherwise the current revisions are read from one small hash.
 */
export async function readMeshState(redis: Redis, view: FleetView, deleted: readonly NetworkRecord[], compute: boolean): Promise<MeshState> {
  const live = view.networks.filter((n) => isOverlay(n.type)).map((n) => n.name);
  if (!compute) {
    const revisions = Object.fromEntries(Object.entries(await redis.hgetall(stateKeys.meshRevisions)).map(([name, revision]) => [name, Number(revision)]));
    // A network without a stored mesh (state written before meshes existed) gets one now.
    if (live.every((name) => Object.hasOwn(revisions, name))) return { computed: false, stored: new Map(), next: new Map(), removed: [], revisions };
  }
  const gone = deleted.filter((n) => isOverlay(n.type) && !view.networkByName.has(n.name)).map((n) => n.name);
  const names = [...live, ...gone];
  const texts = names.length > 0 ? await redis.mget(names.map((name) => redisKeys.networkMesh(name))) : [];
  const stored = new Map<string, NetworkMesh>();
  texts.forEach((text, i) => {
    if (text !== null) stored.set(names[i], JSON.parse(text) as NetworkMesh);
  });
  const next = nextMeshes(view, stored);
  const revisions = Object.fromEntries([...next.values()].map((mesh) => [mesh.network, mesh.revision]));
  return { computed: true, stored, next, removed: gone.filter((name) => stored.has(name)), revisions };
}

/** Writes the meshes that changed and removes those of deleted networks, into the change's commit. */
export function stageMeshes(commands: WriteCommands, meshes: MeshState): void {
  if (!meshes.computed) return;
  for (const mesh of meshes.next.values()) {
    if (meshes.stored.get(mesh.network)?.revision === mesh.revision) continue;
    commands.set(redisKeys.networkMesh(mesh.network), JSON.stringify(mesh)).hset(stateKeys.meshRevisions, mesh.network, mesh.revision);
  }
  for (const name of meshes.removed) commands.del([redisKeys.networkMesh(name)]).hdel(stateKeys.meshRevisions, [name]);
}

/**
 * A document with its tunnels, for a dry run's diff and the agents' plans: resolved as the
 * agent would, from the given meshes (networks without one, e.g. gone, contribute none).
 */
export function resolvedForDiff(doc: DesiredHostState, meshes: ReadonlyMap<string, NetworkMesh>): ResolvedHostState {
  const resolvable = { ...doc, networks: doc.networks.filter((n) => !isOverlay(n.type) || meshes.has(n.name)) };
  return { ...resolveHostState(resolvable, meshes), networks: doc.networks };
}
