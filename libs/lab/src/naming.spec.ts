import { ValidationError } from '@ovs-fleet/iproute';
import { assertContainerName, assertHostCount, assertLabName, assertLabRoot, containerNetns, hostNames, labNames, MAX_HOSTS, podmanContainerName } from './naming';

describe('lab naming', () => {
  it('accepts short lowercase names and refuses others', () => {
    expect(assertLabName('plumb1')).toBe('plumb1');
    expect(assertLabName('abcdefgh')).toBe('abcdefgh');
    for (const bad of ['', 'abcdefghi', 'Demo', '1lab', 'a-b', 'a_b', 'a b', 'a;b', undefined, 7]) {
      expect(() => assertLabName(bad)).toThrow(ValidationError);
    }
  });

  it('keeps every root-namespace interface name within 15 bytes for the longest name and host index', () => {
    const lab = labNames('abcdefgh');
    const last = hostNames(lab, MAX_HOSTS);
    for (const ifname of [lab.mgmtBridge, lab.underlayBridge, lab.providerBridge, last.rootMgmtVeth, last.rootUplinkVeth, last.rootProviderVeth]) {
      expect(Buffer.byteLength(ifname)).toBeLessThanOrEqual(15);
      expect(ifname.startsWith(lab.linkPrefix)).toBe(true);
    }
    expect(last.rootUplinkVeth).toBe('ovfabcdefgh-99u');
  });

  it('never gives one lab a prefix that is a prefix of another lab\'s names', () => {
    const a = labNames('a');
    const ab = labNames('ab');
    const abHost = hostNames(ab, 1);
    for (const name of [ab.mgmtBridge, ab.underlayBridge, ab.providerBridge, abHost.rootMgmtVeth, abHost.rootUplinkVeth, abHost.rootProviderVeth]) expect(name.startsWith(a.linkPrefix)).toBe(false);
    expect(abHost.netns.startsWith(a.netnsPrefix)).toBe(false);
    expect(podmanContainerName(ab, 'web').startsWith(a.podmanPrefix)).toBe(false);
  });

  it('puts run files under ROOT/NAME and keeps socket paths under the unix limit', () => {
    const lab = labNames('demo', '/run/ovs-fleet-lab');
    const h = hostNames(lab, 12);
    expect(lab.runDir).toBe('/run/ovs-fleet-lab/demo');
    expect(h.ovsdbSocket).toBe('/run/ovs-fleet-lab/demo/h12/db.sock');
    expect(h.netns).toBe('ovf-demo-h12');
    const longest = hostNames(labNames('abcdefgh', '/' + 'r'.repeat(59)), MAX_HOSTS);
    for (const socket of [longest.ovsdbSocket, longest.vswitchdCtl, `${longest.runDir}/br-phy.snoop`]) expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(107);
  });

  it('validates roots, host counts and container names', () => {
    expect(assertLabRoot('/tmp/x/')).toBe('/tmp/x');
    expect(() => assertLabRoot('relative')).toThrow(ValidationError);
    expect(() => assertLabRoot('/' + 'x'.repeat(60))).toThrow(ValidationError);
    expect(assertHostCount(3)).toBe(3);
    for (const bad of [0, 100, 1.5, '3']) expect(() => assertHostCount(bad)).toThrow(ValidationError);
    expect(containerNetns(labNames('demo'), 'web1')).toBe('ovf-demo-c-web1');
    for (const bad of ['', '-x', 'A', 'a/b', 'x'.repeat(33)]) expect(() => assertContainerName(bad)).toThrow(ValidationError);
    expect(() => hostNames(labNames('demo'), 0)).toThrow(ValidationError);
  });
});
