import { ApiError } from '../common/api-errors';
import { apiValidationPipe } from '../common/validation';
import { hostRecord } from '../desired-state/testing/records';
import { CreateBridgeDto, CreatePortDto, CreateTunnelDto } from './ovs-resource.dto';
import { bridgeSpec, portSpec, tunnelSpec } from './resource-specs';

/** A request body as the API sees it: through the validation pipe, then the rules between fields. */
async function build<D extends object, S>(type: new () => D, body: object, spec: (dto: D) => S): Promise<S> {
  const dto = (await apiValidationPipe().transform(body, { type: 'body', metatype: type })) as D;
  return spec(dto);
}

/** 'ok', or the refusal's status and the fields it names (each once). */
async function verdict(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return `${error.status} ${[...new Set(error.details.map((d) => d.field))].join(',')}`;
  }
}

const port = (body: object) => verdict(() => build(CreatePortDto, { name: 'p1', bridge: 'br-int', ...body }, portSpec));
const tunnel = (body: object) => verdict(() => build(CreateTunnelDto, { name: 't1', bridge: 'br-int', type: 'vxlan', remoteIp: '203.0.113.50', ...body }, tunnelSpec));
const bridge = (body: object) => verdict(() => build(CreateBridgeDto, { name: 'br-ops', ...body }, (dto) => bridgeSpec(dto, hostRecord('h1'))));

describe('port rules', () => {
  it.each<[string, object, string]>([
    ['access with a tag', { kind: 'access', tag: 10 }, 'ok'],
    ['access with the highest tag', { kind: 'access', tag: 4094 }, 'ok'],
    ['access without a tag', { kind: 'access' }, '400 tag'],
    ['access with tag 0', { kind: 'access', tag: 0 }, '400 tag'],
    ['access with tag 4095', { kind: 'access', tag: 4095 }, '400 tag'],
    ['access with a fractional tag', { kind: 'access', tag: 1.5 }, '400 tag'],
    ['access with trunks', { kind: 'access', tag: 10, trunks: [20] }, '400 trunks'],
    ['access with a vlanMode', { kind: 'access', tag: 10, vlanMode: 'access' }, '400 vlanMode'],
    ['access with a peer', { kind: 'access', tag: 10, peer: 'p2' }, '400 peer'],
    ['trunk with trunks', { kind: 'trunk', trunks: [10, 20] }, 'ok'],
    ['trunk with the edge VLANs 0 and 4095', { kind: 'trunk', trunks: [0, 4095] }, 'ok'],
    ['trunk with a native-untagged VLAN', { kind: 'trunk', trunks: [10, 20], vlanMode: 'native-untagged', tag: 5 }, 'ok'],
    ['trunk in trunk mode', { kind: 'trunk', trunks: [10], vlanMode: 'trunk' }, 'ok'],
    ['trunk without trunks', { kind: 'trunk' }, '400 trunks'],
    ['trunk with no VLANs', { kind: 'trunk', trunks: [] }, '400 trunks'],
    ['trunk with VLAN 4096', { kind: 'trunk', trunks: [10, 4096] }, '400 trunks[1]'],
    ['trunk with VLAN -1', { kind: 'trunk', trunks: [-1] }, '400 trunks[0]'],
    ['trunk with a VLAN given as text', { kind: 'trunk', trunks: ['10'] }, '400 trunks[0]'],
    ['trunk listing a VLAN twice', { kind: 'trunk', trunks: [10, 20, 10] }, '400 trunks[2]'],
    ['trunk with 4097 VLANs', { kind: 'trunk', trunks: Array.from({ length: 4097 }, (_, i) => i) }, '400 trunks'],
    ['trunk with all 4096 VLANs', { kind: 'trunk', trunks: Array.from({ length: 4096 }, (_, i) => i) }, 'ok'],
    ['trunk with trunks not an array', { kind: 'trunk', trunks: 10 }, '400 trunks'],
    ['trunk with a tag but no native mode', { kind: 'trunk', trunks: [10], tag: 5 }, '400 tag'],
    ['trunk in a native mode without a tag', { kind: 'trunk', trunks: [10], vlanMode: 'native-tagged' }, '400 tag'],
    ['trunk in access mode', { kind: 'trunk', trunks: [10], vlanMode: 'access' }, '400 vlanMode'],
    ['trunk with an unknown vlanMode', { kind: 'trunk', trunks: [10], vlanMode: 'dot1q' }, '400 vlanMode'],
    ['internal', { kind: 'internal' }, 'ok'],
    ['internal with a tag', { kind: 'internal', tag: 10 }, '400 tag'],
    ['internal with trunks', { kind: 'internal', trunks: [10] }, '400 trunks'],
    ['internal with a peer', { kind: 'internal', peer: 'p2' }, '400 peer'],
    ['patch with a peer', { kind: 'patch', peer: 'patch-ext' }, 'ok'],
    ['patch without a peer', { kind: 'patch' }, '400 peer'],
    ['patch that is its own peer', { kind: 'patch', peer: 'p1' }, '400 peer'],
    ['patch with a peer that is no interface name', { kind: 'patch', peer: 'a/b' }, '400 peer'],
    ['patch with a tag', { kind: 'patch', peer: 'p2', tag: 10 }, '400 tag'],
    ['an unknown kind', { kind: 'bond' }, '400 kind'],
    ['a name too long for an interface', { kind: 'internal', name: 'a-very-long-port-name' }, '400 name'],
    ['a name with a shell character', { kind: 'internal', name: 'p;rm' }, '400 name'],
    ['a bridge that is no interface name', { kind: 'internal', bridge: 'br int' }, '400 bridge'],
    ['an unknown field', { kind: 'internal', mtu: 9000 }, '400 mtu'],
    ['every cross-field problem at once', { kind: 'internal', tag: 1, trunks: [1], peer: 'x' }, '400 tag,trunks,peer'],
  ])('%s: %s', async (_what, body, expected) => {
    expect(await port(body)).toBe(expected);
  });

  it('stores a trunk port with its VLANs ascending and nulls for what it does not take', async () => {
    const spec = await build(CreatePortDto, { name: 'up1', bridge: 'br-ops', kind: 'trunk', trunks: [300, 10, 20] }, portSpec);
    expect(spec).toEqual({ name: 'up1', bridge: 'br-ops', kind: 'trunk', tag: null, trunks: [10, 20, 300], vlanMode: null, peer: null });
  });
});

