import { tunnelPortName } from '@ovs-fleet/contracts';
import { hostIfname } from '@ovs-fleet/plumbing';
import { generatedNameProblem } from './reserved-names';

describe('generatedNameProblem', () => {
  it('reserves every name the fleet generates for mesh tunnels and attachment veths', () => {
    for (const [network, host] of [['blue', 'h1'], ['red', 'h2'], ['a', 'b']]) expect(generatedNameProblem(tunnelPortName(network, host))).toMatch(/tunnel ports/);
    for (const [container, ifname] of [['web1', 'eth0'], ['db', 'eth1']]) expect(generatedNameProblem(hostIfname(container, ifname))).toMatch(/attachments/);
  });

  it.each(['eth0', 'br-prov', 'ovt', 'ovf-1', 'vxlan-ops', 'OVT-1'])('leaves %s to operators', (name) => {
    expect(generatedNameProblem(name)).toBeNull();
  });
});
