/** idl_set of tests/test-ovsdb.py: a comma-separated list of IDL edits committed as one IdlTransaction. */
import type { IdlTransaction, InsertHandle, OvsdbIdl, ReplicaRow, TypedMutation, UuidString } from '@ovs-fleet/ovsdb';
import { pad } from './printer';

export class DriverExit extends Error {
  constructor(readonly stderr: string) {
    super(stderr);
  }
}

interface SetContext {
  idl: OvsdbIdl;
  step: number;
  out: (line: string) => void;
  /** Runs the IDL's pending change events (notify) at this step. */
  drain: (step: number) => void;
  /** Sets a one-shot notify hook (notifytest). */
  pushNotifyHook: (hook: (event: string, i: unknown, column: string | null) => void) => void;
}

function find(idl: OvsdbIdl, table: string, column: string, value: unknown): ReplicaRow | undefined {
  for (const row of idl.replica.table(table).values()) if (row[column] === value) return row;
  return undefined;
}

function need(row: ReplicaRow | undefined, message: string): ReplicaRow {
  if (row === undefined) throw new DriverExit(message);
  return row;
}

const UUIDS = {
  a: '001e43d2-dd3f-4616-ab6a-83a490bb0991',
  b: '0026b3ba-571b-4729-8227-d860a5210ab8',
  c: '579e978d-776c-4f19-a225-268e5890e670',
  d: 'b6272353-af9c-40b7-90fe-32a43e6518a1',
  e: '1d6a71a2-dffb-426e-b2fa-b727091f9901',
};

/** setkey on an existing row: replace the key (delete it, then insert the new pair), as the Python IDL does. */
const setKey = (column: string, key: string | number, value: string): TypedMutation[] => [
  [column, 'delete', [key]],
  [column, 'insert', new Map([[key, value]])],
];

