import { writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { run } from '@ovs-fleet/iproute';
import { LabNames } from './naming';
import { waitFor } from './wait';

export const DEFAULT_REDIS_PORT = 6379;

/** `preferred` if nothing listens on host:preferred yet, else a free port the kernel picks. */
export function choosePort(host: string, preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        const address = server.address();
        server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
  return tryListen(preferred).catch(() => tryListen(0));
}

/** Sends PING and resolves with the reply line (`+PONG` when Redis is up). */
export function redisPing(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply from redis at ${host}:${port}`)));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.write('PING\r\n');
  });
}

/**
 * Redis for the lab, bound to the management gateway address only, daemonized with its pid
 * and log files in the run dir (it also works there, which is how `down` recognises it:
 * Redis rewrites its command line). Persistence as the fleet's desired state needs it
 * (issue 10): an append-only file in the run dir synced every second, no RDB snapshots, and
 * `noeviction` (a full Redis refuses writes rather than dropping keys). ACL users are not in
 * the append-only file: they live in an ACL file in the run dir, written by `ACL SAVE` (as
 * the deployment's Redis, docker/redis/redis.conf). Starting it again on the same run dir and
 * port (a restart) loads both.
 */
export async function startRedis(lab: LabNames, host: string, port: number): Promise<void> {
  await writeFile(lab.redisAclFile, '', { flag: 'a' }); // Redis refuses to start without it
  await run('redis-server', [
    '--bind', host,
    '--port', String(port),
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
    '--aclfile', lab.redisAclFile,
    '--protected-mode', 'no',
    '--daemonize', 'yes',
    '--pidfile', lab.redisPidFile,
    '--logfile', lab.redisLogFile,
    '--dir', lab.runDir,
  ]);
  await waitFor(`redis at ${host}:${port}`, async () => ((await redisPing(host, port, 500)) === '+PONG' ? true : undefined));
}
