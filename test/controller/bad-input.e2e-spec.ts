/**
 * Bad input, as a table: every field of every request body with wrong types, out-of-range
 * values, too-long strings, shell metacharacters, unknown fields and duplicates. Each gets a
 * 4xx naming the field, and Redis is byte-for-byte unchanged afterwards.
 */
import { Redis } from 'ioredis';
import { RedisTestServer } from '../support/redis-server';
import { startController, TestController, TestRole } from './support/controller-app';
import { redisSnapshot, snapshotDifference } from './support/redis-snapshot';

let redisServer: RedisTestServer;
let redis: Redis;
let controller: TestController;

beforeAll(async () => {
  redisServer = await RedisTestServer.start();
  redis = new Redis(redisServer.url);
  controller = await startController(redisServer.url);
  await controller.as('admin').put('/v1/hosts/h1', { tunnelIp: '203.0.113.11' }).expect(202);
  await controller.as('admin').put('/v1/hosts/h2', { tunnelIp: '203.0.113.12', labels: { rack: 'r2' } }).expect(202);
  await controller.as('provisioner').post('/v1/networks', { name: 'blue', type: 'vxlan', hosts: { labels: { rack: 'r1' } }, subnets: [{ cidr: '198.18.0.0/29' }] }).expect(202);
  await controller.as('provisioner').post('/v1/networks', { name: 'full', type: 'vxlan', subnets: [{ cidr: '198.18.1.0/30' }] }).expect(202);
  await controller.as('provisioner').post('/v1/networks', { name: 'fixed', type: 'vxlan', mtu: 1450 }).expect(202); // all the IPv4 underlay of 1500 carries
  await controller.as('admin').put('/v1/hosts/h1', { tunnelIp: '203.0.113.11', labels: { rack: 'r1' } }).expect(202);
  await controller.as('provisioner').post('/v1/attachments', { network: 'full', host: 'h1', container: { netns: 'f1' } }).expect(202);
  await controller.as('provisioner').post('/v1/attachments', { network: 'blue', host: 'h1', container: { netns: 'b1' } }).expect(202);
});

afterAll(async () => {
  await controller?.close();
  redis?.disconnect();
  await redisServer?.dispose();
});

type Method = 'put' | 'post' | 'patch' | 'delete' | 'get';
interface Case {
  name: string;
  method: Method;
  url: string;
  body?: object;
  status: number;
  field: string;
  role?: TestRole;
}

const SHELL = ['eth0;reboot', 'a$(id)', 'a`id`', 'a|b', 'a b', 'a/b', "a'b", 'a&b', 'a\nb'];
const HOST = { tunnelIp: '203.0.113.20' };
const NETWORK = { name: 'green', type: 'vxlan', subnets: [{ cidr: '198.18.2.0/24' }] };
const ATTACH = { network: 'blue', host: 'h1', container: { netns: 'c1' } };

