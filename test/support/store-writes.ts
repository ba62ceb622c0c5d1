/**
 * Stores writes staged into WriteCommands as the controller commits them (state-commit.ts):
 * under the write lock, in one atomic step. For tests that stage records or operations
 * themselves.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { commitState } from '../../apps/controller/src/state/state-commit';
import { stateKeys } from '../../apps/controller/src/state/state-keys';
import { WriteCommands } from '../../apps/controller/src/state/write-commands';
import { WriteLock } from '../../apps/controller/src/state/write-lock';

export async function storeWrites(redis: Redis, stage: (commands: WriteCommands) => void): Promise<void> {
  const commands = new WriteCommands();
  stage(commands);
  await new WriteLock(redis, stateKeys.writeLock).run((token) =>
    commitState(redis, { lockKey: stateKeys.writeLock, token, generationKey: stateKeys.generation, nextGeneration: randomUUID(), commands }),
  );
}
