/**
 * Auth end to end: bearer tokens and roles on real routes (REST and GraphQL, a graphql-ws
 * subscription authenticated in onConnect), and the per-token rate limit holding across two
 * controller apps that share one real redis-server.
 */
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Controller, Delete, Get, INestApplication, Module, Post, Put } from '@nestjs/common';
import { Args, Field, GraphQLModule, Mutation, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PubSub } from 'graphql-subscriptions';
import { Client, createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import request from 'supertest';
import WebSocket from 'ws';
import { configureApp, controllerHttpAdapter } from '../../apps/controller/src/app.setup';
import { AuthModule, CurrentPrincipal, Principal, RequireRole, TokenAuthenticator } from '../../apps/controller/src/auth';
import { ConfigModule } from '../../apps/controller/src/config/config.module';
import { HealthModule } from '../../apps/controller/src/health/health.module';
import { ObservabilityModule } from '../../apps/controller/src/observability/observability.module';
import { RedisModule } from '../../apps/controller/src/redis/redis.module';
import { RedisTestServer } from '../support/redis-server';

const SECRET = {
  admin: 'e2e-admin-token-0123456789',
  provisioner: 'e2e-prov-token-0123456789',
  viewer: 'e2e-view-token-0123456789',
  other: 'e2e-other-token-0123456789',
};
const TOKENS = `root:admin:${SECRET.admin},ci:provisioner:${SECRET.provisioner},dash:viewer:${SECRET.viewer},ci2:provisioner:${SECRET.other}`;
const bearer = (secret: string) => `Bearer ${secret}`;

@Controller('test')
class RoleTestController {
  @Get('items') items(): { ok: true } {
    return { ok: true };
  }

  @Get('whoami') whoami(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @RequireRole('provisioner') @Post('networks') createNetwork(): { ok: true } {
    return { ok: true };
  }

  @RequireRole('provisioner') @Delete('attachments/:id') detach(): { ok: true } {
    return { ok: true };
  }

  @Put('hosts/:id') putHost(): { ok: true } {
    return { ok: true };
  }

  @Post('hosts/:id/bridges') createBridge(): { ok: true } {
    return { ok: true };
  }
}

@ObjectType()
class Caller {
  @Field() name!: string;
  @Field() role!: string;
}

const pubsub = new PubSub();

@Resolver(() => Caller)
class CallerResolver {
  @Query(() => Caller) whoami(@CurrentPrincipal() principal: Principal): Caller {
    return principal;
  }

  @Query(() => String) ping(): string {
    return 'pong';
  }

  @RequireRole('provisioner')
  @Mutation(() => Boolean)
  async announce(@Args('text') text: string): Promise<boolean> {
    await pubsub.publish('announced', { announced: text });
    return true;
  }

  @Mutation(() => Boolean) drainHost(): boolean {
    return true;
  }

  @Subscription(() => String) announced(): AsyncIterableIterator<unknown> {
    return pubsub.asyncIterableIterator('announced');
  }
}

type WsExtra = { principal?: Principal | null };

/** The GraphQL wiring the controller's GraphQL module is expected to use (see auth/principal.ts). */
const graphqlModule = GraphQLModule.forRootAsync<ApolloDriverConfig>({
  driver: ApolloDriver,
  imports: [AuthModule],
  inject: [TokenAuthenticator],
  useFactory: (auth: TokenAuthenticator) => ({
    autoSchemaFile: true,
    subscriptions: {
      'graphql-ws': {
        onConnect: (ctx) => {
          const principal = auth.authenticate(ctx.connectionParams?.authorization as string | undefined);
          if (!principal) return false;
          (ctx.extra as WsExtra).principal = principal;
          return true;
        },
      },
    },
    context: (ctx: { req?: unknown; extra?: WsExtra }) => (ctx.extra ? { principal: ctx.extra.principal } : { req: ctx.req }),
  }),
});

const ENV_KEYS = ['OVS_FLEET_REDIS_URL', 'OVS_FLEET_TOKENS', 'OVS_FLEET_RATE_LIMIT_PER_MIN', 'OVS_FLEET_LOG_LEVEL'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

function restoreEnv(): void {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
}

/** The configuration is read when the module compiles: set the environment first. */
async function startApp(redisUrl: string, rateLimitPerMinute: number): Promise<INestApplication> {
  process.env.OVS_FLEET_REDIS_URL = redisUrl;
  process.env.OVS_FLEET_TOKENS = TOKENS;
  process.env.OVS_FLEET_RATE_LIMIT_PER_MIN = String(rateLimitPerMinute);
  process.env.OVS_FLEET_LOG_LEVEL = 'silent';
  @Module({
    imports: [ConfigModule, RedisModule, ObservabilityModule.forRoot(), AuthModule, HealthModule, graphqlModule],
    controllers: [RoleTestController],
    providers: [CallerResolver],
  })
  class TestAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
  const app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(controllerHttpAdapter()));
  await app.listen(0, '127.0.0.1');
  return app;
}

async function deleteRateLimitKeys(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl);
  try {
    const keys = await client.keys('ovsf:ratelimit:*');
    if (keys.length) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

let redis: RedisTestServer;
const apps: INestApplication[] = [];

beforeAll(async () => {
  redis = await RedisTestServer.start();
});

afterAll(async () => {
  await Promise.allSettled(apps.map((app) => app.close()));
  restoreEnv();
  await redis?.dispose();
});

describe('roles on REST routes', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startApp(redis.url, 10_000);
    apps.push(app);
  });

  type Who = keyof typeof SECRET | 'none' | 'wrong' | 'malformed';
  const header = (who: Who): string | undefined =>
    who === 'none' ? undefined : who === 'wrong' ? bearer('not-a-configured-token-000') : who === 'malformed' ? `Basic ${SECRET.admin}` : bearer(SECRET[who]);

  // method, path, caller, expected status
  const table: [string, string, Who, number][] = [
    ['get', '/test/items', 'none', 401],
    ['get', '/test/items', 'wrong', 401],
    ['get', '/test/items', 'malformed', 401],
    ['get', '/test/items', 'viewer', 200],
    ['get', '/test/items', 'provisioner', 200],
    ['get', '/test/items', 'admin', 200],
    ['post', '/test/networks', 'none', 401],
    ['post', '/test/networks', 'viewer', 403],
    ['post', '/test/networks', 'provisioner', 201],
    ['post', '/test/networks', 'admin', 201],
    ['delete', '/test/attachments/a1', 'viewer', 403],
    ['delete', '/test/attachments/a1', 'provisioner', 200],
    ['delete', '/test/attachments/a1', 'admin', 200],
    ['put', '/test/hosts/h1', 'none', 401],
    ['put', '/test/hosts/h1', 'viewer', 403],
    ['put', '/test/hosts/h1', 'provisioner', 403],
    ['put', '/test/hosts/h1', 'admin', 200],
    ['post', '/test/hosts/h1/bridges', 'provisioner', 403],
    ['post', '/test/hosts/h1/bridges', 'admin', 201],
    ['get', '/health', 'none', 200],
    ['get', '/metrics', 'none', 200],
    ['get', '/docs-json', 'none', 200],
  ];

  it.each(table)('%s %s as %s: %i', async (method, path, who, status) => {
    const call = (request(app.getHttpServer()) as unknown as Record<string, (path: string) => request.Test>)[method](path);
    const auth = header(who);
    const response = await (auth ? call.set('Authorization', auth) : call);
    expect(response.status).toBe(status);
  });

  it('answers 401 in the one error shape, with the request id', async () => {
    const response = await request(app.getHttpServer()).get('/test/items').set('X-Request-Id', 'auth-e2e-401');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { status: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('Bearer'), field: null, details: [] },
      requestId: 'auth-e2e-401',
    });
  });

  it('answers 403 naming the role needed', async () => {
    const response = await request(app.getHttpServer()).put('/test/hosts/h1').set('Authorization', bearer(SECRET.provisioner));
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/needs the admin role.*"ci" has the provisioner role/) });
  });

  it('gives the handler the principal (name and role, never the secret)', async () => {
    const response = await request(app.getHttpServer()).get('/test/whoami').set('Authorization', bearer(SECRET.viewer));
    expect(response.body).toEqual({ name: 'dash', role: 'viewer' });
  });
});

