import { ControllerMetrics } from './metrics';

async function sample(metrics: ControllerMetrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} not registered`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

describe('ControllerMetrics', () => {
  it('each instance has its own registry (apps can be built again and again)', async () => {
    const a = new ControllerMetrics();
    const b = new ControllerMetrics();
    a.hosts.set(3);
    expect(await sample(a, 'ovsfleet_hosts')).toEqual([{ labels: {}, value: 3 }]);
    expect(await sample(b, 'ovsfleet_hosts')).toEqual([{ labels: {}, value: 0 }]);
  });

  it('exposes default process metrics and every ovsfleet metric', async () => {
    const { body, contentType } = await new ControllerMetrics().render();
    expect(contentType).toMatch(/^text\/plain/);
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'ovsfleet_http_requests_total',
      'ovsfleet_http_request_duration_seconds',
      'ovsfleet_jobs',
      'ovsfleet_operation_host_latency_seconds',
      'ovsfleet_hosts',
      'ovsfleet_hosts_converged',
      'ovsfleet_ipam_addresses',
    ]) {
      expect(body).toContain(`# TYPE ${name} `);
    }
  });

  it('fills job states from the registered collector at each scrape', async () => {
    const metrics = new ControllerMetrics();
    let counts: Record<string, number> = { waiting: 4, active: 1 };
    metrics.registerJobStateCollector(async () => counts);
    expect(await sample(metrics, 'ovsfleet_jobs')).toEqual([
      { labels: { state: 'waiting' }, value: 4 },
      { labels: { state: 'active' }, value: 1 },
    ]);
    counts = { failed: 2 };
    expect(await sample(metrics, 'ovsfleet_jobs')).toEqual([{ labels: { state: 'failed' }, value: 2 }]);
  });

  it('a failing collector leaves the job states empty, and the scrape answers', async () => {
    const metrics = new ControllerMetrics();
    metrics.registerJobStateCollector(async () => ({ waiting: 1 }));
    await metrics.render();
    metrics.registerJobStateCollector(async () => {
      throw new Error('redis away');
    });
    jest.spyOn(metrics['logger'], 'warn').mockImplementation(() => undefined);
    expect(await sample(metrics, 'ovsfleet_jobs')).toEqual([]);
    await expect(metrics.render()).resolves.toMatchObject({ body: expect.stringContaining('ovsfleet_hosts') });
  });

  it('labels IPAM usage per network, subnet and kind', async () => {
    const metrics = new ControllerMetrics();
    metrics.ipamAddresses.set({ network: 'blue', subnet: '198.18.0.0/24', kind: 'allocated' }, 3);
    metrics.ipamAddresses.set({ network: 'blue', subnet: '198.18.0.0/24', kind: 'capacity' }, 253);
    expect((await metrics.render()).body).toContain('ovsfleet_ipam_addresses{network="blue",subnet="198.18.0.0/24",kind="capacity"} 253');
  });
});
