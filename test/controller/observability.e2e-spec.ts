/**
 * Logs, request ids, metrics and health end to end, against a real redis-server: the request
 * id echoed and carried through the handler, log lines as JSON with no token in them,
 * /metrics counting requests by route pattern, /health going 503 while Redis is away.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Controller, Get, INestApplication, Module, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { configureApp } from '../../apps/controller/src/app.setup';
import { initApp } from './support/controller-app';
import { AuthModule } from '../../apps/controller/src/auth';
import { ConfigModule } from '../../apps/controller/src/config/config.module';
import { HealthModule } from '../../apps/controller/src/health/health.module';
import { RequestId } from '../../apps/controller/src/common/request-id.decorator';
import { ObservabilityModule } from '../../apps/controller/src/observability/observability.module';
import { RedisModule } from '../../apps/controller/src/redis/redis.module';
import { RedisTestServer } from '../support/redis-server';

const SECRET = 'observability-e2e-secret-0123456789';
const AUTH = `Bearer ${SECRET}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

@Controller('test')
class ProbeController {
  @Get('items/:id') item(@Param('id') id: string, @RequestId() requestId: string | null): { id: string; requestId: string | null } {
    return { id, requestId };
  }

  @Get('later') async later(@RequestId() requestId: string | null): Promise<{ requestId: string | null }> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { requestId };
  }

  @Get('broken') broken(): never {
    throw new Error('probe failure');
  }
}

/** Every JSON line the app logs. */
const logLines: string[] = [];
const logDestination = { write: (line: string) => void logLines.push(line) };
const logged = (): Record<string, unknown>[] => logLines.flatMap((line) => line.split('\n').filter(Boolean)).map((line) => JSON.parse(line));