describe('roles on GraphQL', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startApp(redis.url, 10_000);
    apps.push(app);
  });

  const graphql = (query: string, secret?: string) => {
    const call = request(app.getHttpServer()).post('/graphql').send({ query });
    return secret ? call.set('Authorization', bearer(secret)) : call;
  };

  it('lets a viewer query and gives the resolver its principal', async () => {
    const response = await graphql('{ whoami { name role } }', SECRET.viewer);
    expect(response.body).toEqual({ data: { whoami: { name: 'dash', role: 'viewer' } } });
  });

  it.each([
    ['{ ping }', undefined, /valid bearer token/],
    ['mutation { announce(text: "x") }', SECRET.viewer, /needs the provisioner role/],
    ['mutation { drainHost }', SECRET.provisioner, /needs the admin role/],
  ])('refuses %s', async (query, secret, message) => {
    const response = await graphql(query, secret);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.message).toMatch(message);
  });

  it.each([
    ['mutation { announce(text: "x") }', SECRET.provisioner],
    ['mutation { drainHost }', SECRET.admin],
  ])('lets %s through for its role', async (query, secret) => {
    const response = await graphql(query, secret);
    expect(response.body.errors).toBeUndefined();
  });

  it('counts GraphQL requests under the /graphql route in /metrics', async () => {
    await graphql('{ ping }', SECRET.viewer);
    const scrape = await request(app.getHttpServer()).get('/metrics');
    expect(scrape.text).toMatch(/^ovsfleet_http_requests_total\{method="POST",route="\/graphql",status="200"\} [1-9]\d*$/m);
  });

  describe('graphql-ws subscriptions', () => {
    const clients: Client[] = [];
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.dispose()));
    });

    function connect(authorization: string | undefined): Client {
      const { port } = app.getHttpServer().address() as { port: number };
      const client = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: authorization ? { authorization } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    }

    it('delivers to a viewer authenticated by connectionParams', async () => {
      const client = connect(bearer(SECRET.viewer));
      const received = new Promise<unknown>((resolve, reject) => {
        const unsubscribe = client.subscribe(
          { query: 'subscription { announced }' },
          {
            next: (value) => {
              unsubscribe();
              resolve(value);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      // The subscription is registered once the server acknowledged it: publish until it arrives.
      let delivered: unknown;
      void received.then((value) => (delivered = value));
      for (let i = 0; i < 100 && delivered === undefined; i++) {
        await graphql('mutation { announce(text: "hello") }', SECRET.provisioner);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expect(received).resolves.toEqual({ data: { announced: 'hello' } });
    });

    it.each([
      ['no token', undefined],
      ['a wrong token', bearer('not-a-configured-token-000')],
    ])('refuses a connection with %s', async (_what, authorization) => {
      const client = connect(authorization);
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: 'subscription { announced }' }, { next: resolve, error: resolve, complete: () => resolve('completed') });
      });
      expect(outcome).toMatchObject({ code: 4403 });
    });
  });
});

