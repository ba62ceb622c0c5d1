import type { Redis } from 'ioredis';
import { buildDesiredState } from '../desired-state';
import { attachmentRecord, hostRecord, networkRecord, noOperatorResources } from '../desired-state/testing/records';
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

/** A document for a host of this fleet (its content does not matter here, only that it is carried). */
function documentOf(hostId: string) {
  return buildDesiredState({ host: hostRecord(hostId), hosts: [h1], networks: [], attachments: [], revision: 1, localVlans: {}, meshRevisions: {}, operator: noOperatorResources() });
}

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

describe('StateTransaction: the reads a committed batch leaves for the next one', () => {
  /** Redis with nothing in it: a read that reaches it finds nothing. */
  const emptyRedis = () => storedRedis({});

  it('the next batch sees the records, indexes and documents the last one read and wrote, without reading them again', async () => {
    const tx = transaction();
    const added = attachmentRecord('a-1', { container: { netns: 'c1' }, mac: '02:00:00:00:00:11' });
    tx.beginMutation();
    await tx.attachmentOfContainer('h1', stored.container, stored.ifname);
    await tx.attachmentWithMac('blue', stored.mac);
    await tx.createAttachment(added);
    const document = { ...documentOf('h1'), revision: 5 };
    const next = new StateTransaction(emptyRedis(), tx.committedReads([{ hostId: 'h1', after: document, localVlans: { blue: 1 } }]));

    expect((await next.attachmentOfContainer('h1', added.container, added.ifname))?.id).toBe('a-1');
    expect((await next.attachmentWithMac('blue', stored.mac))?.id).toBe('a-stored');
    expect((await next.attachmentsOfHost('h1')).map((a) => a.id)).toEqual(['a-1', 'a-stored']);
    expect(await next.hostRevision('h1')).toBe(5);
    expect(await next.documents(['h1'])).toEqual([document]);
    expect(await next.localVlans(['h1'])).toEqual([{ blue: 1 }]);
    expect(next.hasWrites).toBe(false);
    expect([...next.touchedHosts]).toEqual([]);
  });

  it('keeps no trace of a deleted attachment, and reads again what a deleted host or network took with it', async () => {
    const tx = transaction();
    tx.beginMutation();
    await tx.operator('h1');
    await tx.deleteAttachment('a-stored');
    await tx.network('blue');
    tx.deleteNetwork('blue');
    tx.deleteHost('h1');
    const reads = tx.committedReads([]);

    expect(reads.attachments.has('a-stored')).toBe(false);
    expect([reads.hosts.has('h1'), reads.networks.has('blue')]).toEqual([false, false]);
    expect([reads.operators.has('h1'), reads.hostAttachmentIds.has('h1'), reads.networkAttachmentIds.has('blue')]).toEqual([false, false, false]);
    const next = new StateTransaction(emptyRedis(), reads);
    expect(await next.host('h1')).toBeUndefined();
    expect(await next.allHosts()).toEqual([]);
  });
});

