/**
 * The controller's REST API end to end: real Redis, the production app module, HTTP.
 * Hosts, networks and attachments; desired-state documents and revisions; IPAM through the
 * API; dry runs that change nothing; refusals that change nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Redis } from 'ioredis';
import { NetworkMesh, redisKeys, ResolvedHostState } from '@ovs-fleet/contracts';
import { readDesiredState } from '../../apps/agent/src/runtime/desired-state-reader';
import { ipamKeys } from '../../apps/controller/src/ipam/ipam-keys';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

jest.setTimeout(60_000);

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;

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

/** A host's document with its tunnels, read as its agent reads it (the document, then its networks' meshes). */
async function desired(hostId: string): Promise<ResolvedHostState> {
  const doc = await readDesiredState(redis, hostId);
  if (doc === null) throw new Error(`host ${hostId} has no desired state`);
  return doc;
}

const admin = () => controller.as('admin');
const provisioner = () => controller.as('provisioner');

describe('routing', () => {
  it('takes a path with a trailing slash as the path without it', async () => {
    const plain = await controller.as('viewer').get('/v1/hosts');
    const slashed = await controller.as('viewer').get('/v1/hosts/');
    expect([plain.status, slashed.status]).toEqual([200, 200]);
    expect(slashed.body).toEqual(plain.body);
  });
});

