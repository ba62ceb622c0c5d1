import { timingSafeEqual } from 'node:crypto';
import { parseTokens, sha256 } from '../config/controller-config';
import { bearerToken, DigestComparator, TokenAuthenticator } from './token-authenticator';

const SECRETS = { ops: 'ops-secret-0123456789', ci: 'ci-secret-0123456789ab', dash: 'dash-secret-012345678' };
const tokens = parseTokens(`ops:admin:${SECRETS.ops},ci:provisioner:${SECRETS.ci},dash:viewer:sha256:${sha256(SECRETS.dash).toString('hex')}`);

function watched(): { compare: jest.Mock<boolean, Parameters<DigestComparator>>; authenticator: TokenAuthenticator } {
  const compare = jest.fn<boolean, Parameters<DigestComparator>>((a, b) => timingSafeEqual(a, b));
  return { compare, authenticator: new TokenAuthenticator({ tokens }, compare) };
}

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.DEF-123_~+/==', 'abc.DEF-123_~+/=='],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['Basic dXNlcjpwYXNz'],
    ['abc'],
    ['Bearer two words'],
    ['Bearer tok\u00e9n'],
    ['Bearer ab=c'],
    [`Bearer ${'a'.repeat(1025)}`],
  ])('refuses %j', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});

describe('TokenAuthenticator', () => {
  it.each([
    ['ops', 'admin'],
    ['ci', 'provisioner'],
    ['dash', 'viewer'],
  ] as const)('finds %s (%s), configured in clear or as sha256', (name, role) => {
    expect(watched().authenticator.authenticate(`Bearer ${SECRETS[name]}`)).toEqual({ name, role });
  });

  it('compares with every configured token, in constant time, even when the first matches', () => {
    const { compare, authenticator } = watched();
    expect(authenticator.authenticate(`Bearer ${SECRETS.ops}`)?.name).toBe('ops');
    expect(compare).toHaveBeenCalledTimes(tokens.length);
    expect(compare.mock.calls.map(([, configured]) => configured)).toEqual(tokens.map((token) => token.sha256));
    expect(compare.mock.calls.every(([presented]) => presented.equals(sha256(SECRETS.ops)))).toBe(true);
  });

  it('compares with every token when none matches', () => {
    const { compare, authenticator } = watched();
    expect(authenticator.authenticate('Bearer not-a-configured-token-at-all')).toBeNull();
    expect(compare).toHaveBeenCalledTimes(tokens.length);
  });

  it.each([[undefined], [''], ['Bearer'], [`Basic ${SECRETS.ops}`], [SECRETS.ops], [`Bearer ${SECRETS.ops}x`], [`Bearer ${SECRETS.ops.slice(1)}`]])(
    'refuses %j without a valid token',
    (header) => {
      expect(watched().authenticator.authenticate(header)).toBeNull();
    },
  );

  it('never matches the sha256 itself presented as a token', () => {
    expect(watched().authenticator.authenticate(`Bearer ${sha256(SECRETS.dash).toString('hex')}`)).toBeNull();
  });

  it('knows nobody when no token is configured', () => {
    expect(new TokenAuthenticator({ tokens: [] }).authenticate(`Bearer ${SECRETS.ops}`)).toBeNull();
  });
});
