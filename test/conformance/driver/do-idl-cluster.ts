/**
 * do_idl_cluster of tests/test-ovsdb.py: `idl-cluster SCHEMA REMOTES PIDS [COMMAND...]`, an
 * OvsdbIdl that only stays on the cluster's leader (Python's default leader_only=True).
 * Commands: `remote` prints the server it is on, `remotestop` kills that server (its pid is
 * at the same position in PIDS as its remote in REMOTES), `reconnect`.
 */
import { readFileSync, writeSync } from 'node:fs';
import { OvsdbIdl, type DatabaseSchema } from '@ovs-fleet/ovsdb';
import { idlOptions } from './do-idl';
import { DriverExit } from './idl-set';
import { IdlLoop } from './idl-loop';
import { pad } from './printer';
import { registerAll } from './registration';
import { takeTlsArgs } from './tls-args';

const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};

export async function doIdlCluster(schemaFile: string, remote: string, pid: string, commandsIn: readonly string[]): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as DatabaseSchema;
  const { tls, commands } = takeTlsArgs(remote, commandsIn);
  const idl = await OvsdbIdl.connect({ remotes: remote.split(','), ...idlOptions(schema, registerAll(schema), tls), leaderOnly: schema.name });
  const loop = new IdlLoop(idl, undefined);
  // Python's session_name(): the server of the session, which is the one the IDL last synced with.
  let sessionName = idl.client.remote ?? '';
  idl.on('resynced', (info) => (sessionName = info.remote));

  let step = 0;
  let seqno = 0;
  for (let command of commands) {
    if (command.startsWith('+')) {
      // The previous command changed nothing.
      command = command.slice(1);
    } else {
      await loop.waitForChange(seqno, step);
      step += 1;
    }
    seqno = loop.changeSeqno;

    if (command === 'reconnect') {
      out(`${pad(step)}: reconnect`);
      step += 1;
      loop.forceReconnect();
    } else if (command === 'remote') {
      out(`${pad(step)}: ${sessionName}`);
      step += 1;
    } else if (command === 'remotestop') {
      const current = sessionName;
      const index = remote.split(',').indexOf(current);
      const pids = pid.split(',');
      if (index < 0 || pids[index] === undefined || pids[index] === '') throw new DriverExit(`Cannot find pid of remote: ${current}\n`);
      process.kill(Number(pids[index]), 'SIGTERM');
      out(`${pad(step)}: stop ${pids[index]}`);
      step += 1;
    }
  }
  loop.close();
  idl.close();
  out(`${pad(step)}: done`);
}
