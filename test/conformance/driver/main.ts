/**
 * Conformance driver: the `idl` and `idl_passive` commands of OVS's tests/test-ovsdb.py,
 * same arguments and output, over OvsdbIdl. Run through `test/conformance/driver/test-driver`.
 *
 *   test-driver [-t SECS | --timeout=SECS] idl SCHEMA REMOTE [COMMAND...]
 *   test-driver [-t SECS] idl_passive SCHEMA ptcp:HOST:PORT [JSON-TRANSACTION...]
 */
import { readFileSync, writeSync } from 'node:fs';
import { OvsdbClient, OvsdbClientListener, OvsdbIdl, OvsdbRpcError, Replica, type ChangeSubscription, type DatabaseSchema, type WireCondition } from '@ovs-fleet/ovsdb';
import { DriverExit, idlSet } from './idl-set';
import { IdlPrinter, oldValuesOfChanged, pad, type Registration } from './printer';
import { pyJson } from './python-format';

const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};

function parseArgs(argv: readonly string[]): { timeoutS: number; rest: string[] } {
  let timeoutS = 0;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (rest.length === 0 && arg.startsWith('-t') && !arg.startsWith('--')) timeoutS = Number(arg.length > 2 ? arg.slice(2) : argv[++i]);
    else if (rest.length === 0 && arg.startsWith('--timeout')) timeoutS = Number(arg.includes('=') ? arg.split('=')[1] : argv[++i]);
    else rest.push(arg);
  }
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new DriverExit('invalid timeout\n');
  return { timeoutS, rest };
}

/** Python's json.loads of a command; `#N#` symbols become the uuids seen in earlier replies. */
function substituteUuids(json: unknown, symtab: Map<string, string>): unknown {
  if (typeof json === 'string') return symtab.get(json) ?? json;
  if (Array.isArray(json)) return json.map((element) => substituteUuids(element, symtab));
  if (json !== null && typeof json === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) out[key] = substituteUuids(value, symtab);
    return out;
  }
  return json;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function parseUuids(json: unknown, symtab: Map<string, string>): void {
  if (typeof json === 'string' && UUID_RE.test(json)) {
    const name = `#${symtab.size}#`;
    writeSync(2, `${name} = ${json}\n`);
    symtab.set(name, json);
  } else if (Array.isArray(json)) {
    for (const element of json) parseUuids(element, symtab);
  } else if (json !== null && typeof json === 'object') {
    for (const value of Object.values(json)) parseUuids(value, symtab);
  }
}

/** A JSON transaction on a plain connection, printed as `{"error":null,"result":...}`. */
async function jsonTransact(client: OvsdbClient, command: string, symtab: Map<string, string>, step: number): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(command);
  } catch (error) {
    throw new DriverExit(`"${command}": ${(error as Error).message}\n`);
  }
  if (!Array.isArray(json)) throw new DriverExit(`"${command}": not a transaction\n`);
  let result: unknown;
  try {
    result = await client.session.request('transact', substituteUuids(json, symtab) as unknown[]);
  } catch (error) {
    if (error instanceof OvsdbRpcError) throw new DriverExit(`jsonrpc transaction failed: ${JSON.stringify(error.error)}\n`);
    throw new DriverExit(`jsonrpc transaction failed: ${(error as Error).message}\n`);
  }
  if (result !== null && result !== undefined) parseUuids(result, symtab);
  out(`${pad(step)}: ${pyJson({ result, error: null })}`);
}

/** Python IDL condition bookkeeping: [] means "no rows" ([false]); a repeat of the latest condition changes nothing. */
class Conditions {
  private readonly latest = new Map<string, string>();
  readonly values: Record<string, WireCondition[]> = {};

  change(table: string, cond: WireCondition[]): boolean {
    const normalized: WireCondition[] = cond.length === 0 ? [false] : cond;
    const key = JSON.stringify(normalized);
    if ((this.latest.get(table) ?? '[true]') === key) return false;
    this.latest.set(table, key);
    this.values[table] = normalized;
    return true;
  }
}

