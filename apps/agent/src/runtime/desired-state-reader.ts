import {
  DESIRED_STATE_SCHEMA,
  MeshResolutionError,
  meshNetworks,
  redisKeys,
  resolveHostState,
  type DesiredHostState,
  type NetworkMesh,
  type ResolvedHostState,
} from '@ovs-fleet/contracts';
import { UnreadableDesiredStateError } from './errors';

/** The two Redis reads the reader makes (an ioredis client is one). */
export interface DesiredStateSource {
  get(key: string): Promise<string | null>;
  mget(keys: string[]): Promise<(string | null)[]>;
}

/** Reads of a document and its meshes before a change between the two reads is given up on (retryable). */
const READ_ATTEMPTS = 3;

/**
 * The host's desired-state document as the controller last wrote it, with its tunnels
 * resolved from the meshes of its overlay networks; null when there is none. The document and
 * the meshes are two reads: a mesh missing or older than the document says (a change came
 * between them, e.g. a network deleted) is read again, and after READ_ATTEMPTS a retryable
 * MeshResolutionError. A mesh newer than the document is taken: the host converges to the newest.
 */
export async function readDesiredState(redis: DesiredStateSource, hostId: string): Promise<ResolvedHostState | null> {
  for (let attempt = 1; ; attempt++) {
    const text = await redis.get(redisKeys.hostDesired(hostId));
    if (text === null) return null;
    const doc = parseDesiredState(text, hostId);
    const names = meshNetworks(doc);
    const texts = names.length > 0 ? await redis.mget(names.map((name) => redisKeys.networkMesh(name))) : [];
    const meshes = new Map<string, NetworkMesh>();
    texts.forEach((meshText, i) => {
      if (meshText !== null) meshes.set(names[i], parseNetworkMesh(meshText, names[i]));
    });
    try {
      return resolveHostState(doc, meshes);
    } catch (error) {
      if (!(error instanceof MeshResolutionError) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableDesiredStateError(`${what}not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnreadableDesiredStateError(`${what}not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Checks what the planner cannot: JSON, the schema version this agent knows, the host it is
 * for. The planner checks the rest (DesiredStateError naming the field).
 */
export function parseDesiredState(text: string, hostId: string): DesiredHostState {
  const document = parseObject(text, '');
  const { schema, hostId: documentHost, revision } = document;
  if (schema !== DESIRED_STATE_SCHEMA) throw new UnreadableDesiredStateError(`schema ${JSON.stringify(schema)}: this agent knows schema ${DESIRED_STATE_SCHEMA} only`);
  if (documentHost !== hostId) throw new UnreadableDesiredStateError(`hostId ${JSON.stringify(documentHost)}: this agent is host ${hostId}`);
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) throw new UnreadableDesiredStateError(`revision ${JSON.stringify(revision)} is not a whole number`);
  if (!Array.isArray(document.networks)) throw new UnreadableDesiredStateError('networks is not a list');
  return document as unknown as DesiredHostState;
}

/** A network's mesh as the controller wrote it; the planner checks the tunnels resolved from it. */
export function parseNetworkMesh(text: string, network: string): NetworkMesh {
  const what = `mesh of network ${network}: `;
  const mesh = parseObject(text, what);
  if (mesh.network !== network) throw new UnreadableDesiredStateError(`${what}network ${JSON.stringify(mesh.network)}`);
  if (typeof mesh.revision !== 'number' || !Number.isSafeInteger(mesh.revision)) throw new UnreadableDesiredStateError(`${what}revision ${JSON.stringify(mesh.revision)} is not a whole number`);
  const members = mesh.members;
  const wellFormed = Array.isArray(members) && members.every((m: unknown) => typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>).host === 'string' && typeof (m as Record<string, unknown>).tunnelIp === 'string');
  if (!wellFormed) throw new UnreadableDesiredStateError(`${what}members is not a list of { host, tunnelIp }`);
  return mesh as unknown as NetworkMesh;
}