describe('tunnel rules', () => {
  it.each<[string, object, string]>([
    ['vxlan with only a remote address', {}, 'ok'],
    ['vxlan key 16777215', { key: 16_777_215 }, 'ok'],
    ['vxlan key 0', { key: 0 }, 'ok'],
    ['vxlan key 16777216', { key: 16_777_216 }, '400 key'],
    ['geneve key 16777216', { type: 'geneve', key: 16_777_216 }, '400 key'],
    ['gre key 4294967295', { type: 'gre', key: 4_294_967_295 }, 'ok'],
    ['gre key 4294967296', { type: 'gre', key: 4_294_967_296 }, '400 key'],
    ['a negative key', { key: -1 }, '400 key'],
    ['dstPort 4789', { dstPort: 4789 }, 'ok'],
    ['dstPort 65535', { dstPort: 65535 }, 'ok'],
    ['dstPort 0', { dstPort: 0 }, '400 dstPort'],
    ['dstPort 65536', { dstPort: 65536 }, '400 dstPort'],
    ['dstPort on gre', { type: 'gre', dstPort: 4789 }, '400 dstPort'],
    ['ttl 1 and 255', { ttl: 255 }, 'ok'],
    ['ttl 0', { ttl: 0 }, '400 ttl'],
    ['ttl 256', { ttl: 256 }, '400 ttl'],
    ['tos 0', { tos: 0 }, 'ok'],
    ['tos 255', { tos: 255 }, 'ok'],
    ['tos inherit', { tos: 'inherit' }, 'ok'],
    ['tos 256', { tos: 256 }, '400 tos'],
    ['tos as text', { tos: '16' }, '400 tos'],
    ['tos copy', { tos: 'copy' }, '400 tos'],
    ['csum true', { csum: true }, 'ok'],
    ['csum as text', { csum: 'yes' }, '400 csum'],
    ['an IPv6 remote', { remoteIp: '2001:db8::50' }, 'ok'],
    ['a multicast remote', { remoteIp: '239.1.1.1' }, '400 remoteIp'],
    ['a loopback remote', { remoteIp: '127.0.0.1' }, '400 remoteIp'],
    ['the unspecified remote', { remoteIp: '0.0.0.0' }, '400 remoteIp'],
    ['a broadcast remote', { remoteIp: '255.255.255.255' }, '400 remoteIp'],
    ['a remote that is a name', { remoteIp: 'dc2.example' }, '400 remoteIp'],
    ['a remote with a prefix', { remoteIp: '203.0.113.50/24' }, '400 remoteIp'],
    ['no remote', { remoteIp: undefined }, '400 remoteIp'],
    ['a local address', { localIp: '203.0.113.11' }, 'ok'],
    ['a local address of the other family', { localIp: '2001:db8::11' }, '400 localIp'],
    ['the remote address as local address', { localIp: '203.0.113.50' }, '400 localIp'],
    ['a multicast local address', { localIp: '224.0.0.1' }, '400 localIp'],
    ['an unknown type', { type: 'stt' }, '400 type'],
    ['a name that is no interface name', { name: '../t1' }, '400 name'],
  ])('%s: %s', async (_what, body, expected) => {
    expect(await tunnel(body)).toBe(expected);
  });

  it('stores tos as text and leaves what was not given null', async () => {
    const spec = await build(CreateTunnelDto, { name: 't1', bridge: 'br-ext', type: 'gre', remoteIp: '203.0.113.50', key: 7, tos: 32 }, tunnelSpec);
    expect(spec).toEqual({ name: 't1', bridge: 'br-ext', type: 'gre', remoteIp: '203.0.113.50', localIp: null, key: 7, dstPort: null, csum: null, tos: '32', ttl: null });
  });
});

