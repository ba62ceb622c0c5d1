import type { Redis } from 'ioredis';
import { UnavailableError } from '../common/api-errors';
import { OnceLuaScript } from '../common/lua-script';
import type { WriteCommands } from './write-commands';

/**
 * KEYS: the write lock, the state's generation token (the receipt is appended by
 * OnceLuaScript). ARGV: the lock token of this commit's holder, the next generation, then
 * the commands (WriteCommands.flatten). Writes nothing and answers 0 when the lock is no
 * longer the holder's; else swaps the generation, runs the commands in order and answers
 * {1, generation swapped out} ({1} when there was none).
 */
const COMMIT = new OnceLuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local previous = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[2])
local i = 3
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
if previous then return {1, previous} end
return {1}
`);

export interface StateCommit {
  lockKey: string;
  /** The token the write lock was taken with (WriteLock.run). */
  token: string;
  generationKey: string;
  nextGeneration: string;
  commands: WriteCommands;
}

/**
 * Stores a commit's writes in one atomic step, only while its writer still holds the write
 * lock, and once: returns the generation token it swapped out (null: there was none).
 *
 * Why a script rather than MULTI: ioredis sends a MULTI again when the connection dropped
 * after Redis ran it but before its reply came. Redis back within the lock's lease, the
 * second run rewrote the same values; back after it, another controller process may have
 * taken the lock and committed in between, and the second run wrote this older state over
 * theirs. The script writes only under this holder's token, and its receipt makes a second
 * run answer as the first did without writing. A holder whose lease ran out (Redis or the
 * connection gone longer than the lease, or a decision slower than it) gets 503 and
 * nothing is written.
 */
export async function commitState(redis: Redis, commit: StateCommit): Promise<string | null> {
  const reply = await COMMIT.run(redis, [commit.lockKey, commit.generationKey], [commit.token, commit.nextGeneration, ...commit.commands.flatten()]);
  if (!Array.isArray(reply)) throw new UnavailableError('the write lock expired before the change was stored; nothing was changed, try again');
  return reply.length > 1 ? String(reply[1]) : null;
}
