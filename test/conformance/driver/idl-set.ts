/**
 * idl_set of tests/test-ovsdb.py, command for command and assert for assert: a
 * comma-separated list of edits made through Python's Row API (./py-transaction.ts) and
 * committed as one transaction of OvsdbIdl.
 */
import type { OvsdbIdl } from '@ovs-fleet/ovsdb';
import { pad } from './printer';
import { PyRow, PyTransaction } from './py-transaction';

/** sys.stderr.write(MESSAGE); sys.exit(1) */
export class DriverExit extends Error {
  constructor(readonly stderr: string) {
    super(stderr);
  }
}

export interface SetContext {
  idl: OvsdbIdl;
  step: number;
  out: (line: string) => void;
  /** stderr, where Python's IDL logs. */
  log: (line: string) => void;
  /** Columns registered read-only (`!`), per table. */
  readonly: ReadonlyMap<string, ReadonlySet<string>>;
  /** Python's idl.run() after the commit: processes the pending change notifications (notify hooks included). */
  drain: (step: number) => void;
  /** A fetched column now in the row's _data (printed from then on), and Python's change_seqno += 1 for the fetch reply. */
  fetched: (table: string, uuid: string, column: string) => void;
  /** idl.notify = hook, until the hook's first call puts the previous one back. */
  pushNotifyHook: (hook: (event: string, i: unknown, column: string | null) => void) => void;
}

/** Python's `assert`: a failure is an uncaught AssertionError (exit status 1). */
function assert(condition: boolean, message = 'assertion failed'): void {
  if (!condition) throw new Error(`AssertionError: ${message}`);
}

/** Python's int(): a base-10 integer or a ValueError. */
function int(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new Error(`ValueError: invalid literal for int() with base 10: '${text}'`);
  return Number(text);
}

/** Python's float(). */
function float(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`ValueError: could not convert string to float: '${text}'`);
  return value;
}

const UUIDS = {
  a: '001e43d2-dd3f-4616-ab6a-83a490bb0991',
  b: '0026b3ba-571b-4729-8227-d860a5210ab8',
  c: '579e978d-776c-4f19-a225-268e5890e670',
  d: 'b6272353-af9c-40b7-90fe-32a43e6518a1',
  e: '1d6a71a2-dffb-426e-b2fa-b727091f9901',
};

/** idltest_find_simple: the first row of `simple` (as the transaction sees them) with that i. */
function findSimple(txn: PyTransaction, i: number): PyRow | undefined {
  for (const row of txn.rowsOf('simple')) if (row.getOr('i', Number.NaN) === i) return row;
  return undefined;
}

/** idltest_find_simple2: by name. */
function findSimple2(txn: PyTransaction, name: string): PyRow | undefined {
  for (const row of txn.rowsOf('simple2')) if (row.getOr('name', '') === name) return row;
  return undefined;
}

/** idltest_find_simple3: through the IDL's index on simple3.name (idl.index_create("simple3", "simple3_by_name")). */
function findSimple3(idl: OvsdbIdl, txn: PyTransaction, name: string): PyRow | undefined {
  const data = idl.replica.lookup('simple3', 'name', name);
  if (data === undefined) return undefined;
  const row = txn.wrap('simple3', data);
  return row.deleted ? undefined : row;
}

/** idltest_find(idl, table, col, match) */
function find(txn: PyTransaction, table: string, column: string, match: unknown): PyRow | undefined {
  for (const row of txn.rowsOf(table)) if (row.getOr(column, Number.NaN) === match) return row;
  return undefined;
}

/** Attribute access on Python's None (a row that was not found): AttributeError. */
function found(row: PyRow | undefined, what: string): PyRow {
  if (row === undefined) throw new Error(`AttributeError: 'NoneType' object (${what} not found)`);
  return row;
}

