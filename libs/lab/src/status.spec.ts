import { whatIsDown, type LabStatus } from './status';

function status(overrides: { vswitchd?: boolean[]; ovsdb?: boolean[]; redis?: boolean; podman?: boolean } = {}): LabStatus {
  const vswitchd = overrides.vswitchd ?? [true, true];
  return {
    name: 'demo',
    ranges: { mgmt: '198.51.100.0/24', underlay: '203.0.113.0/24' },
    gateway: '198.51.100.1',
    ...(overrides.redis === undefined ? {} : { redis: { url: 'redis://198.51.100.1:6379', alive: overrides.redis } }),
    ...(overrides.podman === undefined ? {} : { podman: { socket: '/run/ovs-fleet-lab/demo/podman.sock', alive: overrides.podman } }),
    hosts: vswitchd.map((up, i) => ({
      id: `h${i + 1}`, hostId: `demo-h${i + 1}`, netns: `ovf-demo-h${i + 1}`, ovsdbServer: overrides.ovsdb?.[i] ?? true, ovsVswitchd: up,
      mgmtIp: `198.51.100.1${i + 1}`, underlayIp: `203.0.113.1${i + 1}`, ovsdbUnix: 'unix:/x', ovsdbTcp: 'tcp:198.51.100.11:6640', vswitchdCtl: 'x',
    })),
  };
}

describe('whatIsDown', () => {
  it('is empty when every daemon and service answers', () => {
    expect(whatIsDown(status({ redis: true, podman: true }))).toEqual([]);
    expect(whatIsDown(status())).toEqual([]);
  });

  it('names each daemon and service that is down, host by host', () => {
    expect(whatIsDown(status({ vswitchd: [true, false], ovsdb: [false, true], redis: false, podman: false }))).toEqual([
      'h1 ovsdb-server',
      'h2 ovs-vswitchd',
      'redis',
      'podman service',
    ]);
  });
});
