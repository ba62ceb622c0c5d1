/**
 * Operator OVS resources per host (bridges, ports, tunnels) end to end: real Redis, the
 * production app module, HTTP. What each write stores in the host's desired-state document,
 * dry runs, and every refusal with its status and field, each leaving Redis as it was.
 */
import { Redis } from 'ioredis';
import type request from 'supertest';
import { DesiredHostState, redisKeys, tunnelPortName } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;

const admin = () => controller.as('admin');
const viewer = () => controller.as('viewer');

async function desired(hostId: string): Promise<DesiredHostState> {
  return JSON.parse((await redis.get(redisKeys.hostDesired(hostId))) as string) as DesiredHostState;
}

/** Sends the request and expects it refused with `status` naming `field`, with nothing in Redis changed. */
async function expectRefused(send: () => request.Test, status: number, field: string): Promise<void> {
  const before = await redisSnapshot(redis);
  const response = await send();
  expect({ status: response.status, field: response.body.error?.field }).toEqual({ status, field });
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
}

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  controller = await startController(redisServer.url);
  for (const [i, id] of ['h1', 'h2'].entries()) {
    expect((await admin().put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}`, datapathType: 'netdev', labels: { rack: 'r1' } })).status).toBe(202);
  }
  expect((await admin().put('/v1/hosts/h3', { tunnelIp: '203.0.113.13', labels: { rack: 'r2' } })).status).toBe(202);
  expect((await admin().post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] })).status).toBe(202);
  expect((await admin().post('/v1/networks', { name: 'prov', type: 'vlan', segmentId: 30, providerBridge: 'br-prov', hosts: { labels: { rack: 'r1' } } })).status).toBe(202);
});

afterAll(async () => {
  await controller?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

describe('bridges', () => {
  it('a dry run shows the bridge the host would get and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await admin().post('/v1/hosts/h1/bridges?dryRun=true', { name: 'br-ext', failMode: 'secure' });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ dryRun: true, operation: null, bridge: { name: 'br-ext', datapathType: 'netdev', failMode: 'secure', otherConfig: {} } });
    expect(response.body.changes).toEqual([expect.objectContaining({ hostId: 'h1', toRevision: response.body.changes[0].fromRevision + 1 })]);
    expect(response.body.changes[0].diff.bridges.added).toEqual([expect.objectContaining({ source: 'operator', name: 'br-ext' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('creates a bridge: 202 with the bridge and its operation; only its host\'s document changes', async () => {
    const [h1, h2] = [await desired('h1'), await desired('h2')];
    const response = await admin().post('/v1/hosts/h1/bridges', { name: 'br-ext', failMode: 'secure', otherConfig: { 'mac-aging-time': '600' } });
    expect(response.status).toBe(202);
    expect(response.body.bridge).toEqual({ name: 'br-ext', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'mac-aging-time': '600' } });
    expect(response.body.operation.targets).toEqual({ h1: h1.revision + 1 });
    const after = await desired('h1');
    expect(after.revision).toBe(h1.revision + 1);
    expect(after.operator.bridges).toEqual([response.body.bridge]);
    expect(await desired('h2')).toEqual(h2);
  });

  it('makes a vlan network\'s provider bridge, on its own datapath', async () => {
    const response = await admin().post('/v1/hosts/h1/bridges', { name: 'br-prov', datapathType: 'system' });
    expect(response.status).toBe(202);
    expect((await desired('h1')).operator.bridges.map((b) => [b.name, b.datapathType])).toEqual([['br-ext', 'netdev'], ['br-prov', 'system']]);
  });

  it('lists and gets bridges as a viewer', async () => {
    const list = await viewer().get('/v1/hosts/h1/bridges');
    expect(list.status).toBe(200);
    expect(list.body.items.map((b: { name: string }) => b.name)).toEqual(['br-ext', 'br-prov']);
    const one = await viewer().get('/v1/hosts/h1/bridges/br-ext');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'br-ext', failMode: 'secure' });
    expect((await viewer().get('/v1/hosts/h2/bridges')).body.items).toEqual([]);
  });

  it.each<[string, () => request.Test, number, string]>([
    ['a name the host already has', () => admin().post('/v1/hosts/h1/bridges', { name: 'br-ext' }), 409, 'name'],
    ['the integration bridge\'s name', () => admin().post('/v1/hosts/h1/bridges', { name: 'br-int' }), 409, 'name'],
    ['a mesh tunnel\'s name', () => admin().post('/v1/hosts/h1/bridges', { name: tunnelPortName('blue', 'h2') }), 409, 'name'],
    ['an unknown host', () => admin().post('/v1/hosts/h9/bridges', { name: 'br-x' }), 404, 'id'],
    ['a bad host id', () => admin().post('/v1/hosts/H_1/bridges', { name: 'br-x' }), 400, 'id'],
    ['a name that is no interface name', () => admin().post('/v1/hosts/h1/bridges', { name: 'br x;' }), 400, 'name'],
    ['an unknown failMode', () => admin().post('/v1/hosts/h1/bridges', { name: 'br-x', failMode: 'open' }), 400, 'failMode'],
    ['an unknown field', () => admin().post('/v1/hosts/h1/bridges', { name: 'br-x', stp: true }), 400, 'stp'],
  ])('refuses %s', async (_what, send, status, field) => {
    await expectRefused(send, status, field);
  });

  it('GETs of an unknown host or bridge are 404 naming id and name', async () => {
    const host = await viewer().get('/v1/hosts/h9/bridges');
    expect({ status: host.status, field: host.body.error.field }).toEqual({ status: 404, field: 'id' });
    const bridge = await viewer().get('/v1/hosts/h1/bridges/br-nope');
    expect({ status: bridge.status, field: bridge.body.error.field }).toEqual({ status: 404, field: 'name' });
  });

  it('only an admin may write (a provisioner gets 403, nothing changes)', async () => {
    const before = await redisSnapshot(redis);
    expect((await controller.as('provisioner').post('/v1/hosts/h1/bridges', { name: 'br-y' })).status).toBe(403);
    expect((await viewer().post('/v1/hosts/h1/bridges', { name: 'br-y' })).status).toBe(403);
    expect((await controller.as('provisioner').delete('/v1/hosts/h1/bridges/br-ext')).status).toBe(403);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });
});

describe('ports', () => {
  it.each<[string, object, object]>([
    ['an access port on an operator bridge', { name: 'eth-a', bridge: 'br-ext', kind: 'access', tag: 100 }, { tag: 100, trunks: [], vlanMode: null, peer: null }],
    ['a trunk port on the integration bridge', { name: 'uplink', bridge: 'br-int', kind: 'trunk', trunks: [300, 200], vlanMode: 'native-untagged', tag: 5 }, { tag: 5, trunks: [200, 300], vlanMode: 'native-untagged' }],
    ['an internal port on a provider bridge', { name: 'mgmt0', bridge: 'br-prov', kind: 'internal' }, { tag: null, trunks: [] }],
    ['one end of a patch', { name: 'patch-ext', bridge: 'br-int', kind: 'patch', peer: 'patch-int' }, { peer: 'patch-int' }],
    ['the other end of the patch', { name: 'patch-int', bridge: 'br-ext', kind: 'patch', peer: 'patch-ext' }, { peer: 'patch-ext' }],
  ])('creates %s; the host\'s document carries it', async (_what, body, expected) => {
    const response = await admin().post('/v1/hosts/h1/ports', body);
    expect(response.status).toBe(202);
    expect(response.body.port).toMatchObject({ ...body, ...expected });
    expect(response.body.changes[0]).toEqual({ hostId: 'h1', fromRevision: expect.any(Number), toRevision: response.body.operation.targets.h1 });
    expect((await desired('h1')).operator.ports).toContainEqual(response.body.port);
  });

  it('lists and gets ports by name', async () => {
    const list = await viewer().get('/v1/hosts/h1/ports');
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['eth-a', 'mgmt0', 'patch-ext', 'patch-int', 'uplink']);
    expect((await viewer().get('/v1/hosts/h1/ports/uplink')).body).toMatchObject({ kind: 'trunk', trunks: [200, 300] });
    expect((await viewer().get('/v1/hosts/h1/ports/br-ext')).status).toBe(404);
  });

  it('pages a list with limit and cursor, as every list does', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await viewer().get(`/v1/hosts/h1/ports?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      pages.push(page.body.items.map((p: { name: string }) => p.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([['eth-a', 'mgmt0'], ['patch-ext', 'patch-int'], ['uplink']]);
    expect((await viewer().get('/v1/hosts/h1/tunnels?limit=0')).body.error).toMatchObject({ status: 400, field: 'limit' });
    expect((await viewer().get('/v1/hosts/h1/bridges?cursor=%24')).body.error).toMatchObject({ status: 400, field: 'cursor' });
  });

  it.each<[string, object, number, string]>([
    ['a bridge the host does not have', { name: 'p1', bridge: 'br-nope', kind: 'internal' }, 404, 'bridge'],
    ['a port as its bridge', { name: 'p1', bridge: 'uplink', kind: 'internal' }, 409, 'bridge'],
    ['a name a port has', { name: 'uplink', bridge: 'br-int', kind: 'internal' }, 409, 'name'],
    ['a name a bridge has', { name: 'br-ext', bridge: 'br-int', kind: 'internal' }, 409, 'name'],
    ['the integration bridge\'s name', { name: 'br-int', bridge: 'br-ext', kind: 'internal' }, 409, 'name'],
    ['a mesh tunnel\'s name', { name: tunnelPortName('blue', 'h3'), bridge: 'br-int', kind: 'internal' }, 409, 'name'],
    ['an attachment veth\'s name', { name: hostIfname('web1', 'eth0'), bridge: 'br-int', kind: 'internal' }, 409, 'name'],
    ['an access port without a tag', { name: 'p1', bridge: 'br-int', kind: 'access' }, 400, 'tag'],
    ['an access port with trunks', { name: 'p1', bridge: 'br-int', kind: 'access', tag: 10, trunks: [20] }, 400, 'trunks'],
    ['an access port with tag 4095', { name: 'p1', bridge: 'br-int', kind: 'access', tag: 4095 }, 400, 'tag'],
    ['a trunk port without trunks', { name: 'p1', bridge: 'br-int', kind: 'trunk' }, 400, 'trunks'],
    ['a trunk port with VLAN 4096', { name: 'p1', bridge: 'br-int', kind: 'trunk', trunks: [1, 4096] }, 400, 'trunks[1]'],
    ['a trunk port listing a VLAN twice', { name: 'p1', bridge: 'br-int', kind: 'trunk', trunks: [7, 7] }, 400, 'trunks[1]'],
    ['a patch port without a peer', { name: 'p1', bridge: 'br-int', kind: 'patch' }, 400, 'peer'],
    ['an internal port with a tag', { name: 'p1', bridge: 'br-int', kind: 'internal', tag: 10 }, 400, 'tag'],
  ])('refuses %s', async (_what, body, status, field) => {
    await expectRefused(() => admin().post('/v1/hosts/h1/ports', body), status, field);
  });

  it('refuses the provider bridge of a vlan network on a host it does not span (404 naming bridge)', async () => {
    await expectRefused(() => admin().post('/v1/hosts/h3/ports', { name: 'p1', bridge: 'br-prov', kind: 'internal' }), 404, 'bridge');
  });
});