const ENV_KEYS = ['OVS_FLEET_REDIS_URL', 'OVS_FLEET_TOKENS', 'OVS_FLEET_RATE_LIMIT_PER_MIN', 'OVS_FLEET_LOG_LEVEL'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let redis: RedisTestServer;
let app: INestApplication;
const hostAges = [
  { id: 'h1', ageSeconds: 3 },
  { id: 'h2', ageSeconds: 75 },
];

beforeAll(async () => {
  redis = await RedisTestServer.start();
  // The configuration is read when the module compiles: set the environment first.
  process.env.OVS_FLEET_REDIS_URL = redis.url;
  process.env.OVS_FLEET_TOKENS = `ops:admin:${SECRET}`;
  process.env.OVS_FLEET_RATE_LIMIT_PER_MIN = '10000';
  process.env.OVS_FLEET_LOG_LEVEL = 'info';
  @Module({
    imports: [
      ConfigModule,
      RedisModule,
      ObservabilityModule.forRoot({ logDestination }),
      AuthModule,
      HealthModule.withSources({ useFactory: () => ({ queueBacklog: async () => 4, hosts: async () => hostAges }) }),
    ],
    controllers: [ProbeController],
  })
  class TestAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
  app = await initApp(moduleRef, { bufferLogs: true }, (created) => {
    configureApp(created).useLogger(created.get(Logger));
    return created;
  });
});

afterAll(async () => {
  await app?.close();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await redis?.dispose();
});

describe('request id', () => {
  it('keeps a sane incoming X-Request-Id, echoes it and gives it to the handler', async () => {
    const response = await request(app.getHttpServer()).get('/test/items/a1').set('Authorization', AUTH).set('X-Request-Id', 'caller-req-0001');
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('caller-req-0001');
    expect(response.body).toEqual({ id: 'a1', requestId: 'caller-req-0001' });
  });

  it.each([
    ['spaces', 'not a sane id'],
    ['200 characters', 'x'.repeat(200)],
    ['markup', '<script>'],
  ])('replaces an incoming id with %s by a UUID', async (_what, incoming) => {
    const response = await request(app.getHttpServer()).get('/test/later').set('Authorization', AUTH).set('X-Request-Id', incoming);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('generates one for each request without, also for a refused request, and puts it in the error body', async () => {
    const [a, b] = await Promise.all([request(app.getHttpServer()).get('/test/later').set('Authorization', AUTH), request(app.getHttpServer()).get('/test/later')]);
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(a.body.requestId).toBe(a.headers['x-request-id']);
    expect(b.status).toBe(401);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
    expect(b.body.requestId).toBe(b.headers['x-request-id']);
  });
});

describe('response headers', () => {
  it('name no framework and carry no ETag (bodies are not hashed for a validator nobody revalidates with)', async () => {
    const response = await request(app.getHttpServer()).get('/test/items/a1').set('Authorization', AUTH);
    expect(response.status).toBe(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });
});

describe('request context', () => {
  it('is carried without an AsyncLocalStorage (on Node 20 each one entered makes every promise of the process pay a hook)', async () => {
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const answers = await Promise.all([
        request(app.getHttpServer()).get('/test/later').set('Authorization', AUTH),
        request(app.getHttpServer()).get('/test/later'),
        request(app.getHttpServer()).get('/test/broken').set('Authorization', AUTH),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 401, 500]);
      expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});

describe('logs', () => {
  it('are JSON lines naming the request and the token, never the token itself', async () => {
    await request(app.getHttpServer()).get('/test/items/logged').set('Authorization', AUTH).set('X-Request-Id', 'log-check-0001');
    await request(app.getHttpServer()).get('/test/items/refused').set('Authorization', 'Bearer some-wrong-secret-value-123').set('X-Request-Id', 'log-check-0002');
    const lines = logged();
    const served = lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'log-check-0001' && line.res);
    expect(served).toMatchObject({
      level: 30,
      requestId: 'log-check-0001',
      principal: 'ops',
      req: { method: 'GET', url: '/test/items/logged', headers: { authorization: '[redacted]' } },
      res: { statusCode: 200 },
    });
    expect(lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'log-check-0002')).toMatchObject({ res: { statusCode: 401 } });
    const text = logLines.join('');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('some-wrong-secret-value-123');
  });

  it('carry the request id on lines the app writes while serving it', async () => {
    const response = await request(app.getHttpServer()).get('/test/broken').set('Authorization', AUTH).set('X-Request-Id', 'log-check-0500');
    expect(response.status).toBe(500);
    expect(response.body.requestId).toBe('log-check-0500');
    const errorLine = logged().filter((line) => line.level === 50 && typeof line.msg === 'string' && line.msg.includes('probe failure')).at(-1); // the line of this request, the latest
    expect(errorLine).toMatchObject({ requestId: 'log-check-0500' });
  });
});

describe('metrics', () => {
  it('counts HTTP requests by method, route pattern and status', async () => {
    for (const id of ['m1', 'm2', 'm3']) await request(app.getHttpServer()).get(`/test/items/${id}`).set('Authorization', AUTH);
    await request(app.getHttpServer()).get('/test/items/m4');
    await request(app.getHttpServer()).get('/no/such/route').set('Authorization', AUTH);
    const scrape = await request(app.getHttpServer()).get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    const counter = (labels: string) => Number(new RegExp(`^ovsfleet_http_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(scrape.text)?.[1]);
    expect(counter('method="GET",route="/test/items/:id",status="200"')).toBeGreaterThanOrEqual(3);
    expect(counter('method="GET",route="/test/items/:id",status="401"')).toBeGreaterThanOrEqual(1);
    expect(counter('method="GET",route="unmatched",status="404"')).toBe(1);
    expect(scrape.text).toMatch(/^ovsfleet_http_request_duration_seconds_count\{method="GET",route="\/test\/items\/:id",status="200"\} \d+$/m);
    expect(scrape.text).not.toContain('m1');
    expect(scrape.text).not.toContain('/no/such/route');
    expect(scrape.text).toContain('process_cpu_seconds_total');
  });
});

describe('health', () => {
  it('is 200 while Redis answers, 503 while it is away, 200 again once it is back', async () => {
    const up = await request(app.getHttpServer()).get('/health');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ok', redis: 'up', queueBacklog: 4, hosts: hostAges });

    await redis.kill();
    const started = Date.now();
    const down = await request(app.getHttpServer()).get('/health');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'degraded', redis: 'down' });

    await redis.launch();
    let again = await request(app.getHttpServer()).get('/health');
    for (let i = 0; i < 50 && again.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await request(app.getHttpServer()).get('/health');
    }
    expect(again.status).toBe(200);
  });
});
