import { tunnelPortName } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { planConvergence } from '../planner';
import { attachment, desiredHost, network, tunnel } from '../planner/testing/fixtures';
import { MemoryHost } from '../planner/testing/memory-host';
import { createAgentLogger } from '../observability/logger';
import { DriftWatcher } from './drift-watcher';

const blue = network('blue', 100, 1);
const c1 = { netns: 'c1' };
const tunnelH2 = tunnelPortName('blue', 'h2');
const tunnelH3 = tunnelPortName('blue', 'h3');
const veth = hostIfname('a1', 'eth1');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to 3 s: the machine may be loaded) until `count()` reaches `n`. */
async function until(count: () => number, n: number): Promise<void> {
  for (let waited = 0; count() < n && waited < 3000; waited += 10) await sleep(10);
}

async function setup(debounceMs = 30) {
  const host = await MemoryHost.create();
  host.startContainer(c1);
  const doc = desiredHost({ networks: [blue], tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3)], attachments: [attachment('a1', blue, c1, 1)] });
  await host.apply(planConvergence(doc, host.snapshot()));
  const calls: { at: number; reasons: string[] }[] = [];
  const watcher = new DriftWatcher({
    replica: host.db.replica,
    listLinks: async () => new Set(host.links),
    namespaceInode: async (path) => host.probe.namespaceInode(path),
    pollMs: 20,
    debounceMs,
    onDrift: (reasons) => calls.push({ at: Date.now(), reasons }),
    logger: createAgentLogger('h1', 'silent'),
  });
  watcher.start();
  return { host, watcher, calls };
}

describe('DriftWatcher', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('one call for a burst of changes by hand, once the debounce has passed', async () => {
    const t = await setup(50);
    stop = () => t.watcher.stop();
    const started = Date.now();
    await t.host.byHand((batch) => batch.delPort(undefined, tunnelH2));
    await t.host.byHand((batch) => batch.set('Port', tunnelH3, { tag: 9 }));
    await until(() => t.calls.length, 1);
    await sleep(150);
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0].at - started).toBeGreaterThanOrEqual(45);
    expect(t.calls[0].reasons).toEqual(expect.arrayContaining([`Port ${tunnelH2} deleted`, `Port ${tunnelH3}: tag changed`]));
  });

  it('a veth of ours that vanished is seen by the link poll', async () => {
    const t = await setup();
    stop = () => t.watcher.stop();
    t.host.links.delete(veth);
    await until(() => t.calls.length, 1);
    expect(t.calls.length).toBeGreaterThanOrEqual(1);
    expect(t.calls[0].reasons).toEqual([`veth ${veth} of attachment a1 is gone`]);
  });

  it("the agent's own changes (between begin and settled) are not drift; they are looked at again after a success only", async () => {
    const t = await setup();
    stop = () => t.watcher.stop();
    t.watcher.begin();
    await t.host.byHand((batch) => batch.set('Port', tunnelH3, { tag: 9 }));
    await sleep(100);
    expect(t.calls).toEqual([]);
    t.watcher.settled(false);
    await sleep(100);
    expect(t.calls).toEqual([]);

    t.watcher.begin();
    await t.host.byHand((batch) => batch.set('Port', tunnelH3, { tag: 10 }));
    t.watcher.settled(true);
    await until(() => t.calls.length, 1);
    expect(t.calls.map((call) => call.reasons)).toEqual([[`Port ${tunnelH3}: tag changed (during a reconcile)`]]);
  });

  it('suspendUntil holds drift calls back (a failing reconcile backs off)', async () => {
    const t = await setup(10);
    stop = () => t.watcher.stop();
    const started = Date.now();
    t.watcher.suspendUntil(started + 150);
    await t.host.byHand((batch) => batch.set('Port', tunnelH3, { tag: 9 }));
    await sleep(80);
    expect(t.calls).toEqual([]);
    await until(() => t.calls.length, 1);
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0].at - started).toBeGreaterThanOrEqual(145);
  });

  it('after stop() nothing more is called', async () => {
    const t = await setup();
    t.watcher.stop();
    await t.host.byHand((batch) => batch.delPort(undefined, tunnelH2));
    t.host.links.delete(veth);
    await sleep(100);
    expect(t.calls).toEqual([]);
  });
});