describe('tunnels', () => {
  it('creates a VXLAN tunnel with every option; the host\'s document carries it', async () => {
    const body = { name: 'vx-dc2', bridge: 'br-ext', type: 'vxlan', remoteIp: '203.0.113.50', localIp: '203.0.113.11', key: 5000, dstPort: 4790, csum: true, tos: 'inherit', ttl: 64 };
    const response = await admin().post('/v1/hosts/h1/tunnels', body);
    expect(response.status).toBe(202);
    expect(response.body.tunnel).toEqual(body);
    expect(response.body.changes[0]).toEqual({ hostId: 'h1', fromRevision: expect.any(Number), toRevision: response.body.operation.targets.h1 });
    expect((await desired('h1')).operator.tunnels).toEqual([body]);
  });

  it('creates a GRE tunnel with a 32-bit key and a numeric tos (stored as text)', async () => {
    const response = await admin().post('/v1/hosts/h1/tunnels', { name: 'gre-dc3', bridge: 'br-int', type: 'gre', remoteIp: '203.0.113.60', key: 4_294_967_295, tos: 32 });
    expect(response.status).toBe(202);
    expect(response.body.tunnel).toEqual({ name: 'gre-dc3', bridge: 'br-int', type: 'gre', remoteIp: '203.0.113.60', localIp: null, key: 4_294_967_295, dstPort: null, csum: null, tos: '32', ttl: null });
    expect((await viewer().get('/v1/hosts/h1/tunnels')).body.items.map((t: { name: string }) => t.name)).toEqual(['gre-dc3', 'vx-dc2']);
  });

  it.each<[string, object, number, string]>([
    ['a vxlan key beyond 24 bits', { type: 'vxlan', key: 16_777_216 }, 400, 'key'],
    ['a geneve key beyond 24 bits', { type: 'geneve', key: 16_777_216 }, 400, 'key'],
    ['a gre key beyond 32 bits', { type: 'gre', key: 4_294_967_296 }, 400, 'key'],
    ['a UDP port for gre', { type: 'gre', dstPort: 4789 }, 400, 'dstPort'],
    ['UDP port 0', { dstPort: 0 }, 400, 'dstPort'],
    ['ttl 0', { ttl: 0 }, 400, 'ttl'],
    ['tos 256', { tos: 256 }, 400, 'tos'],
    ['a multicast remote', { remoteIp: '239.0.0.1' }, 400, 'remoteIp'],
    ['a local address of another family', { localIp: '2001:db8::11' }, 400, 'localIp'],
    ['an unknown type', { type: 'stt' }, 400, 'type'],
    ['a bridge the host does not have', { bridge: 'br-nope' }, 404, 'bridge'],
    ['a name a port has', { name: 'uplink' }, 409, 'name'],
    ['a mesh tunnel\'s name', { name: tunnelPortName('blue', 'h2') }, 409, 'name'],
    ['the config of another tunnel', { name: 'vx-again', remoteIp: '203.0.113.50', localIp: '203.0.113.11', key: 5000, dstPort: 4790 }, 409, 'remoteIp'],
  ])('refuses %s', async (_what, overrides, status, field) => {
    const body = { name: 't1', bridge: 'br-ext', type: 'vxlan', remoteIp: '203.0.113.70', ...overrides };
    await expectRefused(() => admin().post('/v1/hosts/h1/tunnels', body), status, field);
  });
});

