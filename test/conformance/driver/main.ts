/**
 * Conformance driver: the `idl`, `idl_passive` and `idl-cluster` commands of OVS's
 * tests/test-ovsdb.py, same arguments and output, over libs/ovsdb's OvsdbIdl. Run through
 * `test/conformance/driver/test-driver`.
 *
 *   test-driver [-t SECS] idl SCHEMA REMOTE[,REMOTE...] [KEY CERT CACERT] [track-notify] [?TABLE:COLUMN,...] [COMMAND...]
 *   test-driver [-t SECS] idl_passive SCHEMA ptcp:HOST:PORT [JSON-TRANSACTION...]
 *   test-driver [-t SECS] idl-cluster SCHEMA REMOTES PIDS [COMMAND...]
 */
import { writeSync } from 'node:fs';
import { doIdl } from './do-idl';
import { doIdlCluster } from './do-idl-cluster';
import { doIdlPassive } from './do-idl-passive';
import { DriverExit } from './idl-set';

const PROGRAM = 'test-driver';

/** getopt 't:h' as test-ovsdb.py parses it: `-t SECS`, `-tSECS`, `--timeout=SECS`. */
function parseArgs(argv: readonly string[]): { timeoutS: number | undefined; args: string[] } {
  let timeoutS: number | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg === '-t') value = argv[++i];
    else if (arg.startsWith('-t')) value = arg.slice(2);
    else if (arg.startsWith('--timeout=')) value = arg.slice('--timeout='.length);
    else {
      args.push(arg);
      continue;
    }
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new DriverExit(`value ${String(value)} on -t or --timeout is not at least 1\n`);
    timeoutS = parsed;
  }
  return { timeoutS, args };
}

/** Commands and their least number of arguments. */
const COMMANDS: Record<string, { min: number; run: (args: string[]) => Promise<void> }> = {
  idl: { min: 2, run: ([schema, remote, ...commands]) => doIdl(schema, remote, commands) },
  idl_passive: { min: 2, run: ([schema, remote, ...commands]) => doIdlPassive(schema, remote, commands) },
  'idl-cluster': { min: 3, run: ([schema, remote, pids, ...commands]) => doIdlCluster(schema, remote, pids, commands) },
};

async function main(argv: readonly string[]): Promise<void> {
  const { timeoutS, args } = parseArgs(argv);
  if (timeoutS !== undefined) {
    // signal_alarm(timeout): the process dies when the time is up.
    setTimeout(() => {
      writeSync(2, `${PROGRAM}: timeout after ${timeoutS} seconds\n`);
      process.exit(1);
    }, timeoutS * 1000).unref();
  }
  if (args.length === 0) throw new DriverExit(`${PROGRAM}: missing command argument (use --help for help)\n`);
  const [name, ...rest] = args;
  const command = COMMANDS[name];
  if (command === undefined) throw new DriverExit(`${PROGRAM}: unknown command "${name}" (use --help for help)\n`);
  if (rest.length < command.min) throw new DriverExit(`${PROGRAM}: "${name}" requires at least ${command.min} arguments but only ${rest.length} provided\n`);
  await command.run(rest);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    writeSync(2, error instanceof DriverExit ? error.stderr : `${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
