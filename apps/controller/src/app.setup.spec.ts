import type { Server } from 'node:http';
import { controllerHttpAdapter, REQUEST_TIMEOUT_MS } from './app.setup';

describe('controllerHttpAdapter', () => {
  it('gives a client a bounded time to send its whole request (Fastify alone gives it for ever)', async () => {
    const adapter = controllerHttpAdapter();
    try {
      expect((adapter.getHttpServer() as Server).requestTimeout).toBe(REQUEST_TIMEOUT_MS);
      expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
    } finally {
      await adapter.close();
    }
  });
});