const cases: Case[] = [
  // hosts
  { name: 'host id with uppercase', method: 'put', url: '/v1/hosts/H1', body: HOST, status: 400, field: 'id' },
  { name: 'host id too long', method: 'put', url: `/v1/hosts/${'h'.repeat(64)}`, body: HOST, status: 400, field: 'id' },
  { name: 'host id with a shell character', method: 'put', url: '/v1/hosts/h1%3Brm', body: HOST, status: 400, field: 'id' },
  { name: 'tunnelIp missing', method: 'put', url: '/v1/hosts/h9', body: {}, status: 400, field: 'tunnelIp' },
  { name: 'tunnelIp a number', method: 'put', url: '/v1/hosts/h9', body: { tunnelIp: 5 }, status: 400, field: 'tunnelIp' },
  { name: 'tunnelIp loopback', method: 'put', url: '/v1/hosts/h9', body: { tunnelIp: '127.0.0.1' }, status: 400, field: 'tunnelIp' },
  { name: 'tunnelIp multicast', method: 'put', url: '/v1/hosts/h9', body: { tunnelIp: '224.0.0.5' }, status: 400, field: 'tunnelIp' },
  { name: 'tunnelIp with a zone', method: 'put', url: '/v1/hosts/h9', body: { tunnelIp: 'fe80::1%eth0' }, status: 400, field: 'tunnelIp' },
  { name: 'tunnelIp taken', method: 'put', url: '/v1/hosts/h9', body: { tunnelIp: '203.0.113.11' }, status: 409, field: 'tunnelIp' },
  { name: 'underlayMtu too small', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, underlayMtu: 100 }, status: 400, field: 'underlayMtu' },
  { name: 'underlayMtu a string', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, underlayMtu: '1500' }, status: 400, field: 'underlayMtu' },
  { name: 'underlayMtu too small for a network\'s given MTU', method: 'put', url: '/v1/hosts/h2', body: { tunnelIp: '203.0.113.12', labels: { rack: 'r2' }, underlayMtu: 1400 }, status: 409, field: 'underlayMtu' },
  { name: 'a new host whose underlay cannot carry a network\'s given MTU', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, underlayMtu: 1400 }, status: 409, field: 'underlayMtu' },
  { name: 'an IPv6 tunnel endpoint (more overhead) under a network\'s given MTU', method: 'put', url: '/v1/hosts/h2', body: { tunnelIp: '2001:db8::12', labels: { rack: 'r2' } }, status: 409, field: 'tunnelIp' },
  { name: 'underlayMtu too large', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, underlayMtu: 65536 }, status: 400, field: 'underlayMtu' },
  { name: 'labels an array', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, labels: ['a'] }, status: 400, field: 'labels' },
  { name: 'label value with a space', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, labels: { rack: 'r 1' } }, status: 400, field: 'labels' },
  { name: 'more than 64 labels', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, status: 400, field: 'labels' },
  { name: 'label key too long', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, labels: { ['k'.repeat(64)]: 'v' } }, status: 400, field: 'labels' },
  { name: 'label value not a string', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, labels: { rack: 1 } }, status: 400, field: 'labels' },
  { name: 'integrationBridge a number', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, integrationBridge: 5 }, status: 400, field: 'integrationBridge' },
  { name: 'integrationBridge too long', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, integrationBridge: 'b'.repeat(16) }, status: 400, field: 'integrationBridge' },
  ...SHELL.map((name) => ({ name: `integrationBridge ${JSON.stringify(name)}`, method: 'put' as const, url: '/v1/hosts/h9', body: { ...HOST, integrationBridge: name }, status: 400, field: 'integrationBridge' })),
  { name: 'datapathType unknown', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, datapathType: 'kernel' }, status: 400, field: 'datapathType' },
  { name: 'unknown host field', method: 'put', url: '/v1/hosts/h9', body: { ...HOST, color: 'red' }, status: 400, field: 'color' },
  { name: 'delete an unknown host', method: 'delete', url: '/v1/hosts/h9', status: 404, field: 'id', role: 'admin' },
  // networks
  { name: 'network name taken', method: 'post', url: '/v1/networks', body: { ...NETWORK, name: 'blue' }, status: 409, field: 'name' },
  { name: 'network name uppercase', method: 'post', url: '/v1/networks', body: { ...NETWORK, name: 'Green' }, status: 400, field: 'name' },
  { name: 'network name too long', method: 'post', url: '/v1/networks', body: { ...NETWORK, name: 'g'.repeat(64) }, status: 400, field: 'name' },
  { name: 'network name a number', method: 'post', url: '/v1/networks', body: { ...NETWORK, name: 7 }, status: 400, field: 'name' },
  { name: 'type a number', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 1 }, status: 400, field: 'type' },
  ...SHELL.map((name) => ({ name: `network name ${JSON.stringify(name)}`, method: 'post' as const, url: '/v1/networks', body: { ...NETWORK, name }, status: 400, field: 'name' })),
  { name: 'type unknown', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 'stt' }, status: 400, field: 'type' },
  { name: 'VNI too large', method: 'post', url: '/v1/networks', body: { ...NETWORK, segmentId: 16_777_216 }, status: 400, field: 'segmentId' },
  { name: 'VLAN id too large', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 'vlan', providerBridge: 'br-prov', segmentId: 4095 }, status: 400, field: 'segmentId' },
  { name: 'segment id zero', method: 'post', url: '/v1/networks', body: { ...NETWORK, segmentId: 0 }, status: 400, field: 'segmentId' },
  { name: 'segment id a float', method: 'post', url: '/v1/networks', body: { ...NETWORK, segmentId: 1.5 }, status: 400, field: 'segmentId' },
  { name: 'segment id used', method: 'post', url: '/v1/networks', body: { ...NETWORK, segmentId: 1 }, status: 409, field: 'segmentId' },
  { name: 'vlan without provider bridge', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 'vlan' }, status: 400, field: 'providerBridge' },
  { name: 'overlay with a provider bridge', method: 'post', url: '/v1/networks', body: { ...NETWORK, providerBridge: 'br-prov' }, status: 400, field: 'providerBridge' },
  { name: 'provider bridge with a shell character', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 'vlan', providerBridge: 'br;x' }, status: 400, field: 'providerBridge' },
  { name: 'provider bridge a number', method: 'post', url: '/v1/networks', body: { ...NETWORK, type: 'vlan', providerBridge: 5 }, status: 400, field: 'providerBridge' },
  { name: 'more than 8 subnets', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: Array.from({ length: 9 }, (_, i) => ({ cidr: `198.18.${10 + i}.0/24` })) }, status: 400, field: 'subnets' },
  { name: 'subnet not an object', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: ['198.18.2.0/24'] }, status: 400, field: 'subnets[0]' },
  { name: 'gateway a number', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', gateway: 1 }] }, status: 400, field: 'subnets[0].gateway' },
  { name: 'allocationPools not an array', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', allocationPools: { start: '198.18.2.10', end: '198.18.2.20' } }] }, status: 400, field: 'subnets[0].allocationPools' },
  { name: 'pool start malformed', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', allocationPools: [{ start: '198.18.2', end: '198.18.2.20' }] }] }, status: 400, field: 'subnets[0].allocationPools[0].start' },
  { name: 'more than 16 pools', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', allocationPools: Array.from({ length: 17 }, (_, i) => ({ start: `198.18.2.${10 + i * 2}`, end: `198.18.2.${10 + i * 2}` })) }] }, status: 400, field: 'subnets[0].allocationPools' },
  { name: 'subnets not an array', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: '198.18.2.0/24' }, status: 400, field: 'subnets' },
  { name: 'cidr not a cidr', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0' }] }, status: 400, field: 'subnets[0].cidr' },
  { name: 'cidr with host bits', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.5/24' }] }, status: 400, field: 'subnets[0].cidr' },
  { name: 'cidr /32', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.5/32' }] }, status: 400, field: 'subnets[0].cidr' },
  { name: 'gateway outside the subnet', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', gateway: '198.18.3.1' }] }, status: 400, field: 'subnets[0].gateway' },
  { name: 'pool outside the subnet', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24', allocationPools: [{ start: '198.18.2.10', end: '198.18.3.10' }] }] }, status: 400, field: 'subnets[0].allocationPools[0].end' },
  { name: 'duplicate subnets', method: 'post', url: '/v1/networks', body: { ...NETWORK, subnets: [{ cidr: '198.18.2.0/24' }, { cidr: '198.18.2.0/25' }] }, status: 400, field: 'subnets[1].cidr' },
  { name: 'mtu too small', method: 'post', url: '/v1/networks', body: { ...NETWORK, mtu: 67 }, status: 400, field: 'mtu' },
  { name: 'mtu above what the underlay carries', method: 'post', url: '/v1/networks', body: { ...NETWORK, mtu: 1500 }, status: 400, field: 'mtu' },
  { name: 'hosts with both all and labels', method: 'post', url: '/v1/networks', body: { ...NETWORK, hosts: { all: true, labels: { a: 'b' } } }, status: 400, field: 'hosts' },
  { name: 'unknown field in hosts', method: 'post', url: '/v1/networks', body: { ...NETWORK, hosts: { every: true } }, status: 400, field: 'hosts.every' },
  { name: 'hosts.all not a boolean', method: 'post', url: '/v1/networks', body: { ...NETWORK, hosts: { all: 'yes' } }, status: 400, field: 'hosts.all' },
  { name: 'hosts.labels with a bad key', method: 'post', url: '/v1/networks', body: { ...NETWORK, hosts: { labels: { 'Rack!': 'r1' } } }, status: 400, field: 'hosts.labels' },
  { name: 'hosts not an object', method: 'post', url: '/v1/networks', body: { ...NETWORK, hosts: 'all' }, status: 400, field: 'hosts' },
  { name: 'unknown network field', method: 'post', url: '/v1/networks', body: { ...NETWORK, vni: 5 }, status: 400, field: 'vni' },
  { name: 'patch an unknown network', method: 'patch', url: '/v1/networks/nope', body: { mtu: 1400 }, status: 404, field: 'name' },
  { name: 'patch the type', method: 'patch', url: '/v1/networks/blue', body: { type: 'gre' }, status: 400, field: 'type' },
  { name: 'patch mtu a string', method: 'patch', url: '/v1/networks/blue', body: { mtu: 'big' }, status: 400, field: 'mtu' },
  { name: 'patch hosts with both all and labels', method: 'patch', url: '/v1/networks/blue', body: { hosts: { all: true, labels: { a: 'b' } } }, status: 400, field: 'hosts' },
  { name: 'patch hosts.labels not an object', method: 'patch', url: '/v1/networks/blue', body: { hosts: { labels: 'rack=r1' } }, status: 400, field: 'hosts.labels' },
  { name: 'patch an unknown field', method: 'patch', url: '/v1/networks/blue', body: { segmentId: 9 }, status: 400, field: 'segmentId' },
  { name: 'delete a network with attachments', method: 'delete', url: '/v1/networks/full', status: 409, field: 'name' },
  // attachments
  { name: 'network unknown', method: 'post', url: '/v1/attachments', body: { ...ATTACH, network: 'nope' }, status: 404, field: 'network' },
  { name: 'host unknown', method: 'post', url: '/v1/attachments', body: { ...ATTACH, host: 'h9' }, status: 404, field: 'host' },
  { name: 'network malformed', method: 'post', url: '/v1/attachments', body: { ...ATTACH, network: 'Blue!' }, status: 400, field: 'network' },
  { name: 'host malformed', method: 'post', url: '/v1/attachments', body: { ...ATTACH, host: 'H1' }, status: 400, field: 'host' },
  { name: 'host a number', method: 'post', url: '/v1/attachments', body: { ...ATTACH, host: 1 }, status: 400, field: 'host' },
  { name: 'host not spanned', method: 'post', url: '/v1/attachments', body: { ...ATTACH, host: 'h2' }, status: 409, field: 'host' },
  { name: 'container missing', method: 'post', url: '/v1/attachments', body: { network: 'blue', host: 'h1' }, status: 400, field: 'container' },
  { name: 'container with two refs', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { netns: 'c1', pid: 5 } }, status: 400, field: 'container' },
  { name: 'container empty', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: {} }, status: 400, field: 'container' },
  { name: 'pid negative', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { pid: -1 } }, status: 400, field: 'container.pid' },
  { name: 'pid too large', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { pid: 4_194_305 } }, status: 400, field: 'container.pid' },
  { name: 'pid a float', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { pid: 1.5 } }, status: 400, field: 'container.pid' },
  { name: 'pid a string', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { pid: '1' } }, status: 400, field: 'container.pid' },
  { name: 'docker name too long', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { dockerContainer: 'c'.repeat(129) } }, status: 400, field: 'container.dockerContainer' },
  { name: 'netns too long', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { netns: 'n'.repeat(65) } }, status: 400, field: 'container.netns' },
  { name: 'namespace path too long', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { path: `/var/run/netns/${'n'.repeat(65)}` } }, status: 400, field: 'container.path' },
  { name: 'unknown container field', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { netns: 'c1', image: 'x' } }, status: 400, field: 'container.image' },
  { name: 'path outside /proc and netns', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { path: '/etc/passwd' } }, status: 400, field: 'container.path' },
  ...SHELL.map((netns) => ({ name: `netns ${JSON.stringify(netns)}`, method: 'post' as const, url: '/v1/attachments', body: { ...ATTACH, container: { netns } }, status: 400, field: 'container.netns' })),
  ...SHELL.map((name) => ({ name: `docker name ${JSON.stringify(name)}`, method: 'post' as const, url: '/v1/attachments', body: { ...ATTACH, container: { dockerContainer: name } }, status: 400, field: 'container.dockerContainer' })),
  ...SHELL.map((ifname) => ({ name: `ifname ${JSON.stringify(ifname)}`, method: 'post' as const, url: '/v1/attachments', body: { ...ATTACH, ifname }, status: 400, field: 'ifname' })),
  { name: 'ifname too long', method: 'post', url: '/v1/attachments', body: { ...ATTACH, ifname: 'e'.repeat(16) }, status: 400, field: 'ifname' },
  { name: 'ifname a number', method: 'post', url: '/v1/attachments', body: { ...ATTACH, ifname: 0 }, status: 400, field: 'ifname' },
  { name: 'mac a number', method: 'post', url: '/v1/attachments', body: { ...ATTACH, mac: 2 }, status: 400, field: 'mac' },
  { name: 'mac multicast', method: 'post', url: '/v1/attachments', body: { ...ATTACH, mac: '01:00:5e:00:00:01' }, status: 400, field: 'mac' },
  { name: 'mac all zeros', method: 'post', url: '/v1/attachments', body: { ...ATTACH, mac: '00:00:00:00:00:00' }, status: 400, field: 'mac' },
  { name: 'mac malformed', method: 'post', url: '/v1/attachments', body: { ...ATTACH, mac: '02:00:00:00:00' }, status: 400, field: 'mac' },
  { name: 'addresses a string', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: '198.18.0.3' }, status: 400, field: 'addresses' },
  { name: 'address with a prefix', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.18.0.3/29'] }, status: 400, field: 'addresses' },
  { name: 'more than 8 addresses', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: Array.from({ length: 9 }, (_, i) => `198.18.0.${i + 2}`) }, status: 400, field: 'addresses' },
  { name: 'address outside the subnets', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.19.0.3'] }, status: 400, field: 'addresses[0]' },
  { name: 'the network address', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.18.0.0'] }, status: 400, field: 'addresses[0]' },
  { name: 'the broadcast address', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.18.0.7'] }, status: 400, field: 'addresses[0]' },
  { name: 'the gateway', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.18.0.1'] }, status: 400, field: 'addresses[0]' },
  { name: 'two addresses in one subnet', method: 'post', url: '/v1/attachments', body: { ...ATTACH, addresses: ['198.18.0.3', '198.18.0.4'] }, status: 400, field: 'addresses[1]' },
  { name: 'subnet exhausted', method: 'post', url: '/v1/attachments', body: { ...ATTACH, network: 'full', container: { netns: 'f2' } }, status: 409, field: 'addresses' },
  { name: 'same container and ifname twice', method: 'post', url: '/v1/attachments', body: { network: 'blue', host: 'h1', container: { netns: 'b1' } }, status: 409, field: 'ifname' },
  { name: 'a MAC already on the network', method: 'post', url: '/v1/attachments', body: { ...ATTACH, container: { netns: 'b2' }, mac: 'MAC_OF_B1' }, status: 409, field: 'mac' },
  { name: 'gateway not a boolean', method: 'post', url: '/v1/attachments', body: { ...ATTACH, gateway: 'yes' }, status: 400, field: 'gateway' },
  { name: 'route to not a cidr', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: [{ to: 'everywhere' }] }, status: 400, field: 'routes[0].to' },
  { name: 'routes not an array', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: { to: '198.19.0.0/16' } }, status: 400, field: 'routes' },
  { name: 'more than 32 routes', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: Array.from({ length: 33 }, (_, i) => ({ to: `198.19.${i}.0/24` })) }, status: 400, field: 'routes' },
  { name: 'route via malformed', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: [{ to: '198.19.0.0/16', via: '198.18.0' }] }, status: 400, field: 'routes[0].via' },
  { name: 'unknown route field', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: [{ to: '198.19.0.0/16', metric: 5 }] }, status: 400, field: 'routes[0].metric' },
  { name: 'route via outside the subnets', method: 'post', url: '/v1/attachments', body: { ...ATTACH, routes: [{ to: '198.19.0.0/16', via: '198.19.0.1' }] }, status: 400, field: 'routes[0].via' },
  { name: 'unknown attachment field', method: 'post', url: '/v1/attachments', body: { ...ATTACH, vlan: 5 }, status: 400, field: 'vlan' },
  { name: 'attachment id not a uuid', method: 'get', url: '/v1/attachments/abc', status: 400, field: 'id' },
  { name: 'list filter network malformed', method: 'get', url: '/v1/attachments?network=Blue%21', status: 400, field: 'network' },
  { name: 'list filter host malformed', method: 'get', url: '/v1/attachments?host=H1', status: 400, field: 'host' },
  { name: 'unknown attachment', method: 'delete', url: '/v1/attachments/00000000-0000-4000-8000-000000000000', status: 404, field: 'id' },
  { name: 'limit too large', method: 'get', url: '/v1/hosts?limit=501', status: 400, field: 'limit' },
  { name: 'limit not a number', method: 'get', url: '/v1/hosts?limit=many', status: 400, field: 'limit' },
  { name: 'cursor malformed', method: 'get', url: '/v1/hosts?cursor=%24%24', status: 400, field: 'cursor' },
  { name: 'dryRun not a boolean', method: 'post', url: '/v1/networks?dryRun=maybe', body: NETWORK, status: 400, field: 'dryRun' },
  { name: 'wait too long', method: 'get', url: '/v1/operations/00000000-0000-4000-8000-000000000000?wait=61', status: 400, field: 'wait' },
];

