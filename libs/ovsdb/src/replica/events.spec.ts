import { ChangeSubscription, type ChangeEvent } from './events';
import type { ReplicaRow } from './row-codec';

const row = (n: number): ReplicaRow => ({ _uuid: `u${n}`, _version: '', name: `r${n}` });
const insert = (n: number): ChangeEvent => ({ type: 'insert', table: 'T', uuid: `u${n}`, old: null, new: row(n) });

describe('ChangeSubscription', () => {
  it('keeps order over many events and stays within capacity', () => {
    const subscription = new ChangeSubscription({ capacity: 5000 }, () => undefined);
    for (let i = 0; i < 5000; i++) subscription.push(insert(i));
    const seen: string[] = [];
    for (let i = 0; i < 3000; i++) seen.push((subscription.poll() as ChangeEvent).uuid);
    for (let i = 5000; i < 8000; i++) subscription.push(insert(i));
    expect(subscription.pending).toBe(5000);
    for (let e = subscription.poll(); e !== undefined; e = subscription.poll()) seen.push((e as ChangeEvent).uuid);
    expect(seen).toEqual(Array.from({ length: 8000 }, (_, i) => `u${i}`));
  });

  it('counts everything dropped while a gap is pending', () => {
    const subscription = new ChangeSubscription({ capacity: 2 }, () => undefined);
    for (let i = 0; i < 10; i++) subscription.push(insert(i));
    expect(subscription.poll()).toEqual({ type: 'gap', reason: 'overflow', dropped: 10 });
    expect(subscription.poll()).toBeUndefined();
  });

  it('hands a clear gap straight to a waiting consumer', async () => {
    const subscription = new ChangeSubscription({}, () => undefined);
    const next = subscription.next();
    subscription.cleared();
    expect((await next).value).toEqual({ type: 'gap', reason: 'clear', dropped: 0 });
  });

  it('refuses a second concurrent next(), bad capacities, and tells its owner when closed', async () => {
    let closed = 0;
    const subscription = new ChangeSubscription({}, () => closed++);
    void subscription.next();
    await expect(subscription.next()).rejects.toThrow('before the previous call resolved');
    subscription.close();
    subscription.close();
    expect(closed).toBe(1);
    expect(() => new ChangeSubscription({ capacity: 0 }, () => undefined)).toThrow(RangeError);
  });

  it('filters by table name or TableRef', () => {
    const subscription = new ChangeSubscription({ tables: ['Port', { name: 'Bridge' }] }, () => undefined);
    expect([subscription.wants('Port'), subscription.wants('Bridge'), subscription.wants('Interface')]).toEqual([true, true, false]);
  });
});
