import { readFileSync } from 'node:fs';
import { IdlTransaction, Replica, type DatabaseSchema, type Operation, type OvsdbIdl } from '@ovs-fleet/ovsdb';
import { IDLTEST_SCHEMA } from '../harness/paths';
import { PyTransaction } from './py-transaction';

const schema = JSON.parse(readFileSync(IDLTEST_SCHEMA, 'utf8')) as DatabaseSchema;
const U1 = '00000000-0000-0000-0000-000000000001';
const U2 = '00000000-0000-0000-0000-000000000002';
const ROW3 = '11111111-1111-1111-1111-111111111111';
const ROW2 = '22222222-2222-2222-2222-222222222222';

/** An OvsdbIdl as PyTransaction sees it: a real replica and IDL transactions whose operations are kept, not sent. */
async function fakeIdl(): Promise<{ idl: OvsdbIdl; sent: Operation[][] }> {
  const replica = new Replica(schema);
  await replica.resync({
    simple3: { [ROW3]: { initial: { name: 'String2', uset: ['set', [['uuid', U1]]] } } },
    simple2: { [ROW2]: { initial: { name: 'myString1', smap: ['map', [['key1', 'value1']]] } } },
  });
  const sent: Operation[][] = [];
  const idl = {
    replica,
    transaction: () =>
      new IdlTransaction({
        schema: replica.schema,
        get: (table, uuid) => replica.get(table, uuid),
        transact: async (ops) => {
          sent.push([...ops]);
          return ops.map(() => ({}));
        },
      }),
  } as unknown as OvsdbIdl;
  return { idl, sent };
}

const row = (txn: PyTransaction, table: string, uuid: string) => txn.wrap(table, [...txn.rowsOf(table)].find((r) => r.uuid === uuid)!.data!);

describe("Python's Row inside a transaction", () => {
  it('addvalue twice of one uuid: the set grows by one, and one insert is sent', async () => {
    const { idl, sent } = await fakeIdl();
    const txn = new PyTransaction(idl, new Map(), () => undefined);
    const r = row(txn, 'simple3', ROW3);
    r.addvalue('uset', U2);
    r.addvalue('uset', U2);
    expect(r.len('uset')).toBe(2);
    await txn.commit();
    expect(sent[0]).toEqual([{ op: 'mutate', table: 'simple3', where: [['_uuid', '==', ['uuid', ROW3]]], mutations: [['uset', 'insert', ['set', [['uuid', U2]]]]] }]);
  });

  it('removes go before inserts, as Python sends them: delvalue then addvalue of one member keeps it', async () => {
    const { idl, sent } = await fakeIdl();
    const txn = new PyTransaction(idl, new Map(), () => undefined);
    const r = row(txn, 'simple3', ROW3);
    r.addvalue('uset', U1);
    r.delvalue('uset', U1);
    expect(r.len('uset')).toBe(0);
    await txn.commit();
    const mutations = (sent[0][0] as { mutations: unknown[] }).mutations;
    expect(mutations.map((m) => (m as unknown[])[1])).toEqual(['delete', 'insert']);
  });

  it('setkey of an existing key replaces it (the map keeps its size); a whole-column write drops pending setkeys', async () => {
    const { idl, sent } = await fakeIdl();
    const txn = new PyTransaction(idl, new Map(), () => undefined);
    const r = row(txn, 'simple2', ROW2);
    r.setkey('smap', 'key1', 'other');
    expect(r.len('smap')).toBe(1);
    expect((r.get('smap') as Map<string, string>).get('key1')).toBe('other');
    r.setkey('smap', 'key2', 'v2');
    expect(r.len('smap')).toBe(2);
    r.set('smap', new Map([['only', 'one']]));
    expect(r.len('smap')).toBe(1);
    await txn.commit();
    expect(sent[0]).toEqual([{ op: 'update', table: 'simple2', where: [['_uuid', '==', ['uuid', ROW2]]], row: { smap: ['map', [['only', 'one']]] } }]);
  });

  it('delkey with a value only removes that exact pair', async () => {
    const { idl } = await fakeIdl();
    const txn = new PyTransaction(idl, new Map(), () => undefined);
    const r = row(txn, 'simple2', ROW2);
    r.delkey('smap', 'key1', 'wrong');
    expect(r.len('smap')).toBe(1);
    r.delkey('smap', 'key1', 'value1');
    expect(r.len('smap')).toBe(0);
  });

  it('a row inserted by the transaction has no column until written, then its setkeys make its value', async () => {
    const { idl, sent } = await fakeIdl();
    const txn = new PyTransaction(idl, new Map(), () => undefined);
    const r = txn.insert('simple2');
    expect(r.getOr('name', 'fallback')).toBe('fallback');
    r.set('name', 'New');
    r.setkey('smap', 'a', '1');
    r.setkey('smap', 'b', '2');
    expect(r.len('smap')).toBe(2);
    expect([...txn.rowsOf('simple2')].map((x) => x.getOr('name', ''))).toEqual(['myString1', 'New']);
    await txn.commit();
    expect(sent[0]).toEqual([{ op: 'insert', table: 'simple2', 'uuid-name': 'row1', row: { name: 'New', smap: ['map', [['a', '1'], ['b', '2']]] } }]);
  });

  it('a write to a column registered read-only is refused with a warning, and nothing is sent', async () => {
    const { idl, sent } = await fakeIdl();
    const warnings: string[] = [];
    const txn = new PyTransaction(idl, new Map([['simple2', new Set(['name'])]]), (message) => warnings.push(message));
    row(txn, 'simple2', ROW2).set('name', 'x');
    expect(warnings).toEqual(['attempting to write to readonly column name']);
    expect((await txn.commit()).status).toBe('unchanged');
    expect(sent).toEqual([]);
  });
});
