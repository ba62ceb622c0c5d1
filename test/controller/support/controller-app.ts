/**
 * The controller as it runs in production (AppModule + configureApp), on a real Redis, for
 * e2e tests: HTTP through supertest, one token per role.
 */
import type { NestApplicationOptions } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../../apps/controller/src/app.module';
import { configureApp, controllerHttpAdapter } from '../../../apps/controller/src/app.setup';

export const TOKENS = {
  admin: 'admin-token-0123456789abcdef',
  provisioner: 'provisioner-token-0123456789',
  viewer: 'viewer-token-0123456789abcdef',
} as const;

export type TestRole = keyof typeof TOKENS;

/** OVS_FLEET_TOKENS for TOKENS: one `ROLE-client` token per role (also for controller processes). */
export const TOKENS_SETTING = Object.entries(TOKENS).map(([role, token]) => `${role}-client:${role}:${token}`).join(',');

/**
 * A testing module's app on the controller's HTTP adapter (Fastify), set up by `configure`
 * (production's configureApp unless a test wants less), initialised and ready for supertest.
 */
export async function initApp(
  moduleRef: TestingModule,
  options: NestApplicationOptions = {},
  configure: (app: NestFastifyApplication) => NestFastifyApplication = configureApp,
): Promise<NestFastifyApplication> {
  const app = configure(moduleRef.createNestApplication<NestFastifyApplication>(controllerHttpAdapter(), options));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export interface TestController {
  app: NestFastifyApplication;
  /** A request as `role` would send it (Authorization header set). */
  as(role: TestRole): {
    get(url: string): request.Test;
    post(url: string, body?: object): request.Test;
    put(url: string, body?: object): request.Test;
    patch(url: string, body?: object): request.Test;
    delete(url: string): request.Test;
  };
  anonymous: ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function startController(redisUrl: string, env: Record<string, string> = {}): Promise<TestController> {
  const settings: Record<string, string> = {
    OVS_FLEET_REDIS_URL: redisUrl,
    OVS_FLEET_TOKENS: TOKENS_SETTING,
    OVS_FLEET_LOG_LEVEL: 'warn',
    OVS_FLEET_RATE_LIMIT_PER_MIN: '1000000',
    ...env,
  };
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  let app: NestFastifyApplication;
  try {
    app = await initApp(await Test.createTestingModule({ imports: [AppModule] }).compile(), { logger: ['warn', 'error'] });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const server = app.getHttpServer();
  const as = (role: TestRole) => {
    const auth = (test: request.Test) => test.set('Authorization', `Bearer ${TOKENS[role]}`);
    return {
      get: (url: string) => auth(request(server).get(url)),
      post: (url: string, body?: object) => auth(request(server).post(url)).send(body ?? {}),
      put: (url: string, body?: object) => auth(request(server).put(url)).send(body ?? {}),
      patch: (url: string, body?: object) => auth(request(server).patch(url)).send(body ?? {}),
      delete: (url: string) => auth(request(server).delete(url)),
    };
  };
  return { app, as, anonymous: request(server), close: () => app.close() };
}
