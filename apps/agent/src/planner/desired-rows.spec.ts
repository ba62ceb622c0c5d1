import type { ResolvedHostState } from '@ovs-fleet/contracts';
import { DesiredStateError } from './errors';
import { planConvergence } from './plan';
import { attachment, desiredHost, network, tunnel } from './testing/fixtures';
import { SimHost } from './testing/sim-host';

const blue = network('blue', 100, 1);
const gre = network('gre1', 300, 3, 'gre');
const ok = attachment('a1', blue, { netns: 'c1' }, 1);
const portSpec = { name: 'p1', bridge: 'br-int', kind: 'access' as const, tag: 10, trunks: [], vlanMode: null, peer: null };
const tunnelSpec = { name: 't1', bridge: 'br-int', type: 'vxlan' as const, remoteIp: '203.0.113.9', localIp: null, key: 5, dstPort: null, csum: null, tos: null, ttl: null };

describe('planConvergence: a document it cannot plan throws DesiredStateError naming the field', () => {
  const cases: { problem: string; doc: ResolvedHostState; field: string; message: RegExp }[] = [
    { problem: 'an unknown schema', doc: { ...desiredHost(), schema: 3 as 2 }, field: 'schema', message: /3 is not schema 2/ },
    { problem: 'an integration bridge name too long for an interface', doc: desiredHost({ integrationBridge: { name: 'br-integration-01', datapathType: 'netdev' } }), field: 'integrationBridge.name', message: /longer than 15 bytes/ },
    { problem: 'an unknown datapath type', doc: desiredHost({ integrationBridge: { name: 'br-int', datapathType: 'dpdk' as 'netdev' } }), field: 'integrationBridge.datapathType', message: /"dpdk" is not system or netdev/ },
    { problem: 'a VXLAN key wider than 24 bits', doc: desiredHost({ tunnels: [{ ...tunnel(blue, 'h2', 2), key: 2 ** 24 }] }), field: 'tunnels[0].key', message: /is not a vxlan key/ },
    { problem: 'a tunnel remote address that is not one', doc: desiredHost({ tunnels: [{ ...tunnel(gre, 'h2', 2), remoteIp: 'h2.example' }] }), field: 'tunnels[0].remoteIp', message: /is not an IP address/ },
    { problem: 'a tunnel tag outside 1-4094', doc: desiredHost({ tunnels: [{ ...tunnel(blue, 'h2', 2), tag: 4095 }] }), field: 'tunnels[0].tag', message: /4095 is not a VLAN from 1 to 4094/ },
    { problem: 'two tunnels with one port name', doc: desiredHost({ tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h2', 2)] }), field: 'tunnels[1].port', message: /is also tunnels\[0\]\.port/ },
    { problem: 'a port named like a bridge', doc: desiredHost({ operator: { bridges: [], ports: [{ ...portSpec, name: 'br-int' }], tunnels: [] } }), field: 'operator.ports[0].name', message: /br-int is also integrationBridge.name/ },
    { problem: 'a patch port without its peer', doc: desiredHost({ operator: { bridges: [], ports: [{ ...portSpec, kind: 'patch', tag: null }], tunnels: [] } }), field: 'operator.ports[0].peer', message: /needs its peer/ },
    { problem: 'a trunk listed twice', doc: desiredHost({ operator: { bridges: [], ports: [{ ...portSpec, kind: 'trunk', tag: null, trunks: [5, 5] }], tunnels: [] } }), field: 'operator.ports[0].trunks', message: /twice/ },
    { problem: 'a GRE operator tunnel with a UDP port', doc: desiredHost({ operator: { bridges: [], ports: [], tunnels: [{ ...tunnelSpec, type: 'gre', dstPort: 4789 }] } }), field: 'operator.tunnels[0].dstPort', message: /does not apply to gre/ },
    { problem: 'an attachment id plumbing cannot record', doc: desiredHost({ attachments: [{ ...ok, id: 'a/1' }] }), field: 'attachments[0].id', message: /must be 1-128 letters/ },
    { problem: 'two attachments with one id', doc: desiredHost({ attachments: [ok, { ...ok, ifname: 'eth2' }] }), field: 'attachments[1].id', message: /a1 is also attachments\[0\]/ },
    { problem: 'two attachments with one interface of one container', doc: desiredHost({ attachments: [ok, { ...ok, id: 'a2' }] }), field: 'attachments[1].ifname', message: /eth1 of container c1 is also attachments\[0\]/ },
    { problem: 'a gateway outside the attachment prefixes', doc: desiredHost({ attachments: [{ ...ok, gateway: '198.19.0.1' }] }), field: 'attachments[0].gateway', message: /198.19.0.1 is not reachable on the interface/ },
    { problem: 'an attachment MAC that is multicast', doc: desiredHost({ attachments: [{ ...ok, mac: '03:00:00:00:00:01' }] }), field: 'attachments[0].mac', message: /multicast/ },
    { problem: 'a container reference of no known kind', doc: desiredHost({ attachments: [{ ...ok, container: { name: 'c1' } as unknown as typeof ok.container }] }), field: 'attachments[0].container', message: /is not one of/ },
  ];

  it.each(cases)('$problem', ({ doc, field, message }) => {
    let thrown: unknown;
    try {
      planConvergence(doc, new SimHost().snapshot());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DesiredStateError);
    expect((thrown as DesiredStateError).field).toBe(field);
    expect((thrown as DesiredStateError).message).toMatch(message);
    expect((thrown as DesiredStateError).message.startsWith(`${field}: `)).toBe(true);
    // The agent reports it as a final failure: the same document fails the same way again.
    expect(thrown).toMatchObject({ code: 'DESIRED_STATE_INVALID', retryable: false });
  });

  it('a valid document with every kind of resource plans without error', () => {
    const doc = desiredHost({
      tunnels: [tunnel(blue, 'h2', 2), tunnel(gre, 'h2', 2)],
      attachments: [ok],
      operator: { bridges: [{ name: 'br-x', datapathType: 'system', failMode: null, otherConfig: {} }], ports: [portSpec], tunnels: [tunnelSpec] },
    });
    expect(planConvergence(doc, new SimHost().snapshot()).ovsdb).toHaveLength(6);
  });
});
