/** The raw JSON-RPC transactions of test-ovsdb.py (commands that start with '['), on a plain connection. */
import { writeSync } from 'node:fs';
import { OvsdbClient, OvsdbRpcError } from '@ovs-fleet/ovsdb';
import { DriverExit } from './idl-set';
import { pad } from './printer';
import { pyJson } from './python-format';

/** substitute_uuids: `#N#` symbols become the uuids seen in earlier replies. */
export function substituteUuids(json: unknown, symtab: ReadonlyMap<string, string>): unknown {
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

/** parse_uuids: every uuid string of a reply gets the next `#N#` symbol (logged to stderr). */
export function parseUuids(json: unknown, symtab: Map<string, string>): void {
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

/** One transaction, printed as `NNN: {"error":null,"result":[...]}` (the reply with its id removed). */
export async function jsonTransact(client: OvsdbClient, command: string, symtab: Map<string, string>, step: number, out: (line: string) => void): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(command);
  } catch (error) {
    throw new DriverExit(`"${command}": ${(error as Error).message}\n`);
  }
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