describe('rate limit per token', () => {
  const LIMIT = 6;
  let first: INestApplication;
  let second: INestApplication;

  beforeAll(async () => {
    await deleteRateLimitKeys(redis.url);
    first = await startApp(redis.url, LIMIT);
    second = await startApp(redis.url, LIMIT);
    apps.push(first, second);
  });

  it('holds across two apps sharing one Redis, per token, and answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const app = i % 2 === 0 ? first : second;
      statuses.push((await request(app.getHttpServer()).get('/test/items').set('Authorization', bearer(SECRET.provisioner))).status);
    }
    expect(statuses).toEqual(Array(LIMIT).fill(200));

    for (const app of [first, second]) {
      const response = await request(app.getHttpServer()).get('/test/items').set('Authorization', bearer(SECRET.provisioner));
      expect(response.status).toBe(429);
      expect(response.body.error).toMatchObject({ status: 429, code: 'RATE_LIMITED', message: expect.stringContaining('"ci"') });
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }

    // Another token has its own window; public routes are not counted.
    expect((await request(second.getHttpServer()).get('/test/items').set('Authorization', bearer(SECRET.other))).status).toBe(200);
    expect((await request(first.getHttpServer()).get('/health')).status).toBe(200);
  });

  it('counts a GraphQL request once, however many fields it asks for', async () => {
    const query = (app: INestApplication) =>
      request(app.getHttpServer()).post('/graphql').set('Authorization', bearer(SECRET.viewer)).send({ query: '{ a: ping b: ping c: ping whoami { name } }' });
    for (let i = 0; i < LIMIT; i++) expect((await query(i % 2 ? first : second)).body.errors).toBeUndefined();
    const over = await query(first);
    expect(over.body.data ?? null).toBeNull();
    expect(over.body.errors.length).toBeGreaterThan(0);
    for (const error of over.body.errors) expect(error.message).toMatch(/"dash" is over its request limit/);
  });
});
