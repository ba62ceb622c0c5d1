import { OvsdbDisconnectedError, OvsdbProtocolError } from '../errors';
import type { Operation, OperationResult } from '../protocol/wire';
import { parseSchema } from '../schema/parse';
import { OvsdbValidationError } from '../schema/validation-error';
import { OpenVSwitchSchema } from '../schemas/generated/open-vswitch';
import type { ReplicaRow } from '../replica/row-codec';
import { IdlTransaction, interpret, type TransactionTarget } from './transaction';

const schema = parseSchema(OpenVSwitchSchema);
const BR = '11111111-1111-4111-8111-111111111111';
const QOS = '22222222-2222-4222-8222-222222222222';
const where = (uuid: string) => [['_uuid', '==', ['uuid', uuid]]];

function target(rows: Record<string, ReplicaRow> = {}, reply?: (ops: readonly Operation[]) => OperationResult[]) {
  const sent: (readonly Operation[])[] = [];
  const t: TransactionTarget = {
    schema,
    get: (_table, uuid) => rows[uuid],
    transact: (ops) => {
      sent.push(ops);
      return Promise.resolve(reply ? reply(ops) : ops.map(() => ({})));
    },
  };
  return { t, sent };
}

describe('IdlTransaction op building', () => {
  it('insert gets a uuid-name; other rows refer to it with named-uuid; values are encoded', () => {
    const { t } = target();
    const txn = new IdlTransaction(t);
    const port = txn.insert('Port', { name: 'p1', tag: 10 });
    txn.insert('Interface', { name: 'p1', options: new Map([['remote_ip', '203.0.113.2']]) });
    txn.update('Bridge', BR, { ports: [port.ref] });
    expect(txn.buildOperations()).toEqual([
      { op: 'insert', table: 'Port', row: { name: 'p1', tag: 10 }, 'uuid-name': 'row1' },
      { op: 'insert', table: 'Interface', row: { name: 'p1', options: ['map', [['remote_ip', '203.0.113.2']]] }, 'uuid-name': 'row2' },
      { op: 'update', table: 'Bridge', where: where(BR), row: { ports: ['set', [['named-uuid', 'row1']]] } },
    ]);
  });

  it('updates of one row merge; a whole-column write replaces queued mutations of that column', () => {
    const { t } = target();
    const txn = new IdlTransaction(t);
    txn.mutate('QoS', QOS, [
      ['other_config', 'insert', new Map([['a', '1']])],
      ['external_ids', 'delete', ['k']],
    ]);
    txn.update('QoS', QOS, { type: 'linux-htb' });
    txn.update('QoS', QOS, { other_config: new Map([['b', '2']]) });
    expect(txn.buildOperations()).toEqual([
      { op: 'update', table: 'QoS', where: where(QOS), row: { type: 'linux-htb', other_config: ['map', [['b', '2']]] } },
      { op: 'mutate', table: 'QoS', where: where(QOS), mutations: [['external_ids', 'delete', ['set', ['k']]]] },
    ]);
  });

  it('verify waits on the replica values; increment is a mutate plus a select', () => {
    const { t } = target({ [QOS]: { _uuid: QOS, _version: QOS, type: 'linux-htb', other_config: new Map([['x', 'y']]) } as ReplicaRow });
    const txn = new IdlTransaction(t);
    txn.verify('QoS', QOS, ['type', 'other_config']);
    txn.increment('Open_vSwitch', BR, 'next_cfg');
    expect(txn.buildOperations()).toEqual([
      { op: 'wait', table: 'QoS', timeout: 0, where: where(QOS), until: '==', columns: ['type', 'other_config'], rows: [{ type: 'linux-htb', other_config: ['map', [['x', 'y']]] }] },
      { op: 'mutate', table: 'Open_vSwitch', where: where(BR), mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: where(BR), columns: ['next_cfg'] },
    ]);
  });

  it('delete of a root row is sent; of a non-root row left to garbage collection (as OVS); of an inserted row cancels it', () => {
    const { t } = target();
    const txn = new IdlTransaction(t);
    txn.delete('QoS', QOS);
    txn.delete('Bridge', BR);
    const inserted = txn.insert('Queue', { dscp: 1 });
    txn.delete('Queue', inserted);
    expect(txn.buildOperations()).toEqual([{ op: 'delete', table: 'QoS', where: where(QOS) }]);
  });

  it('only waits and comments: nothing to send, commit is unchanged without a round trip', async () => {
    const { t, sent } = target({ [QOS]: { _uuid: QOS, _version: QOS, type: 'a' } as unknown as ReplicaRow });
    const txn = new IdlTransaction(t);
    txn.verify('QoS', QOS, ['type']);
    txn.comment('nothing');
    expect(txn.buildOperations()).toBeNull();
    expect((await txn.commit()).status).toBe('unchanged');
    expect(sent).toEqual([]);
  });

  it('abort: nothing is sent', async () => {
    const { t, sent } = target();
    const txn = new IdlTransaction(t);
    txn.insert('QoS', { type: 'x' });
    txn.abort();
    expect((await txn.commit()).status).toBe('aborted');
    expect(sent).toEqual([]);
  });

  it('validates values against the schema, naming table, column and value', () => {
    const { t } = target();
    const txn = new IdlTransaction(t);
    expect(() => txn.insert('Port', { name: 'x', tag: 5000 })).toThrow(/Port\.tag: 5000/);
    expect(() => txn.update('Port', BR, { tag: 5000 })).toThrow(OvsdbValidationError);
    expect(() => txn.update('Port', BR, { nosuch: 1 })).toThrow(/Port/);
    expect(() => txn.mutate('Port', BR, [['trunks', 'insert', [5000]]])).toThrow(/Port\.trunks/);
    expect(() => txn.update('Port', 'not-a-uuid', { tag: 1 })).toThrow(/not a uuid/);
    expect(() => txn.increment('Bridge', BR, 'name')).toThrow(/not an integer column/);
  });

  it('commit maps the inserted rows to their real uuids', async () => {
    const { t } = target({}, (ops) => ops.map((op) => (op.op === 'insert' ? { uuid: ['uuid', QOS] } : {})));
    const txn = new IdlTransaction(t);
    const handle = txn.insert('QoS', { type: 'x' });
    const result = await txn.commit();
    expect(result).toEqual({ status: 'success', inserted: new Map([[handle.name, QOS]]) });
  });
});

