import { Writable } from 'node:stream';
import { tunnelPortName, type ResolvedHostState } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { DesiredStateError } from '../planner';
import { attachment, desiredHost, network, tunnel } from '../planner/testing/fixtures';
import { createAgentLogger } from '../observability/logger';
import { AgentMetrics } from '../observability/metrics';
import { AttachFailedError } from './errors';
import { Reconciler } from './reconciler';
import { memoryConverger } from './testing/memory-converger';

const blue = network('blue', 100, 1);
const c1 = { netns: 'c1' };
const c2 = { netns: 'c2' };
const doc = (revision: number): ResolvedHostState =>
  desiredHost({ revision, networks: [blue], tunnels: [tunnel(blue, 'h2', 2)], attachments: [attachment('a1', blue, c1, 1), attachment('a2', blue, c2, 2)] });

async function setup() {
  const { host, log, plumbing, converger } = await memoryConverger([c1, c2]);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new AgentMetrics();
  const reconciler = new Reconciler(converger, metrics, createAgentLogger('h1', 'info', sink));
  return { host, log, plumbing, reconciler, metrics, lines };
}

describe('Reconciler', () => {
  it('before any document there is nothing to reconcile', async () => {
    const { reconciler, log } = await setup();
    expect(await reconciler.reconcile('periodic')).toBeNull();
    expect(reconciler.hasTarget).toBe(false);
    expect(log).toEqual([]);
  });

  it('converges, counting every resource touched; the applied revision advances once', async () => {
    const { reconciler, metrics } = await setup();
    const first = await reconciler.converge(doc(1), 'job');
    expect(first).toMatchObject({ revision: 1, changes: 4, repaired: 0, advanced: true });
    expect(reconciler.appliedRevision).toBe(1);
    expect(await reconciler.reconcile('periodic')).toMatchObject({ revision: 1, changes: 0, advanced: false });
    expect((await metrics.appliedRevision.get()).values[0].value).toBe(1);
    const durations = (await metrics.reconcileDuration.get()).values.filter((v) => v.metricName?.endsWith('_count'));
    expect(durations.map((v) => [v.labels.trigger, v.labels.outcome, v.value]).sort()).toEqual([
      ['job', 'applied', 1],
      ['periodic', 'applied', 1],
    ]);
  });

  it('puts back what someone else changed, and counts and logs each repair by resource', async () => {
    const { host, reconciler, metrics, lines } = await setup();
    await reconciler.converge(doc(1), 'job');
    const tunnelPort = tunnelPortName('blue', 'h2');
    const veth = hostIfname('a2', 'eth1');
    await host.byHand((batch) => batch.delPort(undefined, tunnelPort));
    host.links.delete(veth);

    const outcome = await reconciler.reconcile('drift');
    expect(outcome).toMatchObject({ revision: 1, repaired: 2, changes: 2, advanced: false });
    const repairs = (await metrics.driftRepairs.get()).values.map((v) => [v.labels.resource, v.value]).sort();
    expect(repairs).toEqual([
      ['attachment', 1],
      ['tunnel', 1],
    ]);
    const logged = lines.filter((line) => line.msg === 'repaired drift').map((line) => [line.trigger, line.resource, line.name]);
    expect(logged.sort()).toEqual([
      ['drift', 'attachment', 'a2'],
      ['drift', 'tunnel', tunnelPort],
    ]);
    expect(host.links.has(veth)).toBe(true);
    expect((await reconciler.reconcile('drift'))!.changes).toBe(0);
  });

  it('after a failed run, reconciles go on towards the document that failed (finishing it), not back to the last applied one', async () => {
    const { reconciler, plumbing } = await setup();
    plumbing.failing.add('a2');
    await expect(reconciler.converge(doc(1), 'job')).rejects.toBeInstanceOf(AttachFailedError);
    expect(reconciler.appliedRevision).toBe(0);
    plumbing.failing.clear();
    const outcome = await reconciler.reconcile('periodic');
    expect(outcome).toMatchObject({ revision: 1, advanced: true, changes: 1 });
    expect(reconciler.appliedRevision).toBe(1);
  });

  it('a document that cannot be planned is not kept: reconciles go back to the last good one', async () => {
    const { reconciler } = await setup();
    await reconciler.converge(doc(1), 'job');
    const bad = { ...doc(2), tunnels: [{ ...tunnel(blue, 'h2', 2), tag: 4095 }] };
    await expect(reconciler.converge(bad, 'job')).rejects.toBeInstanceOf(DesiredStateError);
    expect(await reconciler.reconcile('periodic')).toMatchObject({ revision: 1, changes: 0 });
  });

  it('runs one at a time: a reconcile asked for during a job waits for it', async () => {
    const { reconciler, log } = await setup();
    const job = reconciler.converge(doc(1), 'job');
    const drift = reconciler.reconcile('drift');
    expect(reconciler.busy).toBe(true);
    await Promise.all([job, drift]);
    // The drift run's survey starts only after the job's attaches.
    expect(log).toEqual(['recover', 'attach a1', 'attach a2', 'recover']);
    expect(reconciler.busy).toBe(false);
  });
});
