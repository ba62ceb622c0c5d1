import { tunnelPortName } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { describePlan } from './describe';
import { planConvergence } from './plan';
import { attachment, desiredHost, hostIp, network, tunnel } from './testing/fixtures';
import { SimHost } from './testing/sim-host';

const blue = network('blue', 100, 1);
const red = network('red', 200, 2, 'gre');
const web1 = { dockerContainer: 'web1' };
const db1 = { netns: 'db1' };
const n2 = { netns: 'n2' };
const t = { blueH2: tunnelPortName('blue', 'h2'), blueH3: tunnelPortName('blue', 'h3'), blueH4: tunnelPortName('blue', 'h4'), blueH5: tunnelPortName('blue', 'h5'), redH2: tunnelPortName('red', 'h2') };
const owner = 'external_ids:ovs-fleet-owner=ovs-fleet';

const before = desiredHost({
  networks: [blue, red],
  tunnels: [tunnel(blue, 'h2', 2), tunnel(blue, 'h3', 3), tunnel(red, 'h2', 2)],
  attachments: [attachment('a-web1', blue, web1, 1), attachment('a-db1', red, db1, 2)],
});

function convergedHost(): SimHost {
  const sim = new SimHost();
  for (const ref of [web1, db1, n2]) sim.startContainer(ref);
  sim.apply(planConvergence(before, sim.snapshot()));
  return sim;
}

