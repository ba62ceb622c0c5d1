import type { Redis } from 'ioredis';
import type { HealthSources } from './health-sources';
import { HealthService } from './health.service';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

function service(ping: () => Promise<string>, sources?: HealthSources): HealthService {
  return new HealthService({ ping } as unknown as Redis, sources);
}

describe('HealthService', () => {
  it('is ok with Redis up and no sources registered', async () => {
    expect(await service(async () => 'PONG').check()).toMatchObject({ status: 'ok', redis: 'up', queueBacklog: 0, hosts: [] });
  });

  it('reports the backlog and the hosts the sources give', async () => {
    const hosts = [{ id: 'h1', ageSeconds: 2 }, { id: 'h2', ageSeconds: 40 }];
    const report = await service(async () => 'PONG', { queueBacklog: async () => 7, hosts: async () => hosts }).check();
    expect(report).toMatchObject({ status: 'ok', redis: 'up', queueBacklog: 7, hosts });
  });

  it('is degraded when Redis refuses', async () => {
    const report = await service(async () => {
      throw new Error('connect ECONNREFUSED');
    }).check();
    expect(report).toMatchObject({ status: 'degraded', redis: 'down' });
  });

  it('is degraded, within its timeout, when Redis or a source does not answer', async () => {
    const started = Date.now();
    const report = await service(never, { queueBacklog: never, hosts: async () => [] }).check(50);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report).toMatchObject({ status: 'degraded', redis: 'down', queueBacklog: null, hosts: [] });
  });

  it('is degraded when a source fails though Redis is up', async () => {
    const report = await service(async () => 'PONG', {
      hosts: async () => {
        throw new Error('bad status hash');
      },
    }).check();
    expect(report).toMatchObject({ status: 'degraded', redis: 'up', hosts: null });
  });
});
