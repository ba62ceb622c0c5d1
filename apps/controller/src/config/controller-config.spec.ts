import { ConfigError, loadControllerConfig, parseTokens, sha256 } from './controller-config';

describe('controller config', () => {
  it('has defaults', () => {
    const config = loadControllerConfig({});
    expect(config).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', httpHost: '127.0.0.1', httpPort: 3000, httpBacklog: 4096, operationTimeoutS: 60, tokens: [] });
  });

  it('hashes plain tokens and accepts sha256 ones', () => {
    const tokens = parseTokens(`ops:admin:${'a'.repeat(20)},ci:provisioner:sha256:${sha256('b'.repeat(20)).toString('hex')}`);
    expect(tokens.map((t) => [t.name, t.role])).toEqual([['ops', 'admin'], ['ci', 'provisioner']]);
    expect(tokens[0].sha256.equals(sha256('a'.repeat(20)))).toBe(true);
    expect(tokens[1].sha256.equals(sha256('b'.repeat(20)))).toBe(true);
  });

  it.each([
    ['ops:root:' + 'a'.repeat(20), /role "root"/],
    ['ops:admin:short', /at least 16/],
    ['ops:admin:sha256:xyz', /64 hex/],
    [`ops:admin:${'a'.repeat(20)},ops:viewer:${'b'.repeat(20)}`, /twice/],
    [`o p:admin:${'a'.repeat(20)}`, /name must be/],
  ])('refuses OVS_FLEET_TOKENS=%s', (raw, message) => {
    expect(() => parseTokens(raw)).toThrow(ConfigError);
    expect(() => parseTokens(raw)).toThrow(message);
  });

  it.each([
    [{ OVS_FLEET_HTTP_PORT: 'x' }, /OVS_FLEET_HTTP_PORT/],
    [{ OVS_FLEET_HTTP_BACKLOG: '0' }, /OVS_FLEET_HTTP_BACKLOG/],
    [{ OVS_FLEET_REDIS_URL: 'http://x' }, /OVS_FLEET_REDIS_URL/],
    [{ OVS_FLEET_OPERATION_TIMEOUT_S: '0' }, /OVS_FLEET_OPERATION_TIMEOUT_S/],
    [{ OVS_FLEET_LOG_LEVEL: 'loud' }, /OVS_FLEET_LOG_LEVEL/],
  ])('names the variable that is wrong: %j', (env, message) => {
    expect(() => loadControllerConfig(env)).toThrow(message);
  });
});
