/**
 * The controller process's listening socket holds as many pending connections as configured
 * (OVS_FLEET_HTTP_BACKLOG, default 4096, capped by the kernel's net.core.somaxconn): read back
 * from the socket itself with `ss` (a listening socket's Send-Q is its backlog).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ControllerProcess } from '../support/controller-process';
import { RedisTestServer } from '../support/redis-server';
import { TOKENS_SETTING } from './support/controller-app';

const run = promisify(execFile);

let redis: RedisTestServer;

beforeAll(async () => {
  redis = await RedisTestServer.start();
});

afterAll(async () => {
  await redis?.dispose();
});

async function listenBacklog(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-Hltn', `sport = :${port}`]);
  const [, , sendQ] = stdout.trim().split(/\s+/); // State Recv-Q Send-Q Local Peer
  return Number(sendQ);
}

const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));

it.each([
  ['the default backlog', {}, 4096],
  ['a configured backlog', { OVS_FLEET_HTTP_BACKLOG: '1000' }, 1000],
])('listens with %s', async (_what, env, expected) => {
  const controller = await ControllerProcess.start({ redisUrl: redis.url, tokens: TOKENS_SETTING, env });
  try {
    expect(await listenBacklog(controller.port)).toBe(Math.min(expected, somaxconn));
  } finally {
    await controller.stop();
  }
});
