import { AgentConfigError } from './agent-config';
import { DEFAULT_HTTP_PORT, loadAgentSettings } from './agent-settings';

describe('loadAgentSettings', () => {
  it('has a default for everything', () => {
    expect(loadAgentSettings({})).toEqual({
      reconcileIntervalS: 30,
      linkPollMs: 1000,
      driftDebounceMs: 300,
      vswitchdTimeoutMs: 10_000,
      jobLockMs: 30_000,
      stalledIntervalMs: 30_000,
      httpPort: DEFAULT_HTTP_PORT,
      httpHost: '127.0.0.1',
      hostNetns: null,
      dockerSocket: null,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const settings = loadAgentSettings({
      OVS_FLEET_RECONCILE_INTERVAL_S: '5',
      OVS_FLEET_LINK_POLL_MS: '250',
      OVS_FLEET_DRIFT_DEBOUNCE_MS: '0',
      OVS_FLEET_VSWITCHD_TIMEOUT_MS: '2000',
      OVS_FLEET_JOB_LOCK_MS: '4000',
      OVS_FLEET_JOB_STALLED_INTERVAL_MS: '1000',
      OVS_FLEET_AGENT_HTTP_PORT: '0',
      OVS_FLEET_AGENT_HTTP_HOST: '::1',
      OVS_FLEET_HOST_NETNS: 'ovf-lab-h1',
      OVS_FLEET_DOCKER_SOCKET: '/run/podman/podman.sock',
      OVS_FLEET_LOG_LEVEL: 'debug',
    });
    expect(settings).toEqual({
      reconcileIntervalS: 5,
      linkPollMs: 250,
      driftDebounceMs: 0,
      vswitchdTimeoutMs: 2000,
      jobLockMs: 4000,
      stalledIntervalMs: 1000,
      httpPort: 0,
      httpHost: '::1',
      hostNetns: 'ovf-lab-h1',
      dockerSocket: '/run/podman/podman.sock',
      logLevel: 'debug',
    });
  });

  it('turns the HTTP endpoint off with "off"', () => {
    expect(loadAgentSettings({ OVS_FLEET_AGENT_HTTP_PORT: 'off' }).httpPort).toBeNull();
  });

  it.each([
    ['OVS_FLEET_RECONCILE_INTERVAL_S', '0'],
    ['OVS_FLEET_RECONCILE_INTERVAL_S', '1.5'],
    ['OVS_FLEET_LINK_POLL_MS', '10'],
    ['OVS_FLEET_DRIFT_DEBOUNCE_MS', '-1'],
    ['OVS_FLEET_VSWITCHD_TIMEOUT_MS', 'soon'],
    ['OVS_FLEET_JOB_LOCK_MS', '999'],
    ['OVS_FLEET_JOB_STALLED_INTERVAL_MS', '1e3'],
    ['OVS_FLEET_AGENT_HTTP_PORT', '65536'],
    ['OVS_FLEET_AGENT_HTTP_HOST', 'a b'],
    ['OVS_FLEET_HOST_NETNS', 'a/b'],
    ['OVS_FLEET_DOCKER_SOCKET', 'relative.sock'],
    ['OVS_FLEET_LOG_LEVEL', 'loud'],
  ])('refuses %s=%j naming the variable', (variable, value) => {
    const load = () => loadAgentSettings({ [variable]: value });
    expect(load).toThrow(AgentConfigError);
    expect(load).toThrow(new RegExp(`^${variable}: "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  });
});