it.each(cases)('$name: $status naming $field, nothing changed', async ({ method, url, body: template, status, field, role }) => {
  const body = template && JSON.parse(JSON.stringify(template).replace('MAC_OF_B1', await macOfB1()));
  const before = await redisSnapshot(redis);
  const client = controller.as(role ?? (url.startsWith('/v1/hosts') && method !== 'get' ? 'admin' : 'provisioner'));
  const response = method === 'get' || method === 'delete' ? await client[method](url) : await client[method](url, body);
  expect({ status: response.status, field: response.body.error?.field }).toEqual({ status, field });
  expect(response.body.error.message).toEqual(expect.any(String));
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
});

async function macOfB1(): Promise<string> {
  const list = await controller.as('viewer').get('/v1/attachments?network=blue');
  return list.body.items.find((a: { container: { netns?: string } }) => a.container.netns === 'b1').mac;
}

it('a body over the size limit (1 MiB) is a 413 naming the body, and nothing changes', async () => {
  const before = await redisSnapshot(redis);
  const body = JSON.stringify({ name: 'big', type: 'vxlan', pad: 'x'.repeat(1_100_000) });
  const response = await controller.as('provisioner').post('/v1/networks').set('Content-Type', 'application/json').send(body);
  expect(response.status).toBe(413);
  expect(response.body.error).toMatchObject({ status: 413, code: 'VALIDATION_FAILED', field: 'body' });
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
});

it('a body of a media type with no parser is a 415 naming the body, and nothing changes', async () => {
  const before = await redisSnapshot(redis);
  const response = await controller.as('provisioner').post('/v1/networks').set('Content-Type', 'application/xml').send('<network name="x"/>');
  expect(response.status).toBe(415);
  expect(response.body.error).toMatchObject({ status: 415, code: 'VALIDATION_FAILED', field: 'body' });
  expect(snapshotDifference(before, await redisSnapshot(redis))).toEqual([]);
});

it('a body that is not JSON is a 400 naming the body', async () => {
  const response = await controller.as('provisioner').post('/v1/networks').set('Content-Type', 'application/json').send('{"name":');
  expect(response.status).toBe(400);
  expect(response.body.error.field).toBe('body');
});
