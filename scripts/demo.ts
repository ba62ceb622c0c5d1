/**
 * The demo (`npm run demo`): a 3-host lab, its Redis, the controller and one agent per host;
 * two networks and five containers made through the controller's REST API (each call shown
 * as a curl line); traffic across hosts that must pass and traffic that must not. Then it says
 * where the API is and keeps everything running until Ctrl-C or `npm run demo -- down`.
 *   --once      run the checks and remove everything (what `npm test` does)
 *   --name N    the lab's name (default demo)
 *   down        remove a running demo
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '@ovs-fleet/iproute';
import { assertLabName, Lab } from '@ovs-fleet/lab';
import { DemoApi } from './demo/api';
import { startAgent, startController, waitHttp } from './demo/processes';

interface Container {
  name: string;
  host: number;
  network: 'blue' | 'red';
  netns?: string;
  address?: string;
}

async function ping(netns: string, address: string): Promise<boolean> {
  try {
    // A few probes: the first may wait for ARP; ping succeeds if any reply comes back.
    await run('ip', ['netns', 'exec', netns, 'ping', '-c', '3', '-i', '0.2', '-W', '1', address]);
    return true;
  } catch {
    return false;
  }
}

async function freePort(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { once: { type: 'boolean', default: false }, name: { type: 'string', default: 'demo' } },
  });
  const name = assertLabName(values.name);
  if (positionals[0] === 'down') {
    await Lab.down(name);
    console.log(`demo "${name}" removed`);
    return;
  }
  if (positionals.length > 0) throw new Error(`unknown argument ${positionals[0]} (the only command is: down)`);

  let lab: Lab | undefined;
  let allAsExpected = true;
  const check = (label: string, ok: boolean, expected: boolean) => {
    console.log(`  ${ok ? 'reaches     ' : 'does not    '} ${label}  (${ok === expected ? 'as expected' : 'UNEXPECTED'})`);
    allAsExpected &&= ok === expected;
  };
  const down = async () => {
    if (lab) await Lab.down(name).catch(() => undefined);
    lab = undefined;
  };
  // The first Ctrl-C removes everything; another one while that runs must not end the process
  // half way through it (the lab would be left behind). scripts/demo.sh runs this file in one
  // process (node --import tsx): the tsx CLI's parent process passes a signal on again and
  // kills its child when that does not answer within 30 ms, which a removal under way missed.
  let stopping = false;
  const stopOn = (signal: NodeJS.Signals, exitCode: number) =>
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void down().finally(() => process.exit(exitCode));
    });
  stopOn('SIGINT', 130);
  stopOn('SIGTERM', 143);
  try {
    await Lab.down(name); // a demo still running, or left by a crash
    console.log('Bringing up 3 simulated hosts (a namespace each with ovsdb-server and ovs-vswitchd) and Redis...');
    lab = await Lab.up({ name, hosts: 3, autoRanges: true });
    const redis = lab.redis;
    if (!redis) throw new Error('the lab has no Redis');

    const token = randomBytes(18).toString('base64url');
    const port = await freePort(8080);
    const base = `http://127.0.0.1:${port}`;
    console.log(`Starting the controller on ${base} and an agent inside each host's namespace...`);
    startController(lab.runDir, {
      OVS_FLEET_REDIS_URL: `redis://${redis.host}:${redis.port}`,
      OVS_FLEET_HTTP_HOST: '127.0.0.1',
      OVS_FLEET_HTTP_PORT: String(port),
      OVS_FLEET_TOKENS: `demo:admin:${token}`,
      OVS_FLEET_LOG_LEVEL: 'warn',
    });
    await waitHttp(`${base}/health`, 60_000);
    const api = new DemoApi(base, token);
    console.log(`\nexport TOKEN=${token}`);

    console.log('\n1. Register the hosts (tunnel endpoint = the host\'s underlay address) and give each agent its own Redis user');
    for (const host of lab.hosts) {
      const answer = await api.call<{ operation: { id: string } }>('PUT', `/v1/hosts/${host.hostId}`, { tunnelIp: host.underlayIp, datapathType: 'netdev' });
      const user = await api.call<{ username: string; password: string }>('POST', `/v1/hosts/${host.hostId}/agent-credentials`);
      startAgent(lab.runDir, host.netns, host.hostId, { ...lab.agentEnv(host.id, { remote: 'unix', redisUser: user }), OVS_FLEET_AGENT_HTTP: 'off' });
      await api.applied(answer.operation);
    }

    console.log('\n2. Two overlay networks with the same subnet: blue over VXLAN, red over Geneve');
    for (const [network, type] of [['blue', 'vxlan'], ['red', 'geneve']] as const) {
      const answer = await api.call<{ operation: { id: string } }>('POST', '/v1/networks', { name: network, type, subnets: [{ cidr: '198.18.10.0/24' }] });
      await api.applied(answer.operation);
    }

    console.log('\n3. Containers (network namespaces) attached through the API; the controller allocates blue\'s addresses, red\'s are requested');
    const containers: Container[] = [
      { name: 'blue1', host: 0, network: 'blue' },
      { name: 'blue2', host: 1, network: 'blue' },
      { name: 'blue3', host: 2, network: 'blue' },
      { name: 'red1', host: 0, network: 'red' },
      { name: 'red2', host: 1, network: 'red' },
    ];
    let redAddress = 101;
    for (const c of containers) {
      c.netns = (await lab.createNamespace(c.name)).netns;
      const body = { network: c.network, host: lab.hosts[c.host].hostId, container: { netns: c.netns }, ...(c.network === 'red' ? { addresses: [`198.18.10.${redAddress++}`] } : {}) };
      const answer = await api.call<{ attachment: { addresses: string[] }; operation: { id: string } }>('POST', '/v1/attachments', body);
      c.address = answer.attachment.addresses[0].split('/')[0];
      await api.applied(answer.operation);
      console.log(`    ${c.name} on ${lab.hosts[c.host].hostId}: ${answer.attachment.addresses[0]} on ${c.network}`);
    }

    const byName = Object.fromEntries(containers.map((c) => [c.name, c])) as Record<string, Required<Container>>;
    const probe = async (from: string, to: string, expected: boolean, what: string) =>
      check(`${from} (${lab!.hosts[byName[from].host].hostId}) -> ${to} (${lab!.hosts[byName[to].host].hostId}) ${byName[to].address}, ${what}`, await ping(byName[from].netns, byName[to].address), expected);
    console.log('\n4. Traffic across hosts through the tunnels');
    await probe('blue1', 'blue2', true, 'same network, VXLAN');
    await probe('blue1', 'blue3', true, 'same network, VXLAN');
    await probe('red1', 'red2', true, 'same network, Geneve');
    await probe('blue1', 'red2', false, 'other network');
    await probe('red1', 'blue2', false, 'other network');

    console.log(allAsExpected ? '\nAll checks behaved as expected.' : '\nSome checks did not behave as expected.');
    if (values.once) return;
    console.log(`
The fleet is running:
  REST API   ${base}/v1   (try: curl -sS ${base}/v1/topology -H "Authorization: Bearer $TOKEN")
  OpenAPI    ${base}/docs  (JSON: ${base}/docs-json)
  GraphQL    ${base}/graphql  (subscriptions over graphql-ws, connectionParams {"authorization": "Bearer TOKEN"})
  metrics    ${base}/metrics, health ${base}/health
  token      ${token}  (admin)
  logs       ${lab.runDir}/controller.log, ${lab.runDir}/agent-*.log
Ctrl-C (or \`npm run demo -- down\` elsewhere) removes it all.`);
    // Stay until interrupted, or until another run (or `down`) removed the lab.
    while ((await Lab.list()).includes(name)) await new Promise((done) => setTimeout(done, 2000));
    lab = undefined;
    console.log('\nThe demo was removed.');
  } catch (error) {
    if (lab) showLogs(lab.runDir);
    throw error;
  } finally {
    await down();
    process.exitCode = allAsExpected ? 0 : 1;
  }
}

/** After a failure, the end of each process's log: what went wrong is usually there. */
function showLogs(runDir: string): void {
  for (const file of readdirSync(runDir).filter((f) => /^(controller|agent-.*)\.log$/.test(f))) {
    const lines = readFileSync(join(runDir, file), 'utf8').trimEnd().split('\n').slice(-15);
    console.error(`\n--- ${file} (last lines)\n${lines.join('\n')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
