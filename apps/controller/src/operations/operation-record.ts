/**
 * The stored form of an operation: what a mutating request asked of which hosts, and when.
 * Its status is never stored: it is derived from this record and the hosts' reports
 * (operation-status.ts), so any controller process can answer for any operation.
 */
import { randomUUID } from 'node:crypto';
import { KEY_PREFIX } from '@ovs-fleet/contracts';
import { LuaScript } from '../common/lua-script';
import type { WriteCommands } from '../state/write-commands';

/** How long an operation can be looked up after it was created. */
export const OPERATION_TTL_S = 7 * 24 * 3600;

export const operationKey = (id: string): string => `${KEY_PREFIX}:operation:${id}`;

export interface ResourceRef {
  type: string;
  id: string;
}

export interface OperationHostEntry {
  /** The host has applied the operation once it reports this revision or a later one. */
  targetRevision: number;
  /** When the controller accepted the change (ms since the epoch). */
  acceptedAt: number;
  /** When the host's converge job was queued; null until it is. */
  queuedAt: number | null;
}

export interface OperationRecord {
  id: string;
  /** What the request did, e.g. `network.create`. */
  kind: string;
  createdAt: number;
  /** After this instant (ms since the epoch) hosts that have not answered have timed out. */
  deadline: number;
  requestId: string | null;
  resource: ResourceRef | null;
  hosts: Record<string, OperationHostEntry>;
}

export interface NewOperation {
  kind: string;
  resource: ResourceRef | null;
  requestId: string | null;
  /** ms since the epoch. */
  createdAt: number;
  timeoutMs: number;
  /** Target revision by host id. */
  targets: Record<string, number>;
}

export function newOperation(input: NewOperation): OperationRecord {
  const hosts: Record<string, OperationHostEntry> = {};
  for (const [hostId, targetRevision] of Object.entries(input.targets)) {
    hosts[hostId] = { targetRevision, acceptedAt: input.createdAt, queuedAt: null };
  }
  return {
    id: randomUUID(),
    kind: input.kind,
    createdAt: input.createdAt,
    deadline: input.createdAt + input.timeoutMs,
    requestId: input.requestId,
    resource: input.resource,
    hosts,
  };
}

/** Adds the operations' writes to a commit, so they are stored together with the change they track. */
export function stageOperations(commands: WriteCommands, operations: readonly OperationRecord[]): WriteCommands {
  for (const operation of operations) commands.set(operationKey(operation.id), JSON.stringify(operation), 'EX', OPERATION_TTL_S);
  return commands;
}

export function parseOperation(text: string): OperationRecord {
  return JSON.parse(text) as OperationRecord;
}

/**
 * Sets `queuedAt` of the given hosts inside each stored operation record, atomically (a
 * record is one JSON value; Redis's cjson keeps 14 significant digits, enough for ms
 * timestamps): KEYS are the operations, ARGV[i] the JSON of KEYS[i]'s hosts and times. One
 * call for every operation of a committed batch. Returns how many operations still existed.
 */
export const MARK_QUEUED_SCRIPT = new LuaScript(`
local found = 0
for i, key in ipairs(KEYS) do
  local raw = redis.call('GET', key)
  if raw then
    local operation = cjson.decode(raw)
    for hostId, queuedAt in pairs(cjson.decode(ARGV[i])) do
      local entry = operation.hosts[hostId]
      if entry then entry.queuedAt = queuedAt end
    end
    redis.call('SET', key, cjson.encode(operation), 'KEEPTTL')
    found = found + 1
  end
end
return found
`);