describe('hosts, networks and attachments', () => {
  it('registers three hosts; each gets a desired-state document at revision 1', async () => {
    for (const [i, id] of ['h1', 'h2', 'h3'].entries()) {
      const response = await admin().put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${11 + i}`, datapathType: 'netdev', labels: { rack: i < 2 ? 'r1' : 'r2' } });
      expect(response.status).toBe(202);
      expect(response.body.host).toMatchObject({ id, tunnelIp: `203.0.113.${11 + i}`, integrationBridge: 'br-int', datapathType: 'netdev', underlayMtu: 1500 });
      expect(response.body.operation.targets).toEqual({ [id]: 1 });
      expect((await desired(id)).revision).toBe(1);
    }
    const list = await controller.as('viewer').get('/v1/hosts?limit=2');
    expect(list.status).toBe(200);
    expect(list.body.items.map((h: { id: string }) => h.id)).toEqual(['h1', 'h2']);
    const rest = await controller.as('viewer').get(`/v1/hosts?limit=2&cursor=${list.body.nextCursor}`);
    expect(rest.body.items.map((h: { id: string }) => h.id)).toEqual(['h3']);
    expect(rest.body.nextCursor).toBeNull();
    const h1 = await controller.as('viewer').get('/v1/hosts/h1');
    expect(h1.body.status).toMatchObject({ connected: false, appliedRevision: 0, desiredRevision: 1 });
  });

  it('a second host with the same tunnel address is refused (409 naming tunnelIp) and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await admin().put('/v1/hosts/h9', { tunnelIp: '203.0.113.11' });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONFLICT', field: 'tunnelIp' });
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('a dry run of a network shows the tunnels each host would get and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await provisioner().post('/v1/networks?dryRun=true', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] });
    expect(response.status).toBe(202);
    expect(response.body.dryRun).toBe(true);
    expect(response.body.operation).toBeNull();
    expect(response.body.changes.map((c: { hostId: string }) => c.hostId).sort()).toEqual(['h1', 'h2', 'h3']);
    const h1 = response.body.changes.find((c: { hostId: string }) => c.hostId === 'h1');
    const added = h1.diff.tunnels.added.map((t: { source: string; remoteHost: string; remoteIp: string; type: string }) => [t.source, t.remoteHost, t.remoteIp, t.type]);
    expect(added.sort((a: string[], b: string[]) => a[1].localeCompare(b[1]))).toEqual([
      ['mesh', 'h2', '203.0.113.12', 'vxlan'],
      ['mesh', 'h3', '203.0.113.13', 'vxlan'],
    ]);
    expect(h1.diff.networks.added).toEqual([expect.objectContaining({ name: 'blue', mtu: 1450 })]);
    expect([h1.diff.tunnels.changed, h1.diff.tunnels.removed]).toEqual([[], []]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('creates a VXLAN network: a full mesh with split horizon keys, a local VLAN per host, a derived MTU', async () => {
    const response = await provisioner().post('/v1/networks', { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24' }] });
    expect(response.status).toBe(202);
    expect(response.body.network).toMatchObject({ name: 'blue', type: 'vxlan', segmentId: 1, mtu: 1450, mtuDerived: true });
    expect(response.body.network.subnets).toEqual([{ cidr: '198.18.0.0/24', gateway: '198.18.0.1', allocationPools: [] }]);
    expect(Object.keys(response.body.operation.targets).sort()).toEqual(['h1', 'h2', 'h3']);
    const h1 = await desired('h1');
    expect(h1.revision).toBe(2);
    expect(h1.tunnels.map((t) => [t.remoteHost, t.remoteIp, t.key, t.type])).toEqual([
      ['h2', '203.0.113.12', 1, 'vxlan'],
      ['h3', '203.0.113.13', 1, 'vxlan'],
    ]);
    expect(h1.networks).toEqual([expect.objectContaining({ name: 'blue', bridge: 'br-int', mtu: 1450 })]);
  });

  it('a network on a label selector spans only those hosts; segment ids are allocated per type', async () => {
    const response = await provisioner().post('/v1/networks', { name: 'red', type: 'gre', hosts: { labels: { rack: 'r1' } }, subnets: [{ cidr: '198.18.1.0/24' }] });
    expect(response.status).toBe(202);
    expect(response.body.network).toMatchObject({ segmentId: 1, mtu: 1458 });
    expect(Object.keys(response.body.operation.targets).sort()).toEqual(['h1', 'h2']);
    expect((await desired('h3')).networks.map((n) => n.name)).toEqual(['blue']);
    const h1 = await desired('h1');
    const vlans = h1.networks.map((n) => n.tag);
    expect(new Set(vlans).size).toBe(vlans.length);
  });

  it('refuses a used segment id (409 naming segmentId) and a taken name (409 naming name)', async () => {
    const taken = await provisioner().post('/v1/networks', { name: 'green', type: 'vxlan', segmentId: 1 });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('segmentId');
    const name = await provisioner().post('/v1/networks', { name: 'blue', type: 'geneve' });
    expect(name.status).toBe(409);
    expect(name.body.error.field).toBe('name');
  });

  let attachmentId = '';

  it('a dry run of an attachment shows the address it would allocate, in the answer and in the host\'s diff, and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await provisioner().post('/v1/attachments?dryRun=true', { network: 'blue', host: 'h1', container: { netns: 'c1' } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ dryRun: true, operation: null, attachment: { addresses: ['198.18.0.2/24'] } });
    expect(response.body.changes).toEqual([expect.objectContaining({ hostId: 'h1' })]);
    expect(response.body.changes[0].diff.attachments.added).toEqual([expect.objectContaining({ addresses: ['198.18.0.2/24'], ifname: 'eth0' })]);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('attaches a container: the address comes from the subnet, the MAC is generated, the host revision grows', async () => {
    const response = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'c1' } });
    expect(response.status).toBe(202);
    const attachment = response.body.attachment;
    expect(attachment).toMatchObject({ network: 'blue', host: 'h1', ifname: 'eth0', addresses: ['198.18.0.2/24'], gateway: true });
    expect(attachment.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(response.body.operation.targets).toEqual({ h1: 4 });
    // the operation as accepted: each host with its target and its state, derived as GET derives it
    expect(response.body.operation).toMatchObject({ state: 'pending', hosts: [{ hostId: 'h1', targetRevision: 4, state: 'pending' }] });
    const doc = await desired('h1');
    expect(doc.attachments).toEqual([expect.objectContaining({ id: attachment.id, addresses: ['198.18.0.2/24'], gateway: '198.18.0.1', mtu: 1450, bridge: 'br-int' })]);
    attachmentId = attachment.id;
  });

  it('honours a requested address and refuses it when taken (409) or outside the subnets (400)', async () => {
    const wanted = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h2', container: { netns: 'c2' }, addresses: ['198.18.0.50'] });
    expect(wanted.status).toBe(202);
    expect(wanted.body.attachment.addresses).toEqual(['198.18.0.50/24']);
    const taken = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h3', container: { netns: 'c3' }, addresses: ['198.18.0.50'] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('addresses[0]');
    const outside = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h3', container: { netns: 'c3' }, addresses: ['198.19.0.5'] });
    expect(outside.status).toBe(400);
    expect(outside.body.error.field).toBe('addresses[0]');
  });

  it('refuses an attachment on a host the network does not span (409 naming host)', async () => {
    const response = await provisioner().post('/v1/attachments', { network: 'red', host: 'h3', container: { netns: 'c3' } });
    expect(response.status).toBe(409);
    expect(response.body.error.field).toBe('host');
  });

  it('lists attachments by network and host', async () => {
    const byHost = await controller.as('viewer').get('/v1/attachments?host=h1');
    expect(byHost.body.items.map((a: { id: string }) => a.id)).toEqual([attachmentId]);
    const byNetwork = await controller.as('viewer').get('/v1/attachments?network=blue');
    expect(byNetwork.body.items).toHaveLength(2);
  });

  it('a network with attachments cannot be deleted (409)', async () => {
    const response = await provisioner().delete('/v1/networks/blue');
    expect(response.status).toBe(409);
    expect(response.body.error.field).toBe('name');
  });

  it('detaching releases the address: another attachment may take it', async () => {
    const taken = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'c8' }, addresses: ['198.18.0.2'] });
    expect(taken.status).toBe(409);
    const removed = await provisioner().delete(`/v1/attachments/${attachmentId}`);
    expect(removed.status).toBe(202);
    expect((await desired('h1')).attachments).toEqual([]);
    const again = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'c9' }, addresses: ['198.18.0.2'] });
    expect(again.status).toBe(202);
    expect(again.body.attachment.addresses).toEqual(['198.18.0.2/24']);
  });

  it('draining a host removes it from every mesh', async () => {
    const response = await admin().delete('/v1/hosts/h3');
    expect(response.status).toBe(202);
    expect((await desired('h1')).tunnels.map((t) => t.remoteHost)).not.toContain('h3');
    expect((await desired('h3')).tunnels).toEqual([]);
    expect((await controller.as('viewer').get('/v1/hosts/h3')).status).toBe(404);
  });

  it('serves a change, a read and a refusal without entering an AsyncLocalStorage (each would make every promise pay a hook)', async () => {
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const changed = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'als-check' } });
      const read = await controller.as('viewer').get(`/v1/operations/${changed.body.operation.id}`);
      const refused = await provisioner().post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'als-check' }, unknown: 1 });
      expect([changed.status, read.status, refused.status]).toEqual([202, 200, 400]);
      expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});

// Goes on from the fleet above: h1 and h2 stay, and blue (every host) takes in p1..p3 too.
describe('meshes, spans and addresses', () => {
  /** The other hosts' tunnels to `remoteHost`, as [host, network, remoteIp], sorted. */
  async function tunnelsTo(remoteHost: string, hostIds: string[]): Promise<string[][]> {
    const found: string[][] = [];
    for (const id of hostIds) for (const t of (await desired(id)).tunnels) if (t.remoteHost === remoteHost) found.push([id, t.network, t.remoteIp]);
    return found.sort();
  }

  async function meshMembers(network: string): Promise<string[]> {
    const mesh = JSON.parse((await redis.get(redisKeys.networkMesh(network))) as string) as NetworkMesh;
    return mesh.members.map((m) => `${m.host} ${m.tunnelIp}`);
  }

  const targetsOf = (response: { body: { operation: { targets: Record<string, number> } } }) => Object.keys(response.body.operation.targets).sort();
  let p3Attachment = '';
  const attach = (host: string, netns: string, network = 'green', addresses?: string[]) => provisioner().post('/v1/attachments', { network, host, container: { netns }, ...(addresses ? { addresses } : {}) });

  it('sets up: three hosts p1..p3 (p3 on side b) and a Geneve network over them, with attachments on p1 and p2', async () => {
    for (const [i, id] of ['p1', 'p2', 'p3'].entries()) {
      expect((await admin().put(`/v1/hosts/${id}`, { tunnelIp: `203.0.113.${21 + i}`, labels: { pod: 'p', side: i < 2 ? 'a' : 'b' } })).status).toBe(202);
    }
    expect((await provisioner().post('/v1/networks', { name: 'green', type: 'geneve', hosts: { labels: { pod: 'p' } }, subnets: [{ cidr: '198.18.2.0/24' }] })).status).toBe(202);
    for (const id of ['p1', 'p2']) expect((await attach(id, `green-${id}`)).status).toBe(202);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.22', 'p3 203.0.113.23']);
  });

  it('a host that changes its tunnel address moves the tunnels every other host of its meshes resolves to it', async () => {
    expect(await tunnelsTo('p2', ['h1', 'h2', 'p1', 'p3'])).toEqual([
      ['h1', 'blue', '203.0.113.22'],
      ['h2', 'blue', '203.0.113.22'],
      ['p1', 'blue', '203.0.113.22'],
      ['p1', 'green', '203.0.113.22'],
      ['p3', 'blue', '203.0.113.22'],
      ['p3', 'green', '203.0.113.22'],
    ]);
    const response = await admin().put('/v1/hosts/p2', { tunnelIp: '203.0.113.32' });
    expect(response.status).toBe(202);
    expect(response.body.host).toMatchObject({ id: 'p2', tunnelIp: '203.0.113.32', labels: { pod: 'p', side: 'a' } });
    expect(targetsOf(response)).toEqual(['h1', 'h2', 'p1', 'p2', 'p3']);
    for (const [id, revision] of Object.entries<number>(response.body.operation.targets)) expect((await desired(id)).revision).toBe(revision);
    expect(await tunnelsTo('p2', ['h1', 'h2', 'p1', 'p3'])).toEqual([
      ['h1', 'blue', '203.0.113.32'],
      ['h2', 'blue', '203.0.113.32'],
      ['p1', 'blue', '203.0.113.32'],
      ['p1', 'green', '203.0.113.32'],
      ['p3', 'blue', '203.0.113.32'],
      ['p3', 'green', '203.0.113.32'],
    ]);
    expect((await desired('p2')).tunnels.every((t) => t.localIp === '203.0.113.32')).toBe(true);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.32', 'p3 203.0.113.23']);
  });

  it('renaming the integration bridge of a host with attachments is refused (409 naming integrationBridge) and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await admin().put('/v1/hosts/p1', { tunnelIp: '203.0.113.21', integrationBridge: 'br-new' });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONFLICT', field: 'integrationBridge' });
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('relabelling a host out of a network it has attachments on is refused (409 naming labels) and changes nothing', async () => {
    const before = await redisSnapshot(redis);
    const response = await admin().put('/v1/hosts/p1', { tunnelIp: '203.0.113.21', labels: { pod: 'q', side: 'a' } });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONFLICT', field: 'labels' });
    expect(response.body.error.message).toMatch(/ \(network green\)/);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('relabelling a host without attachments moves it out of a network and back in', async () => {
    const out = await admin().put('/v1/hosts/p3', { tunnelIp: '203.0.113.23', labels: { pod: 'q', side: 'b' } });
    expect(out.status).toBe(202);
    expect(targetsOf(out)).toEqual(['p1', 'p2', 'p3']);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.32']);
    expect((await desired('p3')).networks.map((n) => n.name)).toEqual(['blue']);
    const back = await admin().put('/v1/hosts/p3', { tunnelIp: '203.0.113.23', labels: { pod: 'p', side: 'b' } });
    expect(back.status).toBe(202);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.32', 'p3 203.0.113.23']);
  });

  it('PATCH hosts narrows a network: the host it leaves loses it, the mesh and the operation follow', async () => {
    const response = await provisioner().patch('/v1/networks/green', { hosts: { labels: { pod: 'p', side: 'a' } } });
    expect(response.status).toBe(202);
    expect(response.body.network.hosts).toEqual({ labels: { pod: 'p', side: 'a' } });
    expect(targetsOf(response)).toEqual(['p1', 'p2', 'p3']);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.32']);
    expect((await desired('p3')).networks.map((n) => n.name)).toEqual(['blue']);
    expect((await desired('p1')).tunnels.filter((t) => t.network === 'green').map((t) => t.remoteHost)).toEqual(['p2']);
  });

  it('PATCH hosts widens a network: the host it takes in gets it, the mesh and the operation follow', async () => {
    const response = await provisioner().patch('/v1/networks/green', { hosts: { labels: { pod: 'p' } } });
    expect(response.status).toBe(202);
    expect(targetsOf(response)).toEqual(['p1', 'p2', 'p3']);
    expect(await meshMembers('green')).toEqual(['p1 203.0.113.21', 'p2 203.0.113.32', 'p3 203.0.113.23']);
    expect((await desired('p3')).networks.map((n) => n.name)).toEqual(['blue', 'green']);
    expect((await desired('p3')).tunnels.filter((t) => t.network === 'green').map((t) => [t.remoteHost, t.remoteIp])).toEqual([
      ['p1', '203.0.113.21'],
      ['p2', '203.0.113.32'],
    ]);
  });

  it('PATCH hosts that would leave out a host with attachments on the network is refused (409 naming hosts) and changes nothing', async () => {
    const attached = await attach('p3', 'green-p3', 'green', ['198.18.2.77']);
    expect(attached.status).toBe(202);
    p3Attachment = attached.body.attachment.id;
    const before = await redisSnapshot(redis);
    const response = await provisioner().patch('/v1/networks/green', { hosts: { labels: { pod: 'p', side: 'a' } } });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONFLICT', field: 'hosts' });
    expect(response.body.error.message).toContain(`${p3Attachment} (host p3)`);
    expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
  });

  it('draining a host gives its attachments\' addresses back: another attachment may take one', async () => {
    const subnet = ipamKeys.addresses('green', '198.18.2.0/24');
    expect(await redis.hget(subnet, (77).toString(16))).toBe(p3Attachment);
    expect((await attach('p1', 'wants-77', 'green', ['198.18.2.77'])).status).toBe(409);
    expect((await admin().delete('/v1/hosts/p3')).status).toBe(202);
    const again = await attach('p1', 'wants-77', 'green', ['198.18.2.77']);
    expect(again.status).toBe(202);
    expect(again.body.attachment.addresses).toEqual(['198.18.2.77/24']);
    expect(await redis.hget(subnet, (77).toString(16))).toBe(again.body.attachment.id);
    expect(Object.values(await redis.hgetall(subnet))).not.toContain(p3Attachment);
  });

  it('deleting a network drops its IPAM records: a network made again with the name starts from the first address', async () => {
    const pool = { name: 'pool', type: 'vxlan', hosts: { labels: { pod: 'p' } }, subnets: [{ cidr: '198.18.3.0/29' }] };
    expect((await provisioner().post('/v1/networks', pool)).status).toBe(202);
    const ids: string[] = [];
    for (const [i, expected] of ['198.18.3.2/29', '198.18.3.3/29'].entries()) {
      const response = await attach('p1', `pool-${i}`, 'pool');
      expect(response.body.attachment.addresses).toEqual([expected]);
      ids.push(response.body.attachment.id);
    }
    for (const id of ids) expect((await provisioner().delete(`/v1/attachments/${id}`)).status).toBe(202);
    const ipamKeysOf = async () => (await redis.keys(ipamKeys.networkPattern('pool'))).sort();
    expect(await ipamKeysOf()).not.toEqual([]);
    expect((await provisioner().delete('/v1/networks/pool')).status).toBe(202);
    expect(await ipamKeysOf()).toEqual([]);
    expect((await provisioner().post('/v1/networks', pool)).status).toBe(202);
    expect((await attach('p1', 'pool-again', 'pool')).body.attachment.addresses).toEqual(['198.18.3.2/29']);
  });
});
