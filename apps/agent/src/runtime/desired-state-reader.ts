import { DESIRED_STATE_SCHEMA, redisKeys, type DesiredHostState } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';
import { UnreadableDesiredStateError } from './errors';

/**
 * The host's desired-state document as the controller last wrote it, or null when there is
 * none. Checks what the planner cannot: JSON, the schema version this agent knows, the host
 * it is for. The planner checks the rest (DesiredStateError naming the field).
 */
export async function readDesiredState(redis: Pick<Redis, 'get'>, hostId: string): Promise<DesiredHostState | null> {
  const text = await redis.get(redisKeys.hostDesired(hostId));
  if (text === null) return null;
  return parseDesiredState(text, hostId);
}

export function parseDesiredState(text: string, hostId: string): DesiredHostState {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UnreadableDesiredStateError('not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new UnreadableDesiredStateError('not a JSON object');
  const { schema, hostId: documentHost, revision } = document as Record<string, unknown>;
  if (schema !== DESIRED_STATE_SCHEMA) throw new UnreadableDesiredStateError(`schema ${JSON.stringify(schema)}: this agent knows schema ${DESIRED_STATE_SCHEMA} only`);
  if (documentHost !== hostId) throw new UnreadableDesiredStateError(`hostId ${JSON.stringify(documentHost)}: this agent is host ${hostId}`);
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) throw new UnreadableDesiredStateError(`revision ${JSON.stringify(revision)} is not a whole number`);
  return document as DesiredHostState;
}
