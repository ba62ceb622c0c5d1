/** do_idl_passive of tests/test-ovsdb.py: `idl_passive SCHEMA ptcp:HOST:PORT [JSON-TRANSACTION...]`. */
import { readFileSync, writeSync } from 'node:fs';
import { OvsdbClient, OvsdbClientListener, Replica, type DatabaseSchema } from '@ovs-fleet/ovsdb';
import { DriverExit } from './idl-set';
import { jsonTransact } from './json-transact';
import { IdlPrinter, pad } from './printer';
import { registerAll } from './registration';

const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};

/** `ptcp:HOST:PORT` in test-ovsdb.py's (Python's) order → our `ptcp:PORT:HOST`. */
function passiveRemote(remote: string): string {
  const match = /^ptcp:(.*):(\d+)$/.exec(remote);
  if (!match) throw new DriverExit(`unsupported passive remote ${remote}\n`);
  return `ptcp:${match[2]}:${match[1]}`;
}

export async function doIdlPassive(schemaFile: string, remote: string, commands: readonly string[]): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as DatabaseSchema;
  const listener = await OvsdbClientListener.listen(passiveRemote(remote));
  const client = await new Promise<OvsdbClient>((resolve) => listener.once('client', (c: OvsdbClient) => resolve(c)));
  const replica = new Replica(schema);
  const printer = new IdlPrinter(replica, registerAll(schema), out);
  // As test-ovsdb.py: printed as soon as the server has connected, before any monitor reply.
  let step = 0;
  printer.printIdl(step++);
  const symtab = new Map<string, string>();
  for (const command of commands) {
    await jsonTransact(client, command, symtab, step, out);
    step++;
  }
  client.close();
  await listener.close();
  out(`${pad(step)}: done`);
}