describe('deleting', () => {
  it.each<[string, string, number, string]>([
    ['a bridge ports and tunnels still use', '/v1/hosts/h1/bridges/br-ext', 409, 'name'],
    ['the provider bridge of a vlan network on the host', '/v1/hosts/h1/bridges/br-prov', 409, 'name'],
    ['the integration bridge', '/v1/hosts/h1/bridges/br-int', 404, 'name'],
    ['a port the host does not have', '/v1/hosts/h1/ports/nope', 404, 'name'],
    ['a tunnel that is a port', '/v1/hosts/h1/tunnels/uplink', 404, 'name'],
    ['a mesh tunnel', `/v1/hosts/h1/tunnels/${tunnelPortName('blue', 'h2')}`, 404, 'name'],
    ['on an unknown host', '/v1/hosts/h9/ports/uplink', 404, 'id'],
    ['a name that is no interface name', '/v1/hosts/h1/ports/a.very.long.name.x', 400, 'name'],
  ])('refuses %s', async (_what, url, status, field) => {
    await expectRefused(() => admin().delete(url), status, field);
  });

  it('a dry run of a delete shows the port going and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await admin().delete('/v1/hosts/h1/ports/uplink?dryRun=true');
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ dryRun: true, operation: null, port: { name: 'uplink' } });
    expect(response.body.changes[0].diff.ports.removed).toEqual([expect.objectContaining({ name: 'uplink' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('deletes the tunnels and ports of br-ext, then br-ext itself; the document follows each step', async () => {
    for (const url of ['/v1/hosts/h1/tunnels/vx-dc2', '/v1/hosts/h1/ports/eth-a', '/v1/hosts/h1/ports/patch-int']) {
      const before = await desired('h1');
      const response = await admin().delete(url);
      expect(response.status).toBe(202);
      expect(response.body.operation.targets).toEqual({ h1: before.revision + 1 });
    }
    const doc = await desired('h1');
    expect(doc.operator.tunnels.map((t) => t.name)).toEqual(['gre-dc3']);
    expect(doc.operator.ports.map((p) => p.name)).toEqual(['mgmt0', 'patch-ext', 'uplink']);
    const removed = await admin().delete('/v1/hosts/h1/bridges/br-ext');
    expect(removed.status).toBe(202);
    expect(removed.body.bridge).toMatchObject({ name: 'br-ext' });
    expect(removed.body.changes[0].diff).toBeUndefined(); // diffs come with dry runs only
    expect((await desired('h1')).operator.bridges.map((b) => b.name)).toEqual(['br-prov']);
    expect((await viewer().get('/v1/hosts/h1/bridges/br-ext')).status).toBe(404);
  });

  it('after deleting everything the document carries no operator resources', async () => {
    for (const url of ['tunnels/gre-dc3', 'ports/mgmt0', 'ports/patch-ext', 'ports/uplink']) expect((await admin().delete(`/v1/hosts/h1/${url}`)).status).toBe(202);
    await expectRefused(() => admin().delete('/v1/hosts/h1/bridges/br-prov'), 409, 'name');
    expect((await admin().delete('/v1/networks/prov')).status).toBe(202);
    expect((await admin().delete('/v1/hosts/h1/bridges/br-prov')).status).toBe(202);
    expect((await desired('h1')).operator).toEqual({ bridges: [], ports: [], tunnels: [] });
    for (const kind of ['bridges', 'ports', 'tunnels']) expect((await viewer().get(`/v1/hosts/h1/${kind}`)).body.items).toEqual([]);
  });
});
