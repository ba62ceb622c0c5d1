import { hostNames, labNames } from './naming';
import { hostNetworkCommands, rootNetworkCommands, underlayAddressCommands } from './network';
import { planAddresses } from './ranges';

describe('lab network commands', () => {
  const lab = labNames('t1');
  const plan = planAddresses({ mgmt: '198.51.100.64/26', underlay: '203.0.113.64/26' }, 2);
  const hosts = [hostNames(lab, 1), hostNames(lab, 2)];
  const commands = rootNetworkCommands(lab, plan, hosts).map((c) => c.join(' '));

  it('creates the namespaces first, then the bridges (the provider one VLAN-transparent), the gateway address and the host veths', () => {
    expect(commands).toEqual([
      'netns add ovf-t1-h1',
      'netns add ovf-t1-h2',
      'link add ovft1-m type bridge',
      'link add ovft1-u type bridge',
      'link add ovft1-p type bridge',
      'address add 198.51.100.65/26 dev ovft1-m',
      'link set ovft1-m up',
      'link set ovft1-u up',
      'link set ovft1-p up',
      'link add ovft1-1m type veth peer name mgmt0 netns ovf-t1-h1',
      'link set ovft1-1m master ovft1-m up',
      'link add ovft1-1u type veth peer name uplink0 netns ovf-t1-h1',
      'link set ovft1-1u master ovft1-u up',
      'link add ovft1-1p type veth peer name prov0 netns ovf-t1-h1',
      'link set ovft1-1p master ovft1-p up',
      'link add ovft1-2m type veth peer name mgmt0 netns ovf-t1-h2',
      'link set ovft1-2m master ovft1-m up',
      'link add ovft1-2u type veth peer name uplink0 netns ovf-t1-h2',
      'link set ovft1-2u master ovft1-u up',
      'link add ovft1-2p type veth peer name prov0 netns ovf-t1-h2',
      'link set ovft1-2p master ovft1-p up',
    ]);
  });

  it('never adds a route, and no address on the underlay or provider bridge', () => {
    expect(commands.some((c) => c.includes('route'))).toBe(false);
    expect(commands.some((c) => c.startsWith('address') && (c.endsWith('ovft1-u') || c.endsWith('ovft1-p')))).toBe(false);
    const inside = [...hostNetworkCommands('198.51.100.75', 26), ...underlayAddressCommands('203.0.113.75', 26)].map((c) => c.join(' '));
    expect(inside.some((c) => c.includes('route'))).toBe(false);
    expect(inside).toContain('address add 203.0.113.75/26 dev br-phy');
    expect(inside).toContain('address add 198.51.100.75/26 dev mgmt0');
  });
});