describe('bridge rules', () => {
  it.each<[string, object, string]>([
    ['a name only', {}, 'ok'],
    ['netdev, secure, other_config', { datapathType: 'netdev', failMode: 'secure', otherConfig: { 'mac-aging-time': '600' } }, 'ok'],
    ['failMode null', { failMode: null }, 'ok'],
    ['an unknown datapath type', { datapathType: 'dpdk' }, '400 datapathType'],
    ['an unknown failMode', { failMode: 'open' }, '400 failMode'],
    ['other_config with a number value', { otherConfig: { 'mac-aging-time': 600 } }, '400 otherConfig'],
    ['other_config with a control character', { otherConfig: { 'mac-aging-time': '6\n0' } }, '400 otherConfig'],
    ['other_config with a bad key', { otherConfig: { 'a b': 'x' } }, '400 otherConfig'],
    ['other_config as a list', { otherConfig: ['x'] }, '400 otherConfig'],
    ['a name with a slash', { name: 'br/ops' }, '400 name'],
    ['a name of 16 bytes', { name: 'br-0123456789abc' }, '400 name'],
  ])('%s: %s', async (_what, body, expected) => {
    expect(await bridge(body)).toBe(expected);
  });

  it('takes the host\'s datapath type unless given', async () => {
    const host = hostRecord('h1', { datapathType: 'netdev' });
    expect(await build(CreateBridgeDto, { name: 'br-ops' }, (dto) => bridgeSpec(dto, host))).toEqual({ name: 'br-ops', datapathType: 'netdev', failMode: null, otherConfig: {} });
    expect((await build(CreateBridgeDto, { name: 'br-ops', datapathType: 'system' }, (dto) => bridgeSpec(dto, host))).datapathType).toBe('system');
  });
});