function parseCondition(command: string): [string, WireCondition[]][] {
  return command
    .slice('condition '.length)
    .split(';')
    .map((part) => {
      const words = part.split(' ');
      if (words.length !== 2) throw new DriverExit(`Error parsing condition ${JSON.stringify(words)}\n`);
      return [words[0], JSON.parse(words[1]) as WireCondition[]];
    });
}

function parseRegistration(schema: DatabaseSchema, spec: string | undefined): Registration {
  if (spec === undefined) return { tables: new Set(Object.keys(schema.tables)), columns: new Map() };
  const tables = new Set<string>();
  const columns = new Map<string, Set<string>>();
  for (const part of spec.slice(1).split('?')) {
    const [table, list] = part.split(':');
    tables.add(table);
    const set = columns.get(table) ?? new Set<string>();
    for (const column of list.split(',')) set.add(column.endsWith('!') ? column.slice(0, -1) : column);
    columns.set(table, set);
  }
  return { tables, columns };
}

async function doIdl(schemaFile: string, remote: string, commandsIn: string[]): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as DatabaseSchema;
  let commands = [...commandsIn];
  if (remote.startsWith('ssl:')) throw new DriverExit('ssl remotes are not supported by this driver\n');
  let trackNotify = false;
  if (commands[0] === 'track-notify') {
    trackNotify = true;
    commands = commands.slice(1);
  }
  let registrationSpec: string | undefined;
  if (commands[0]?.startsWith('?')) {
    registrationSpec = commands[0];
    commands = commands.slice(1);
  }
  const registration = parseRegistration(schema, registrationSpec);
  const remotes = remote.split(',');
  let step = 0;
  const conditions = new Conditions();
  const printConditionChanges = (command: string, at: number): [string, WireCondition[]][] => {
    const parsed = parseCondition(command);
    for (const [table, cond] of parsed) out(`${pad(at)}: ${table}: ${conditions.change(table, cond) ? 'change conditions' : 'conditions unchanged'}`);
    return parsed;
  };
  if (commands.length > 0 && commands[0].includes('condition')) {
    printConditionChanges(commands.shift()!, step);
    step++;
  }
  const columns: Record<string, string[]> = {};
  for (const [table, set] of registration.columns) columns[table] = [...set];
  const idl = await OvsdbIdl.connect({
    remotes,
    database: schema.name,
    schema,
    tables: [...registration.tables],
    columns,
    conditions: conditions.values,
    inactivityProbeMs: 0,
    backoff: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  const rpc = commandsIn.length > 0 ? await OvsdbClient.connect(remotes[0]) : undefined;
  const printer = new IdlPrinter(idl.replica, registration, out);
  const subscription: ChangeSubscription = idl.replica.subscribe({ capacity: 1_000_000 });
  let changeSeqno = 1; // the initial sync
  idl.on('resynced', (info) => {
    if (info.kind !== 'initial') changeSeqno++;
  });
  const notifyHooks: ((event: string, i: unknown, column: string | null) => void)[] = [];
  /** Processes pending change events as Python's idl.run() would: counts them, runs notify. */
  const drain = (at: number): void => {
    for (let event = subscription.poll(); event !== undefined; event = subscription.poll()) {
      changeSeqno++;
      if (event.type === 'gap') continue;
      const hook = notifyHooks.pop();
      if (hook) {
        const row = (event.new ?? event.old)!;
        let column: string | null = null;
        if (event.type === 'modify') {
          const meta = idl.replica.schema.tables.get(event.table)!;
          column = Object.keys(oldValuesOfChanged(meta, event.old, event.new)).find((name) => name !== '_uuid') ?? null;
        }
        hook(event.type === 'insert' ? 'create' : event.type === 'modify' ? 'update' : 'delete', row.i, column);
      } else if (trackNotify && registration.tables.has('simple')) {
        printer.printNotify(at, event);
      }
    }
  };
  /** Python's `while idl.change_seqno == seqno: idl.run()`: resumes on a notification or a resync. */
  // Like the Python IDL, the replica only moves when the driver "runs" it (waits, commits).
  let release = idl.hold();
  const waitForChange = (seqno: number, at: number): Promise<void> =>
    new Promise((resolve) => {
      release();
      const check = (): boolean => {
        drain(at);
        if (changeSeqno === seqno) return false;
        idl.off('resynced', onResync);
        release = idl.hold();
        resolve();
        return true;
      };
      const onResync = () => void check();
      if (check()) return;
      idl.on('resynced', onResync);
      void idl.replica.waitFor(() => check());
    });

  if (trackNotify && registration.tables.has('simple')) {
    // The Python IDL also monitors _Server's Database table, and its notify hook sees
    // those rows' creation during the first sync (none of the printed columns exist there).
    const [databases] = await idl.client.transact('_Server', [{ op: 'select', table: 'Database', where: [], columns: ['_uuid'] }]);
    for (const row of databases.rows ?? []) out(`${pad(step)}: event:create, row={}, uuid=${(row._uuid as ['uuid', string])[1]}, updates=None`);
  }
  const symtab = new Map<string, string>();
  let seqno = 0;
  for (let command of commands) {
    let terse = false;
    if (command.startsWith('?')) {
      terse = true;
      command = command.slice(1);
    }
    if (command.startsWith('+')) {
      command = command.slice(1);
    } else if (command.startsWith('^')) {
      // condition changes are acknowledged before the next command already
      command = command.slice(1);
    } else {
      await waitForChange(seqno, step);
      printer.printIdl(step, terse);
      step++;
    }
    drain(step);
    seqno = changeSeqno;
    if (command === 'reconnect') {
      out(`${pad(step)}: reconnect`);
      step++;
      idl.forceReconnect();
    } else if (command.includes('condition')) {
      const parsed = printConditionChanges(command, step);
      step++;
      for (const [table] of parsed) await idl.setConditions(table, conditions.values[table] ?? [true]);
    } else if (!command.startsWith('[')) {
      const ok = await idlSet({ idl, step, out, drain, pushNotifyHook: (hook) => notifyHooks.push(hook) }, command);
      if (!ok) seqno = 0;
      step++;
    } else {
      await jsonTransact(rpc!, command, symtab, step);
      step++;
    }
  }
  rpc?.close();
  await waitForChange(seqno, step);
  printer.printIdl(step);
  step++;
  idl.close();
  out(`${pad(step)}: done`);
}

/** `ptcp:HOST:PORT` in test-ovsdb.py's (Python) order → our `ptcp:PORT:HOST`. */
function passiveRemote(remote: string): string {
  const match = /^ptcp:(.*):(\d+)$/.exec(remote);
  if (!match) throw new DriverExit(`unsupported passive remote ${remote}\n`);
  return `ptcp:${match[2]}:${match[1]}`;
}

async function doIdlPassive(schemaFile: string, remote: string, commands: string[]): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as DatabaseSchema;
  const listener = await OvsdbClientListener.listen(passiveRemote(remote));
  const client = await new Promise<OvsdbClient>((resolve) => listener.once('client', (c: OvsdbClient) => resolve(c)));
  const replica = new Replica(schema);
  const printer = new IdlPrinter(replica, { tables: new Set(Object.keys(schema.tables)), columns: new Map() }, out);
  // As test-ovsdb.py: printed as soon as the server has connected, before any monitor reply.
  let step = 0;
  printer.printIdl(step++);
  const symtab = new Map<string, string>();
  for (const command of commands) {
    await jsonTransact(client, command, symtab, step);
    step++;
  }
  client.close();
  listener.close();
  out(`${pad(step)}: done`);
}

async function main(argv: readonly string[]): Promise<void> {
  const { timeoutS, rest } = parseArgs(argv);
  if (timeoutS > 0) {
    setTimeout(() => {
      writeSync(2, `timeout after ${timeoutS} seconds\n`);
      process.exit(1);
    }, timeoutS * 1000);
  }
  const [command, schemaFile, remote, ...commands] = rest;
  if (command === 'idl') await doIdl(schemaFile, remote, commands);
  else if (command === 'idl_passive') await doIdlPassive(schemaFile, remote, commands);
  else throw new DriverExit(`unknown command "${command}" (this driver supports idl and idl_passive)\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    writeSync(2, error instanceof DriverExit ? error.stderr : `${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
