import { DesiredStateError } from '../planner';
import { attachment, desiredHost, network, tunnel } from '../planner/testing/fixtures';
import { AttachFailedError } from './errors';
import { memoryConverger } from './testing/memory-converger';

const blue = network('blue', 100, 1);
const c1 = { netns: 'c1' };
const c2 = { netns: 'c2' };

const setup = () => memoryConverger([c1, c2], { logTransactions: true });

const doc = (revision: number, attachments = [attachment('a1', blue, c1, 1), attachment('a2', blue, c2, 2)]) =>
  desiredHost({ revision, networks: [blue], tunnels: [tunnel(blue, 'h2', 2)], attachments });

describe('Converger', () => {
  it('an empty host: one transaction that waits for ovs-vswitchd, then the attaches; receipts in that order; planning again finds nothing', async () => {
    const { host, log, converger } = await setup();
    const { plan } = await converger.survey(doc(1), null);
    expect(plan.summary).toEqual({ added: 4, changed: 0, removed: 0, repaired: 0 });
    const before = Date.now();
    const receipts = await converger.apply(plan);
    expect(log).toEqual(['recover', expect.stringMatching(/^transaction/), 'attach a1', 'attach a2']);
    // waitForVswitchd: the transaction bumps next_cfg, and apply returned once cur_cfg reached it.
    const sent = host.db.sent.find((ops) => ops.some((op) => op.op === 'mutate' && op.table === 'Open_vSwitch'));
    expect(sent).toBeDefined();
    const root = [...host.db.replica.table('Open_vSwitch').values()][0];
    expect(root.cur_cfg).toBe(root.next_cfg);
    expect(receipts.committedAt).toBeGreaterThanOrEqual(before);
    expect(receipts.vswitchdAppliedAt).toBeGreaterThanOrEqual(receipts.committedAt!);
    expect(receipts.linkUpAt).toBeGreaterThanOrEqual(receipts.vswitchdAppliedAt!);
    expect((await converger.survey(doc(1), doc(1))).plan.empty).toBe(true);
  });

  it('detaches first, then the transaction, then attaches: a container restarted into a new namespace is plumbed again', async () => {
    const { host, log, converger } = await setup();
    await converger.apply((await converger.survey(doc(1), null)).plan);
    host.restartContainer(c1);
    log.length = 0;
    const next = desiredHost({ revision: 2, networks: [blue], tunnels: [tunnel(blue, 'h3', 3)], attachments: [attachment('a1', blue, c1, 1)] });
    const { plan } = await converger.survey(next, doc(1));
    await converger.apply(plan);
    expect(log).toEqual(['recover', 'detach a1', 'detach a2', expect.stringMatching(/^transaction/), 'attach a1']);
    expect((await converger.survey(next, next)).plan.empty).toBe(true);
  });

  it('a plan of attaches or detaches only: the plumbing\'s own transactions give the commit and ovs-vswitchd receipts', async () => {
    const { log, converger } = await setup();
    await converger.apply((await converger.survey(doc(1), null)).plan);
    log.length = 0;
    const before = Date.now();
    const attached = await converger.apply((await converger.survey(doc(2, [attachment('a1', blue, c1, 1), attachment('a2', blue, c2, 2), attachment('a3', blue, c2, 3, 'eth2')]), doc(1))).plan);
    expect(log).toEqual(['recover', 'attach a3']);
    expect(attached.committedAt).toBeGreaterThanOrEqual(before);
    expect(attached.vswitchdAppliedAt).toBe(attached.committedAt);
    expect(attached.linkUpAt).toBeGreaterThanOrEqual(attached.vswitchdAppliedAt!);
    log.length = 0;
    const detached = await converger.apply((await converger.survey(doc(3), doc(2))).plan);
    expect(log).toEqual(['recover', 'detach a3']);
    expect(detached).toMatchObject({ committedAt: expect.any(Number), vswitchdAppliedAt: expect.any(Number), linkUpAt: null });
    expect(detached.committedAt).toBeGreaterThanOrEqual(attached.linkUpAt!);
  });

  it('an attach that fails: the others and the transaction are done, the error names it and is retryable', async () => {
    const { host, plumbing, converger } = await setup();
    plumbing.failing.add('a2');
    const { plan } = await converger.survey(doc(1), null);
    const thrown = await converger.apply(plan).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(AttachFailedError);
    expect(thrown).toMatchObject({ code: 'ATTACH_FAILED', retryable: true, failures: [{ attachmentId: 'a2' }] });
    expect((thrown as Error).message).toMatch(/^attachment a2: container: namespace of a2 does not exist$/);
    const again = (await converger.survey(doc(1), null)).plan;
    expect(again.namespace.attach.map((a) => a.attachmentId)).toEqual(['a2']);
    expect(again.ovsdb).toEqual([]);
    expect(host.links.size).toBe(1);
  });

  it('a document it cannot plan throws DesiredStateError and changes nothing of the document', async () => {
    const { host, log, converger } = await setup();
    const bad = desiredHost({ networks: [blue], tunnels: [{ ...tunnel(blue, 'h2', 2), key: 2 ** 24 }] });
    await expect(converger.survey(bad, null)).rejects.toBeInstanceOf(DesiredStateError);
    expect(log).toEqual(['recover']);
    expect(host.db.sent).toEqual([]);
  });
});
