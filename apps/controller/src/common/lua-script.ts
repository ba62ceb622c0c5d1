import { createHash, randomUUID } from 'node:crypto';
import { KEY_PREFIX } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA: one round trip once Redis has cached it; on NOSCRIPT (first
 * use, or after a Redis restart or SCRIPT FLUSH) it is sent once with EVAL, which caches it.
 * Plain EVALSHA rather than ioredis's defineCommand, so the shared connection gets no
 * extra methods.
 */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** How long a receipt outlives its call when its caller never deleted it (it died between the reply and the UNLINK). */
export const RECEIPT_TTL_S = 86_400;

/** The receipt of one call of a OnceLuaScript. Outside every `ovsf:ipam:NETWORK:*` pattern. */
export const receiptKey = (id: string): string => `${KEY_PREFIX}:receipt:${id}`;

/**
 * A Lua script whose effect happens once per call even when the call is sent twice. ioredis
 * sends a command again when the connection drops before its reply came
 * (`autoResendUnfulfilledCommands`): if Redis had run it (and written it to its append-only
 * file) before it went, the second run would claim a second address for the same owner.
 * So each call carries a fresh receipt key (appended to KEYS): the script stores its reply
 * there, in the same atomic run as its writes, and a run that finds the receipt returns the
 * stored reply and writes nothing. Once the reply is here nothing can send the call again,
 * and the receipt is deleted (or expires after RECEIPT_TTL_S if that fails).
 *
 * The body's reply must survive a cjson round trip: integers, strings and arrays of them.
 */
export class OnceLuaScript extends LuaScript {
  constructor(readonly body: string) {
    super(`
local receipt = KEYS[#KEYS]
local kept = redis.call('GET', receipt)
if kept then return cjson.decode(kept) end
local reply = (function()
${body}
end)()
redis.call('SET', receipt, cjson.encode(reply), 'EX', ${RECEIPT_TTL_S})
return reply
`);
  }

  override async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const receipt = receiptKey(randomUUID());
    const reply = await super.run(redis, [...keys, receipt], args);
    await redis.unlink(receipt).catch(() => undefined);
    return reply;
  }
}
