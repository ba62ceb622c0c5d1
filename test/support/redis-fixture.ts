/**
 * A suite's own redis-server and a connection to it, emptied before each test; both removed
 * after the suite. Call at the top level of a test file:
 *   const fixture = useRedisFixture();
 *   it('...', async () => { await fixture.redis.set('k', 'v'); });
 */
import { Redis } from 'ioredis';
import { RedisTestServer } from './redis-server';

export interface RedisFixture {
  readonly server: RedisTestServer;
  readonly redis: Redis;
}

export function useRedisFixture(): RedisFixture {
  let server: RedisTestServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await RedisTestServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.dispose();
  });
  beforeEach(async () => {
    await redis!.flushall();
  });
  return {
    get server() {
      if (!server) throw new Error('the Redis fixture is used before its beforeAll');
      return server;
    },
    get redis() {
      if (!redis) throw new Error('the Redis fixture is used before its beforeAll');
      return redis;
    },
  };
}