describe('IdlTransaction.commit and the target\'s transacted', () => {
  it('is called once the reply is in, before the commit resolves, which waits for what it returns', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const { t } = target();
    t.transacted = (failed) => {
      seen.push(`transacted ${failed}`);
      return new Promise<void>((resolve) => (release = resolve));
    };
    const txn = new IdlTransaction(t);
    txn.insert('Port', { name: 'p1' });
    const committed = txn.commit().then((result) => seen.push(`resolved ${result.status}`));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['transacted false']);
    release();
    await committed;
    expect(seen).toEqual(['transacted false', 'resolved success']);
  });

  it('is called with failed = true when transact rejects or throws, and the commit fails as before', async () => {
    const failures: boolean[] = [];
    const make = (transact: TransactionTarget['transact']) => {
      const t: TransactionTarget = { schema, get: () => undefined, transact, transacted: (failed) => void failures.push(failed) };
      const txn = new IdlTransaction(t);
      txn.insert('Port', { name: 'p1' });
      return txn.commit();
    };
    await expect(make(() => Promise.reject(new OvsdbDisconnectedError('transact', 'unix:x')))).resolves.toMatchObject({ status: 'try again' });
    await expect(make(() => Promise.reject(new OvsdbProtocolError('garbage')))).rejects.toThrow('garbage');
    await expect(
      make(() => {
        throw new TypeError('sync');
      }),
    ).rejects.toThrow('sync');
    expect(failures).toEqual([true, true, true]);
  });
});

