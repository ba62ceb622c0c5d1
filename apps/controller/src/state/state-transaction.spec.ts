import type { Redis } from 'ioredis';
import { attachmentRecord, hostRecord, networkRecord } from '../desired-state/testing/records';
import { stateKeys } from './state-keys';
import { StateTransaction } from './state-transaction';

/** The reads a StateTransaction makes, over a map of keys (strings, and sets as arrays). */
function storedRedis(keys: Record<string, string | string[]>): Redis {
  const value = (key: string) => keys[key];
  return {
    get: async (key: string) => (typeof value(key) === 'string' ? value(key) : null),
    mget: async (list: string[]) => list.map((key) => (typeof value(key) === 'string' ? value(key) : null)),
    smembers: async (key: string) => (Array.isArray(value(key)) ? value(key) : []),
    zrange: async (key: string) => (Array.isArray(value(key)) ? value(key) : []),
  } as unknown as Redis;
}

const h1 = hostRecord('h1');
const blue = networkRecord('blue');
const stored = attachmentRecord('a-stored', { container: { netns: 'c0' }, mac: '02:00:00:00:00:10' });

function transaction(): StateTransaction {
  return new StateTransaction(
    storedRedis({
      [stateKeys.host('h1')]: JSON.stringify(h1),
      [stateKeys.hostIndex]: ['h1'],
      [stateKeys.network('blue')]: JSON.stringify(blue),
      [stateKeys.networkIndex]: ['blue'],
      [stateKeys.attachment('a-stored')]: JSON.stringify(stored),
      [stateKeys.hostAttachments('h1')]: ['a-stored'],
      [stateKeys.networkAttachments('blue')]: ['a-stored'],
    }),
  );
}

describe('StateTransaction: rolling a refused mutation of a batch back', () => {
  it('undoes its attachment writes and the indexes built meanwhile, and keeps the earlier mutation', async () => {
    const tx = transaction();
    const first = attachmentRecord('a-1', { container: { netns: 'c1' }, mac: '02:00:00:00:00:11' });
    const second = attachmentRecord('a-2', { container: { netns: 'c2' }, mac: '02:00:00:00:00:12' });

    tx.beginMutation();
    await tx.createAttachment(first);
    const savepoint = tx.savepoint();
    tx.beginMutation();
    await tx.createAttachment(second);
    expect((await tx.attachmentOfContainer('h1', second.container, second.ifname))?.id).toBe('a-2'); // index built with a-2 in it
    await tx.deleteAttachment('a-stored');
    tx.rollback(savepoint);

    expect(await tx.attachmentOfContainer('h1', second.container, second.ifname)).toBeUndefined();
    expect((await tx.attachmentOfContainer('h1', first.container, first.ifname))?.id).toBe('a-1');
    expect((await tx.attachmentWithMac('blue', stored.mac))?.id).toBe('a-stored');
    expect((await tx.attachmentsOfHost('h1')).map((a) => a.id)).toEqual(['a-1', 'a-stored']);
    expect((await tx.attachmentsOfNetwork('blue')).map((a) => a.id)).toEqual(['a-1', 'a-stored']);
    expect(tx.removedAttachments()).toEqual([]);
    expect([...tx.touchedHosts]).toEqual(['h1']);
  });

  it('undoes host and network writes and the fleet-wide rebuild they asked for', async () => {
    const tx = transaction();
    tx.beginMutation();
    await tx.createAttachment(attachmentRecord('a-1', { container: { netns: 'c1' } }));
    const savepoint = tx.savepoint();
    tx.beginMutation();
    tx.putHost(hostRecord('h2'));
    await tx.network('blue');
    tx.deleteNetwork('blue');
    expect(tx.everyHost).toBe(true);
    expect(tx.deletedNetworks().map((n) => n.name)).toEqual(['blue']);
    tx.rollback(savepoint);

    expect(tx.everyHost).toBe(false);
    expect(tx.deletedNetworks()).toEqual([]);
    expect((await tx.allHosts()).map((h) => h.id)).toEqual(['h1']);
    expect((await tx.network('blue'))?.name).toBe('blue');
    expect(tx.hasWrites).toBe(true); // a-1 stays
  });
});