/** Returns false when the commit's status is 'error' (nothing was sent, or the server refused it). */
export async function idlSet(ctx: SetContext, commands: string): Promise<boolean> {
  const { idl, step, out } = ctx;
  const txn = new PyTransaction(idl, ctx.readonly, (message) => ctx.log(`WARN ${message}`));
  let increment = false;
  const events: string[] = [];
  for (const command of commands.split(',')) {
    const words = command.split(/\s+/).filter((word) => word !== '');
    let name = words[0];
    let args = words.slice(1);

    if (name === 'notifytest') {
      name = args[0];
      args = args.slice(1);
      ctx.pushNotifyHook((event, i, column) => events.push(`${event}|${String(i)}|${column ?? 'None'}`));
    }

    if (name === 'set') {
      if (args.length !== 3) throw new DriverExit('"set" command requires 3 arguments\n');
      const s = findSimple(txn, int(args[0]));
      if (!s) throw new DriverExit(`"set" command asks for nonexistent i=${int(args[0])}\n`);
      if (args[1] === 'b') s.set('b', args[2] === '1');
      else if (args[1] === 's') s.set('s', args[2]);
      else if (args[1] === 'u') s.set('u', args[2]);
      else if (args[1] === 'r') s.set('r', float(args[2]));
      else throw new DriverExit(`"set" comamnd asks for unknown column ${args[2]}\n`);
    } else if (name === 'insert') {
      if (args.length !== 1) throw new DriverExit('"set" command requires 1 argument\n');
      const s = txn.insert('simple');
      s.set('i', int(args[0]));
    } else if (name === 'insert_uuid') {
      if (args.length !== 2) throw new DriverExit('"set" command requires 2 argument\n');
      const s = txn.insert('simple', args[0]);
      s.set('i', int(args[1]));
    } else if (name === 'delete') {
      if (args.length !== 1) throw new DriverExit('"delete" command requires 1 argument\n');
      const s = findSimple(txn, int(args[0]));
      if (!s) throw new DriverExit(`"delete" command asks for nonexistent i=${int(args[0])}\n`);
      s.delete();
    } else if (name === 'verify') {
      if (args.length !== 2) throw new DriverExit('"verify" command requires 2 arguments\n');
      const s = findSimple(txn, int(args[0]));
      if (!s) throw new DriverExit(`"verify" command asks for nonexistent i=${int(args[0])}\n`);
      if (['i', 'b', 's', 'u', 'r'].includes(args[1])) s.verify(args[1]);
      else throw new DriverExit(`"verify" command asks for unknown column "${args[1]}"\n`);
    } else if (name === 'fetch') {
      if (args.length !== 2) throw new DriverExit('"fetch" command requires 2 argument\n');
      const row = findSimple(txn, int(args[0]));
      if (!row) throw new DriverExit(`"fetch" command asks for nonexistent i=${int(args[0])}\n`);
      txn.fetch(row, args[1]);
    } else if (name === 'increment') {
      if (args.length !== 1) throw new DriverExit('"increment" command requires 1 argument\n');
      const s = findSimple(txn, int(args[0]));
      if (!s) throw new DriverExit(`"set" command asks for nonexistent i=${int(args[0])}\n`);
      txn.increment(s, 'i');
      increment = true;
    } else if (name === 'abort') {
      txn.abort();
      break;
    } else if (name === 'destroy') {
      out(`${pad(step)}: destroy`);
      txn.abort();
      return true;
    } else if (name === 'linktest') {
      const l1_0 = txn.insert('link1');
      l1_0.set('i', 1);
      l1_0.set('k', [l1_0.uuid]);
      l1_0.set('ka', [l1_0.uuid]);
      const l1_1 = txn.insert('link1');
      l1_1.set('i', 2);
      l1_1.set('k', [l1_0.uuid]);
      l1_1.set('ka', [l1_0.uuid, l1_1.uuid]);
    } else if (name === 'getattrtest') {
      const l1 = txn.insert('link1');
      let i = l1.getOr('i', 1);
      assert(i === 1);
      l1.set('i', 2);
      i = l1.getOr('i', 1);
      assert(i === 2);
      l1.set('k', [l1.uuid]);
    } else if (name === 'partialmapinsertelement') {
      const row = found(findSimple2(txn, 'myString1'), 'simple2 myString1');
      const lenSmap = row.len('smap');
      row.setkey('smap', 'key1', 'myList1');
      const lenImap = row.len('imap');
      row.setkey('imap', 3, 'myids2');
      row.set('name', 'String2');
      assert(row.len('smap') === lenSmap);
      assert(row.len('imap') === lenImap + 1);
    } else if (name === 'partialmapinsertmultipleelements') {
      const row = found(findSimple2(txn, 'String2'), 'simple2 String2');
      const lenSmap = row.len('smap');
      row.setkey('smap', 'key2', 'myList2');
      row.setkey('smap', 'key3', 'myList3');
      row.setkey('smap', 'key4', 'myList4');
      assert(row.len('smap') === lenSmap + 2);
    } else if (name === 'partialmapdelelements') {
      const row = found(findSimple2(txn, 'String2'), 'simple2 String2');
      const lenSmap = row.len('smap');
      row.delkey('smap', 'key1', 'myList1');
      row.delkey('smap', 'key2', 'wrongvalue');
      row.delkey('smap', 'key3');
      row.delkey('smap', 'key4');
      assert(row.len('smap') === lenSmap - 3);
    } else if (name === 'partialmapmutatenew') {
      const newRow2 = txn.insert('simple2');
      newRow2.set('name', 'String2New');
      newRow2.setkey('smap', 'key1', 'newList1');
      assert(newRow2.len('smap') === 1);
      newRow2.setkey('smap', 'key2', 'newList2');
      assert(newRow2.len('smap') === 2);
    } else if (name === 'partialrenamesetadd') {
      const row = found(findSimple3(idl, txn, 'mySet1'), 'simple3 mySet1');
      const oldSize = row.len('uset');
      row.addvalue('uset', UUIDS.a);
      row.set('name', 'String2');
      assert(row.len('uset') === oldSize + 1);
    } else if (name === 'partialduplicateadd') {
      const row = found(findSimple3(idl, txn, 'String2'), 'simple3 String2');
      const oldSize = row.len('uset');
      row.addvalue('uset', UUIDS.b);
      row.addvalue('uset', UUIDS.b);
      assert(row.len('uset') === oldSize + 1);
    } else if (name === 'partialsetdel') {
      const row = found(findSimple3(idl, txn, 'String2'), 'simple3 String2');
      const oldSize = row.len('uset');
      row.delvalue('uset', UUIDS.a);
      assert(row.len('uset') === oldSize - 1);
    } else if (name === 'partialsetref') {
      const newRow = txn.insert('simple4');
      newRow.set('name', 'test');
      const row = found(findSimple3(idl, txn, 'String2'), 'simple3 String2');
      const oldSize = row.len('uref');
      row.addvalue('uref', newRow.uuid);
      assert(row.len('uref') === oldSize + 1);
    } else if (name === 'partialsetoverrideops') {
      const row = found(findSimple3(idl, txn, 'String2'), 'simple3 String2');
      row.addvalue('uset', UUIDS.c);
      row.delvalue('uset', UUIDS.b);
      row.set('uset', [UUIDS.b]);
      assert(row.len('uset') === 1);
    } else if (name === 'partialsetadddelete') {
      const row = found(findSimple3(idl, txn, 'String2'), 'simple3 String2');
      row.addvalue('uset', UUIDS.d);
      row.addvalue('uset', UUIDS.e);
      row.delvalue('uset', UUIDS.b);
      assert(row.len('uset') === 2);
    } else if (name === 'partialsetmutatenew') {
      const newRow41 = txn.insert('simple4');
      newRow41.set('name', 'new_row41');
      const newRow3 = txn.insert('simple3');
      newRow3.set('name', 'String3');
      newRow3.addvalue('uset', newRow41.uuid);
      assert(newRow3.len('uset') === 1);
    } else if (name === 'partialmapmutateirefmap') {
      const row3 = found(findSimple3(idl, txn, 'myString1'), 'simple3 myString1');
      const row5 = found(find(txn, 'simple5', 'name', 'myString2'), 'simple5 myString2');
      row5.setkey('irefmap', 1, row3.uuid);
      const maplen = row5.len('irefmap');
      assert(maplen === 1, `expected 1, got ${maplen}`);
    } else {
      throw new DriverExit(`unknown command ${name}\n`);
    }
  }

  const result = await txn.commit();
  if (result.status === 'success') for (const [row, column] of txn.fetches) ctx.fetched(row.table.name, row.ref as string, column);
  ctx.drain(step);
  if (result.error !== undefined) ctx.log(`transaction error: ${result.error}${result.details === undefined ? '' : `: ${result.details}`}`);
  let line = `${pad(step)}: commit, status=${result.status}`;
  if (increment && result.status === 'success') line += `, increment=${String(result.incrementNewValue)}`;
  // Event notifications of one transaction come in no guaranteed order: sorted, as test-ovsdb.py does.
  if (events.length > 0) line += `, events=${events.sort().join(', ')}`;
  out(line);
  return result.status !== 'error';
}
