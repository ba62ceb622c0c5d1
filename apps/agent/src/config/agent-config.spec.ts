import { describeError } from '@ovs-fleet/errors';
import { AgentConfigError, loadAgentConfig } from './agent-config';

describe('loadAgentConfig', () => {
  it('reads the host id and defaults the rest', () => {
    expect(loadAgentConfig({ OVS_FLEET_HOST_ID: 'h1' })).toEqual({
      hostId: 'h1',
      ovsdbRemote: 'unix:/var/run/openvswitch/db.sock',
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it.each([
    ['tcp:ovs-host', 'tcp:ovs-host:6640'],
    ['tcp:203.0.113.7', 'tcp:203.0.113.7:6640'],
    ['tcp:203.0.113.7:6641', 'tcp:203.0.113.7:6641'],
    ['tcp:[2001:db8::7]', 'tcp:[2001:db8::7]:6640'],
    ['ssl:ovs-host', 'ssl:ovs-host:6640'],
    ['unix:/run/ovs-fleet-lab/demo/h1/db.sock', 'unix:/run/ovs-fleet-lab/demo/h1/db.sock'],
  ])('takes the OVSDB remote %s as OVS does: %s', (given, remote) => {
    expect(loadAgentConfig({ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: given }).ovsdbRemote).toBe(remote);
  });

  it.each([
    [{}, /^OVS_FLEET_HOST_ID: "" must be/],
    [{ OVS_FLEET_HOST_ID: 'H;1' }, /^OVS_FLEET_HOST_ID: "H;1" must be/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: 'tcp:' }, /^OVS_FLEET_OVSDB: "tcp:" is not an OVSDB remote \(expected HOST\[:PORT\]\)/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: 'tcp:ovs-host:99999' }, /^OVS_FLEET_OVSDB: "tcp:ovs-host:99999" is not an OVSDB remote/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: '/var/run/openvswitch/db.sock' }, /^OVS_FLEET_OVSDB: "\/var\/run\/openvswitch\/db.sock" is not an OVSDB remote/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: 'ptcp:6640' }, /^OVS_FLEET_OVSDB: "ptcp:6640" is a passive remote/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_REDIS_URL: 'http://x' }, /^OVS_FLEET_REDIS_URL: "http:\/\/x" is not a redis:\/\/ URL$/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadAgentConfig(env)).toThrow(AgentConfigError);
    expect(() => loadAgentConfig(env)).toThrow(message);
  });

  it('is a non-retryable FleetError naming the variable', () => {
    let error: unknown;
    try {
      loadAgentConfig({ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: 'tcp:' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AgentConfigError', variable: 'OVS_FLEET_OVSDB' });
    expect(describeError(error)).toMatchObject({ code: 'AGENT_CONFIG', retryable: false });
  });
});
