import { formatStatus, formatTeardown } from './cli-format';

describe('lab CLI output', () => {
  it('prints a row per host with aligned columns and the shared services', () => {
    const text = formatStatus({
      name: 'demo',
      ranges: { mgmt: '198.51.100.0/24', underlay: '203.0.113.0/24' },
      gateway: '198.51.100.1',
      redis: { url: 'redis://198.51.100.1:6379', alive: true },
      podman: { socket: '/run/ovs-fleet-lab/demo/podman.sock', alive: false },
      hosts: [1, 2].map((i) => ({
        id: `h${i}`, hostId: `demo-h${i}`, netns: `ovf-demo-h${i}`, ovsVersion: i === 1 ? '3.1.0' : undefined,
        ovsdbServer: true, ovsVswitchd: i === 1, mgmtIp: `198.51.100.1${i}`, underlayIp: `203.0.113.1${i}`,
        ovsdbUnix: `unix:/run/ovs-fleet-lab/demo/h${i}/db.sock`, ovsdbTcp: `tcp:198.51.100.1${i}:6640`, vswitchdCtl: 'x',
      })),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('lab demo: mgmt 198.51.100.0/24 (gateway 198.51.100.1), underlay 203.0.113.0/24');
    expect(lines[1].indexOf('OVS ')).toBe(lines[2].indexOf('3.1.0'));
    expect(lines[3]).toMatch(/^h2 +ovf-demo-h2 +- +up +DOWN +198\.51\.100\.12 /);
    expect(lines[4]).toBe('redis   redis://198.51.100.1:6379  up');
    expect(lines[5]).toBe('podman  unix:///run/ovs-fleet-lab/demo/podman.sock  DOWN');
  });

  it('summarises a teardown', () => {
    expect(formatTeardown({ name: 'x', containers: ['c'], processes: [], netns: ['a', 'b'], links: [] })).toBe(
      'lab x removed: 0 process(es), 2 namespace(s), 0 link(s), 1 podman container(s)',
    );
  });
});
