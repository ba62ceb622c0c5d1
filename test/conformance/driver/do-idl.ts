/** do_idl of tests/test-ovsdb.py over OvsdbIdl: `idl SCHEMA REMOTE [SSL-FILES] [track-notify] [?REGISTRATION] [COMMAND...]`. */
import { readFileSync, writeSync } from 'node:fs';
import { OvsdbClient, OvsdbIdl, type DatabaseSchema, type IndexSpec, type TlsCredentials } from '@ovs-fleet/ovsdb';
import { Conditions, sendConditions, updateCondition } from './conditions';
import { DriverExit, idlSet } from './idl-set';
import { IdlLoop } from './idl-loop';
import { jsonTransact } from './json-transact';
import { IdlPrinter, pad } from './printer';
import { parseRegistration, registerAll, type Registration } from './registration';
import { takeTlsArgs } from './tls-args';

const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};
const log = (line: string): void => {
  writeSync(2, `${line}\n`);
};

/** What every driver command gives OvsdbIdl.connect besides the remotes. */
export function idlOptions(schema: DatabaseSchema, registration: Registration, tls: TlsCredentials | undefined) {
  const columns: Record<string, string[]> = {};
  for (const [table, set] of registration.columns) columns[table] = [...set];
  // idl.index_create("simple3", "simple3_by_name"), when simple3 is replicated.
  const indexes: IndexSpec[] = registration.tables.has('simple3') ? [{ table: 'simple3', column: 'name' }] : [];
  return {
    database: schema.name,
    schema,
    tables: [...registration.tables],
    columns,
    indexes,
    tls,
    inactivityProbeMs: 0,
    backoff: { initialDelayMs: 50, maxDelayMs: 500 },
    // Python's IDL monitors _Server's Database table on the same connection.
    serverDatabase: true,
  };
}

/** The separate JSON-RPC connection for raw transactions: the first remote that answers within 2 s (Stream.open_block). */
async function openRpc(remote: string, tls: TlsCredentials | undefined): Promise<OvsdbClient> {
  for (const one of remote.split(',')) {
    try {
      return await OvsdbClient.connect(one, { tls, timeoutMs: 2000, inactivityProbeMs: 0 });
    } catch {
      // try the next one
    }
  }
  throw new DriverExit(`failed to connect to "${remote}"`);
}

export async function doIdl(schemaFile: string, remote: string, commandsIn: readonly string[]): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as DatabaseSchema;
  const { tls, commands: afterTls } = takeTlsArgs(remote, commandsIn);
  let commands = afterTls;
  let trackNotify = false;
  if (commands.length > 0 && commands[0] === 'track-notify') {
    commands = commands.slice(1);
    trackNotify = true;
  }
  let registration = registerAll(schema);
  if (commands.length > 0 && commands[0].startsWith('?')) {
    registration = parseRegistration(commands[0]);
    commands = commands.slice(1);
  }

  const conditions = new Conditions();
  let step = 0;
  // A first "condition" command is set before connecting, so the first monitor request carries it.
  if (commands.length >= 1 && commands[0].includes('condition')) {
    updateCondition(conditions, commands.shift()!, step, out);
    step += 1;
  }
  const idl = OvsdbIdl.create({ remotes: remote.split(','), ...idlOptions(schema, registration, tls), conditions: conditions.values });
  // Before the first sync: Python's IDL notifies the creation of _Server's rows at step 0.
  const serverEvents = idl.serverReplica.subscribe({ capacity: 1_000_000 });
  await idl.start();
  const rpc = commands.length > 0 ? await openRpc(remote, tls) : undefined;
  const printer = new IdlPrinter(idl.replica, registration, out);
  const notify = trackNotify && registration.tables.has('simple') ? printer.printNotify.bind(printer) : undefined;
  const loop = new IdlLoop(idl, notify && ((event, at, eventSchema) => notify(at, event, eventSchema)), serverEvents);

  const symtab = new Map<string, string>();
  let seqno = 0;
  for (let command of commands) {
    let terse = false;
    if (command.startsWith('?')) {
      // Only the tables' names are of interest.
      terse = true;
      command = command.slice(1);
    }
    if (command.startsWith('+')) {
      // The previous transaction changed nothing.
      command = command.slice(1);
    } else if (command.startsWith('^')) {
      // Wait for the condition change to be acknowledged: setConditions resolved when it was.
      command = command.slice(1);
    } else {
      await loop.waitForChange(seqno, step);
      printer.printIdl(step, terse);
      step += 1;
    }
    seqno = loop.changeSeqno;

    if (command === 'reconnect') {
      out(`${pad(step)}: reconnect`);
      step += 1;
      loop.forceReconnect();
    } else if (command.includes('condition')) {
      const changed = updateCondition(conditions, command, step, out);
      step += 1;
      await sendConditions(
        idl,
        conditions,
        changed.map(([table]) => table),
      );
    } else if (!command.startsWith('[')) {
      const committed = await idlSet(
        {
          idl,
          step,
          out,
          log,
          readonly: registration.readonly,
          drain: (at) => loop.drain(at),
          fetched: (_table, uuid, column) => {
            printer.markFetched(uuid, column);
            loop.bump();
          },
          pushNotifyHook: (hook) => loop.pushNotifyHook(hook),
        },
        command,
      );
      // Nothing reached the server: no update will come, so do not wait for one.
      if (!committed) seqno = 0;
      step += 1;
    } else {
      await jsonTransact(rpc!, command, symtab, step, out);
      step += 1;
    }
  }
  rpc?.close();
  await loop.waitForChange(seqno, step);
  printer.printIdl(step);
  step += 1;
  loop.close();
  idl.close();
  out(`${pad(step)}: done`);
}
