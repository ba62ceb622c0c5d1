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
    [{}, /OVS_FLEET_HOST_ID/],
    [{ OVS_FLEET_HOST_ID: 'H;1' }, /OVS_FLEET_HOST_ID/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_OVSDB: 'tcp:nohost' }, /OVS_FLEET_OVSDB/],
    [{ OVS_FLEET_HOST_ID: 'h1', OVS_FLEET_REDIS_URL: 'http://x' }, /OVS_FLEET_REDIS_URL/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadAgentConfig(env)).toThrow(AgentConfigError);
    expect(() => loadAgentConfig(env)).toThrow(message);
  });
});