describe('describePlan', () => {
  it('a converged host: one line saying so', () => {
    expect(describePlan(planConvergence(before, convergedHost().snapshot()))).toEqual(['# host h1, revision 1: nothing to do']);
  });

  it('gives the steps in the order they run, each after a line saying what and why, conflicts last', () => {
    const sim = convergedHost();
    sim.addPortByHand('br-int', t.blueH4, {}, { type: 'vxlan', options: { remote_ip: hostIp(4) } });
    const after = desiredHost({
      revision: 2,
      networks: [blue],
      tunnels: [{ ...tunnel(blue, 'h2', 2), remoteIp: hostIp(12) }, tunnel(blue, 'h4', 4), tunnel(blue, 'h5', 5)],
      attachments: [attachment('a-web1', blue, web1, 1), attachment('a-n2', blue, n2, 3)],
    });
    const lines = describePlan(planConvergence(after, sim.snapshot(), { applied: before }));
    const [vethDb1, vethN2] = [hostIfname('a-db1', 'eth1'), hostIfname('a-n2', 'eth1')];
    const removals = [
      [t.blueH3, 'blue to host h3'],
      [t.redH2, 'red to host h2'],
    ].sort(([a], [b]) => a.localeCompare(b));
    expect(lines).toEqual([
      '# host h1, revision 2: 2 added, 1 changed, 3 removed, 0 repaired',
      '# detach attachment a-db1 removed: no longer wanted',
      `ovs-vsctl --if-exists del-port ${vethDb1}`,
      `ip link del ${vethDb1}`,
      '# one OVSDB transaction:',
      ...removals.flatMap(([name, what]) => [`# tunnel ${name} removed: no longer wanted (tunnel of network ${what})`, `ovs-vsctl --if-exists del-port ${name}`]),
      `# tunnel ${t.blueH2} changed: options are {remote_ip=203.0.113.2, local_ip=203.0.113.1, key=100}, wanted {remote_ip=203.0.113.12, local_ip=203.0.113.1, key=100}`,
      `ovs-vsctl set Interface ${t.blueH2} 'options={remote_ip=203.0.113.12, local_ip=203.0.113.1, key=100}'`,
      `# tunnel ${t.blueH5} added: network blue to host h5`,
      `ovs-vsctl --may-exist add-port br-int ${t.blueH5} tag=1 protected=true ${owner} external_ids:ovs-fleet-role=tunnel external_ids:ovs-fleet-network=blue external_ids:ovs-fleet-remote-host=h5 -- set Interface ${t.blueH5} type=vxlan options:remote_ip=203.0.113.5 options:local_ip=203.0.113.1 options:key=100`,
      '# attach attachment a-n2 added: eth1 of container n2 on network blue',
      `ip link add ${vethN2} mtu 1450 type veth peer name eth1 address 02:00:00:00:01:0d mtu 1450 netns n2`,
      `ip link set ${vethN2} addrgenmode none`,
      `ip link set ${vethN2} up`,
      `ovs-vsctl add-port br-int ${vethN2} tag=1 -- set Interface ${vethN2} mtu_request=1450`,
      `# (the attachment's record goes on the Interface's external_ids; ${vethN2} is then awaited in ovs-vswitchd)`,
      'ip netns exec n2 sysctl -w net/ipv4/conf/eth1/arp_notify=1',
      'ip netns exec n2 ip address add 198.18.1.13/24 dev eth1',
      'ip netns exec n2 ip link set lo up',
      'ip netns exec n2 ip link set eth1 up',
      'ip netns exec n2 ip route add 0.0.0.0/0 via 198.18.1.1 dev eth1',
      `ovs-vsctl set Interface ${vethN2} external_ids:ovs-fleet-state=ready`,
      `# conflict (name-taken), tunnel ${t.blueH4}: port ${t.blueH4} on bridge br-int is not ours: left alone`,
    ]);
  });

  it('bridges, whole-map and emptied values, quoted strings, and a docker container found at attach time', () => {
    const sim = new SimHost();
    sim.startContainer(web1);
    const withV6 = { ...attachment('a-web1', blue, web1, 1), addresses: ['198.18.1.11/24', 'fd00:18::b/64'], gateway6: 'fd00:18::1', routes: [{ to: '198.19.0.0/16', via: '198.18.1.254' }] };
    const doc = desiredHost({
      attachments: [withV6],
      operator: { bridges: [{ name: 'br-prov', datapathType: 'netdev', failMode: 'secure', otherConfig: { 'hwaddr': '02:00:00:00:00:aa' } }], ports: [], tunnels: [] },
    });
    const lines = describePlan(planConvergence(doc, sim.snapshot()));
    const veth = hostIfname('a-web1', 'eth1');
    const inside = "'--net=/proc/<pid of container web1>/ns/net'";
    expect(lines).toEqual([
      '# host h1, revision 1: 3 added, 0 changed, 0 removed, 0 repaired',
      '# one OVSDB transaction:',
      '# bridge br-int added: integration bridge, datapath netdev',
      `ovs-vsctl --may-exist add-br br-int -- set Bridge br-int datapath_type=netdev ${owner} external_ids:ovs-fleet-role=bridge`,
      '# bridge br-prov added: operator bridge, datapath netdev',
      `ovs-vsctl --may-exist add-br br-prov -- set Bridge br-prov datapath_type=netdev fail_mode=secure 'other_config:hwaddr="02:00:00:00:00:aa"' ${owner} external_ids:ovs-fleet-role=bridge`,
      '# attach attachment a-web1 added: eth1 of container web1 on network blue',
      `ip link add ${veth} mtu 1450 type veth peer name eth1 address 02:00:00:00:01:0b mtu 1450 netns <pid of container web1>`,
      `ip link set ${veth} addrgenmode none`,
      `ip link set ${veth} up`,
      `ovs-vsctl add-port br-int ${veth} tag=1 -- set Interface ${veth} mtu_request=1450`,
      `# (the attachment's record goes on the Interface's external_ids; ${veth} is then awaited in ovs-vswitchd)`,
      `nsenter ${inside} sysctl -w net/ipv4/conf/eth1/arp_notify=1`,
      `nsenter ${inside} sysctl -w net/ipv6/conf/eth1/ndisc_notify=1`,
      `nsenter ${inside} ip address add 198.18.1.11/24 dev eth1`,
      `nsenter ${inside} ip address add fd00:18::b/64 dev eth1 nodad`,
      `nsenter ${inside} ip link set lo up`,
      `nsenter ${inside} ip link set eth1 up`,
      `nsenter ${inside} ip route add 0.0.0.0/0 via 198.18.1.1 dev eth1`,
      `nsenter ${inside} ip route add ::/0 via fd00:18::1 dev eth1`,
      `nsenter ${inside} ip route add 198.19.0.0/16 via 198.18.1.254 dev eth1`,
      `ovs-vsctl set Interface ${veth} external_ids:ovs-fleet-state=ready`,
    ]);

    sim.apply(planConvergence(doc, sim.snapshot()));
    sim.setByHand('Bridge', 'br-prov', { fail_mode: null });
    const gone = desiredHost({ revision: 2, attachments: [withV6] });
    expect(describePlan(planConvergence(gone, sim.snapshot()))).toEqual(['# host h1, revision 2: 0 added, 0 changed, 1 removed, 0 repaired', '# one OVSDB transaction:', '# bridge br-prov removed: no longer wanted', 'ovs-vsctl --if-exists del-br br-prov']);
    sim.setByHand('Bridge', 'br-prov', { fail_mode: 'standalone' });
    expect(describePlan(planConvergence({ ...doc, revision: 3, operator: { ...doc.operator, bridges: [{ ...doc.operator.bridges[0], failMode: null, otherConfig: {} }] } }, sim.snapshot()))).toEqual([
      '# host h1, revision 3: 0 added, 1 changed, 0 removed, 0 repaired',
      '# one OVSDB transaction:',
      '# bridge br-prov changed: fail_mode is standalone, wanted none; other_config is {hwaddr=02:00:00:00:00:aa}, wanted {}',
      "ovs-vsctl set Bridge br-prov 'fail_mode=[]' 'other_config={}'",
    ]);
  });
});