describe('IdlTransaction.fetch', () => {
  const qosRow = { _uuid: QOS, _version: '', type: 'linux-htb' } as unknown as ReplicaRow;

  function fetchTarget(reply: (ops: readonly Operation[]) => OperationResult[]) {
    const { t, sent } = target({ [QOS]: qosRow }, reply);
    const applied: [string, string, unknown][] = [];
    t.applyFetched = (table, uuid, values) => {
      applied.push([table, uuid, values]);
      return Promise.resolve();
    };
    return { t, sent, applied };
  }

  it('selects the columns after the changes, before the increment; the select is not taken for the increment', async () => {
    const { t, sent, applied } = fetchTarget((ops) =>
      ops.map((op) => (op.op !== 'select' ? { count: 1 } : op.table === 'QoS' ? { rows: [{ other_config: ['map', [['a', 'b']]] }] } : { rows: [{ next_cfg: 9 }] })),
    );
    const txn = new IdlTransaction(t);
    txn.mutate('QoS', QOS, [['external_ids', 'insert', new Map([['k', 'v']])]]);
    txn.fetch('QoS', QOS, ['other_config']);
    txn.increment('Open_vSwitch', BR, 'next_cfg');
    const result = await txn.commit();
    expect(sent[0].map((op) => op.op)).toEqual(['mutate', 'select', 'mutate', 'select']);
    expect(sent[0][1]).toEqual({ op: 'select', table: 'QoS', where: where(QOS), columns: ['other_config'] });
    expect(result).toMatchObject({ status: 'success', incrementNewValue: 9 });
    expect(applied).toEqual([['QoS', QOS, { other_config: ['map', [['a', 'b']]] }]]);
  });

  it('a fetch alone is sent (status success), right after a mutate it is not mistaken for an increment', async () => {
    const { t, sent, applied } = fetchTarget((ops) => ops.map((op) => (op.op === 'select' ? { rows: [{ type: 'linux-hfsc' }] } : { count: 1 })));
    const alone = new IdlTransaction(t);
    alone.fetch('QoS', QOS, ['type']);
    expect(await alone.commit()).toEqual({ status: 'success', inserted: new Map() });
    const afterMutate = new IdlTransaction(t);
    afterMutate.mutate('QoS', QOS, [['external_ids', 'insert', new Map([['k', 'v']])]]);
    afterMutate.fetch('QoS', QOS, ['type']);
    expect(await afterMutate.commit()).toEqual({ status: 'success', inserted: new Map() });
    expect(sent).toHaveLength(2);
    expect(applied).toHaveLength(2);
  });

  it('puts nothing when the commit failed or the row was gone', async () => {
    const failing = fetchTarget((ops) => ops.map((op) => (op.op === 'select' ? { rows: [{ type: 'x' }] } : { error: 'constraint violation' })));
    const txn = new IdlTransaction(failing.t);
    txn.update('QoS', QOS, { type: 'y' });
    txn.fetch('QoS', QOS, ['type']);
    expect((await txn.commit()).status).toBe('error');
    expect(failing.applied).toEqual([]);

    const gone = fetchTarget((ops) => ops.map(() => ({ rows: [] })));
    const second = new IdlTransaction(gone.t);
    second.fetch('QoS', QOS, ['type']);
    expect((await second.commit()).status).toBe('success');
    expect(gone.applied).toEqual([]);
  });

  it('refuses unknown columns, no columns, rows not in the replica and targets without a replica', () => {
    const { t } = fetchTarget(() => []);
    const txn = new IdlTransaction(t);
    expect(() => txn.fetch('QoS', QOS, ['nosuch'])).toThrow(/QoS\.nosuch/);
    expect(() => txn.fetch('QoS', QOS, [])).toThrow(/QoS\.columns/);
    expect(() => txn.fetch('QoS', BR, ['type'])).toThrow(/QoS has no row/);
    expect(() => new IdlTransaction(target({ [QOS]: qosRow }).t).fetch('QoS', QOS, ['type'])).toThrow(/needs a transaction of an IDL/);
    expect(txn.buildOperations()).toBeNull();
  });
});

describe('interpret (transact reply → status)', () => {
  const wait: Operation = { op: 'wait', table: 'QoS', where: [], columns: ['type'], until: '==', rows: [], timeout: 0 };
  const update: Operation = { op: 'update', table: 'QoS', where: [], row: {} };
  const mutate: Operation = { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] };
  const select: Operation = { op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] };

  it('a failed wait is "try again"', () => {
    expect(interpret([wait, update], [{ error: 'timed out' }, null]).status).toBe('try again');
  });
  it('any other error is "error" and wins over a failed wait', () => {
    const result = interpret([wait, update], [{ error: 'timed out' }, { error: 'constraint violation', details: 'x' }]);
    expect(result).toMatchObject({ status: 'error', error: 'constraint violation', details: 'x' });
  });
  it('a commit-time error (the extra element) is "error"', () => {
    expect(interpret([update], [{ count: 1 }, { error: 'referential integrity violation' }]).status).toBe('error');
  });
  it('a failed lock assert is "not locked"', () => {
    expect(interpret([{ op: 'assert', lock: 'l' }, update], [{ error: 'not owner' }, null]).status).toBe('not locked');
  });
  it('increment: the new value is read from the select', () => {
    expect(interpret([mutate, select], [{ count: 1 }, { rows: [{ next_cfg: 8 }] }])).toMatchObject({ status: 'success', incrementNewValue: 8 });
  });
  it('increment: with its select named, no other select is taken for it', () => {
    const fetch: Operation = { op: 'select', table: 'QoS', where: [], columns: ['type'] };
    expect(interpret([mutate, fetch], [{ count: 1 }, { rows: [] }], new Map(), null)).toEqual({ status: 'success', inserted: new Map() });
    expect(interpret([mutate, fetch, mutate, select], [{ count: 1 }, { rows: [] }, { count: 1 }, { rows: [{ next_cfg: 3 }] }], new Map(), 3)).toMatchObject({
      status: 'success',
      incrementNewValue: 3,
    });
  });
  it('a reply shorter than the request is an error', () => {
    expect(interpret([update, update], [{ count: 1 }]).status).toBe('error');
  });
});
