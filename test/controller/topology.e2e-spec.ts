/**
 * GET /v1/topology end to end: real Redis, the production app module, HTTP. Hosts with the
 * revision their agent applied (from the status hash an agent writes), networks with the
 * hosts they span, and one link per pair of hosts per overlay network.
 */
import { Redis } from 'ioredis';
import { DesiredHostState, redisKeys } from '@ovs-fleet/contracts';
import { readDesiredState } from '../../apps/agent/src/runtime/desired-state-reader';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController } from './support/controller-app';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;

const admin = () => controller.as('admin');
const topology = async () => {
  const response = await controller.as('viewer').get('/v1/topology');
  expect(response.status).toBe(200);
  return response.body as {
    hosts: { id: string; tunnelIp: string; labels: Record<string, string>; connected: boolean; appliedRevision: number; desiredRevision: number }[];
    networks: { name: string; type: string; segmentId: number; hosts: string[] }[];
    links: { network: string; a: string; b: string }[];
  };
};

async function desiredRevision(hostId: string): Promise<number> {
  return (JSON.parse((await redis.get(redisKeys.hostDesired(hostId))) as string) as DesiredHostState).revision;
}

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  controller = await startController(redisServer.url);
});

afterAll(async () => {
  await controller?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

describe('GET /v1/topology', () => {
  it('is empty for an empty fleet, and needs a token', async () => {
    expect(await topology()).toEqual({ hosts: [], networks: [], links: [] });
    expect((await controller.anonymous.get('/v1/topology')).status).toBe(401);
  });

  it('a network on one host has no links', async () => {
    for (const [i, id] of ['h1', 'h2', 'h3'].entries()) {
      expect((await admin().put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}`, labels: { rack: id === 'h3' ? 'r2' : 'r1' } })).status).toBe(202);
    }
    expect((await admin().post('/v1/networks', { name: 'solo', type: 'vxlan', hosts: { labels: { rack: 'r2' } } })).status).toBe(202);
    const view = await topology();
    expect(view.networks).toEqual([{ name: 'solo', type: 'vxlan', segmentId: 1, hosts: ['h3'] }]);
    expect(view.links).toEqual([]);
  });

  it('a VXLAN network on three hosts links each pair once; a vlan network has no links', async () => {
    expect((await admin().post('/v1/networks', { name: 'blue', type: 'vxlan', segmentId: 100 })).status).toBe(202);
    expect((await admin().post('/v1/networks', { name: 'prov', type: 'vlan', segmentId: 30, providerBridge: 'br-prov' })).status).toBe(202);
    const view = await topology();
    expect(view.networks).toEqual([
      { name: 'blue', type: 'vxlan', segmentId: 100, hosts: ['h1', 'h2', 'h3'] },
      { name: 'prov', type: 'vlan', segmentId: 30, hosts: ['h1', 'h2', 'h3'] },
      { name: 'solo', type: 'vxlan', segmentId: 1, hosts: ['h3'] },
    ]);
    expect(view.links).toEqual([
      { network: 'blue', a: 'h1', b: 'h2' },
      { network: 'blue', a: 'h1', b: 'h3' },
      { network: 'blue', a: 'h2', b: 'h3' },
    ]);
  });

  it('the links are the tunnels the hosts\' agents resolve from their documents and meshes', async () => {
    const { links } = await topology();
    const fromDocuments: string[] = [];
    for (const id of ['h1', 'h2', 'h3']) {
      const doc = await readDesiredState(redis, id);
      for (const tunnel of doc?.tunnels ?? []) if (id < tunnel.remoteHost) fromDocuments.push(`${tunnel.network} ${id}-${tunnel.remoteHost}`);
    }
    expect(links.map((l) => `${l.network} ${l.a}-${l.b}`)).toEqual(fromDocuments.sort());
  });

  it('shows each host\'s applied and desired revision and whether its agent is connected', async () => {
    const applied = (await desiredRevision('h1')) - 1;
    await redis.hset(redisKeys.hostStatus('h1'), { heartbeatAt: String(Date.now()), appliedRevision: String(applied), ovsVersion: '3.1.0' });
    const { hosts } = await topology();
    expect(hosts.map((h) => h.id)).toEqual(['h1', 'h2', 'h3']);
    expect(hosts[0]).toEqual({ id: 'h1', tunnelIp: '203.0.113.11', labels: { rack: 'r1' }, connected: true, appliedRevision: applied, desiredRevision: await desiredRevision('h1') });
    expect(hosts[2]).toEqual({ id: 'h3', tunnelIp: '203.0.113.13', labels: { rack: 'r2' }, connected: false, appliedRevision: 0, desiredRevision: await desiredRevision('h3') });
  });

  it('a drained host leaves the networks and links', async () => {
    expect((await admin().delete('/v1/hosts/h3')).status).toBe(202);
    const view = await topology();
    expect(view.hosts.map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(view.networks.find((n) => n.name === 'solo')?.hosts).toEqual([]);
    expect(view.links).toEqual([{ network: 'blue', a: 'h1', b: 'h2' }]);
  });
});