/** Returns false when the commit's status is 'error' (nothing may change then). */
export async function idlSet(ctx: SetContext, commands: string): Promise<boolean> {
  const { idl, step, out } = ctx;
  const txn: IdlTransaction = idl.transaction();
  let increment = false;
  const events: string[] = [];
  const insertedSimple = new Map<number, InsertHandle>();
  const deleted = new Set<UuidString>();
  for (const command of commands.split(',')) {
    const words = command.split(/\s+/).filter((word) => word !== '');
    let name = words[0];
    let args = words.slice(1);
    if (name === 'notifytest') {
      name = args[0];
      args = args.slice(1);
      ctx.pushNotifyHook((event, i, column) => events.push(`${event}|${String(i)}|${column ?? 'None'}`));
    }
    // As in the Python IDL, rows inserted by this transaction are found and deleted rows are not.
    const simple = (i: string, what: string): UuidString | InsertHandle => {
      const inserted = insertedSimple.get(Number(i));
      if (inserted !== undefined) return inserted;
      const row = find(idl, 'simple', 'i', Number(i));
      if (row === undefined || deleted.has(row._uuid)) throw new DriverExit(`"${what}" command asks for nonexistent i=${Number(i)}\n`);
      return row._uuid;
    };
    switch (name) {
      case 'set': {
        if (args.length !== 3) throw new DriverExit('"set" command requires 3 arguments\n');
        const row = simple(args[0], 'set');
        const [, column, value] = args;
        if (column === 'b') txn.update('simple', row, { b: value === '1' });
        else if (column === 's') txn.update('simple', row, { s: value });
        else if (column === 'u') txn.update('simple', row, { u: value });
        else if (column === 'r') txn.update('simple', row, { r: Number(value) });
        else throw new DriverExit(`"set" comamnd asks for unknown column ${value}\n`);
        break;
      }
      case 'insert':
        if (args.length !== 1) throw new DriverExit('"set" command requires 1 argument\n');
        insertedSimple.set(Number(args[0]), txn.insert('simple', { i: Number(args[0]) }));
        break;
      case 'insert_uuid':
        if (args.length !== 2) throw new DriverExit('"set" command requires 2 argument\n');
        insertedSimple.set(Number(args[1]), txn.insert('simple', { i: Number(args[1]) }, { uuid: args[0] }));
        break;
      case 'delete': {
        if (args.length !== 1) throw new DriverExit('"delete" command requires 1 argument\n');
        const row = simple(args[0], 'delete');
        txn.delete('simple', row);
        if (typeof row === 'string') deleted.add(row);
        else insertedSimple.delete(Number(args[0]));
        break;
      }
      case 'verify': {
        if (args.length !== 2) throw new DriverExit('"verify" command requires 2 arguments\n');
        const row = simple(args[0], 'verify');
        if (!['i', 'b', 's', 'u', 'r'].includes(args[1])) throw new DriverExit(`"verify" command asks for unknown column "${args[1]}"\n`);
        // verifying a row inserted by this transaction checks nothing (Python IDL)
        if (typeof row === 'string') txn.verify('simple', row, [args[1]]);
        break;
      }
      case 'increment': {
        if (args.length !== 1) throw new DriverExit('"increment" command requires 1 argument\n');
        const row = simple(args[0], 'set');
        if (typeof row !== 'string') throw new DriverExit('increment of a row inserted by the same transaction\n');
        txn.increment('simple', row, 'i');
        increment = true;
        break;
      }
      case 'abort':
        txn.abort();
        break;
      case 'destroy':
        out(`${pad(step)}: destroy`);
        txn.abort();
        return true;
      case 'linktest': {
        const first = txn.insert('link1');
        txn.update('link1', first, { i: 1, k: first.ref, ka: [first.ref] });
        const second = txn.insert('link1');
        txn.update('link1', second, { i: 2, k: first.ref, ka: [first.ref, second.ref] });
        break;
      }
      case 'getattrtest': {
        const row = txn.insert('link1');
        txn.update('link1', row, { i: 2, k: row.ref });
        break;
      }
      case 'partialmapinsertelement': {
        const row = need(find(idl, 'simple2', 'name', 'myString1'), 'no simple2 myString1\n');
        txn.mutate('simple2', row._uuid, [...setKey('smap', 'key1', 'myList1'), ...setKey('imap', 3, 'myids2')]);
        txn.update('simple2', row._uuid, { name: 'String2' });
        break;
      }
      case 'partialmapinsertmultipleelements': {
        const row = need(find(idl, 'simple2', 'name', 'String2'), 'no simple2 String2\n');
        txn.mutate('simple2', row._uuid, [...setKey('smap', 'key2', 'myList2'), ...setKey('smap', 'key3', 'myList3'), ...setKey('smap', 'key4', 'myList4')]);
        break;
      }
      case 'partialmapdelelements': {
        const row = need(find(idl, 'simple2', 'name', 'String2'), 'no simple2 String2\n');
        txn.mutate('simple2', row._uuid, [
          ['smap', 'delete', new Map([['key1', 'myList1']])],
          ['smap', 'delete', new Map([['key2', 'wrongvalue']])],
          ['smap', 'delete', ['key3', 'key4']],
        ]);
        break;
      }
      case 'partialmapmutatenew':
        txn.insert('simple2', { name: 'String2New', smap: new Map([['key1', 'newList1'], ['key2', 'newList2']]) });
        break;
      case 'partialrenamesetadd': {
        const row = need(find(idl, 'simple3', 'name', 'mySet1'), 'no simple3 mySet1\n');
        txn.mutate('simple3', row._uuid, [['uset', 'insert', [UUIDS.a]]]);
        txn.update('simple3', row._uuid, { name: 'String2' });
        break;
      }
      case 'partialduplicateadd': {
        const row = need(find(idl, 'simple3', 'name', 'String2'), 'no simple3 String2\n');
        txn.mutate('simple3', row._uuid, [['uset', 'insert', [UUIDS.b]]]);
        break;
      }
      case 'partialsetdel': {
        const row = need(find(idl, 'simple3', 'name', 'String2'), 'no simple3 String2\n');
        txn.mutate('simple3', row._uuid, [['uset', 'delete', [UUIDS.a]]]);
        break;
      }
      case 'partialsetref': {
        const added = txn.insert('simple4', { name: 'test' });
        const row = need(find(idl, 'simple3', 'name', 'String2'), 'no simple3 String2\n');
        txn.mutate('simple3', row._uuid, [['uref', 'insert', [added.ref]]]);
        break;
      }
      case 'partialsetoverrideops': {
        const row = need(find(idl, 'simple3', 'name', 'String2'), 'no simple3 String2\n');
        txn.mutate('simple3', row._uuid, [
          ['uset', 'insert', [UUIDS.c]],
          ['uset', 'delete', [UUIDS.b]],
        ]);
        txn.update('simple3', row._uuid, { uset: [UUIDS.b] });
        break;
      }
      case 'partialsetadddelete': {
        const row = need(find(idl, 'simple3', 'name', 'String2'), 'no simple3 String2\n');
        txn.mutate('simple3', row._uuid, [
          ['uset', 'insert', [UUIDS.d, UUIDS.e]],
          ['uset', 'delete', [UUIDS.b]],
        ]);
        break;
      }
      case 'partialsetmutatenew': {
        const row41 = txn.insert('simple4', { name: 'new_row41' });
        txn.insert('simple3', { name: 'String3', uset: [row41.ref] });
        break;
      }
      case 'partialmapmutateirefmap': {
        const row3 = need(find(idl, 'simple3', 'name', 'myString1'), 'no simple3 myString1\n');
        const row5 = need(find(idl, 'simple5', 'name', 'myString2'), 'no simple5 myString2\n');
        txn.mutate('simple5', row5._uuid, setKey('irefmap', 1, row3._uuid));
        break;
      }
      default:
        throw new DriverExit(`unknown command ${name}\n`);
    }
    if (name === 'abort') break;
  }
  const result = await txn.commit();
  ctx.drain(step);
  let line = `${pad(step)}: commit, status=${result.status}`;
  if (increment && result.status === 'success') line += `, increment=${result.incrementNewValue}`;
  if (events.length > 0) line += `, events=${events.sort().join(', ')}`;
  out(line);
  return result.status !== 'error';
}
