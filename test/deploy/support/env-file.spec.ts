import { EnvFileError, parseEnvFile } from './env-file';

describe('parseEnvFile', () => {
  it('tells assigned variables from documented defaults and prose', () => {
    const file = parseEnvFile('# The host.\nOVS_FLEET_HOST_ID=h1\n\n# OVS_FLEET_LINK_POLL_MS=1000\n#OVS_FLEET_EMPTY=\n# Prose: a=b is not a variable.\n');
    expect(file.assigned).toEqual(new Map([['OVS_FLEET_HOST_ID', 'h1']]));
    expect(file.documented).toEqual(new Map([['OVS_FLEET_LINK_POLL_MS', '1000'], ['OVS_FLEET_EMPTY', '']]));
  });

  it.each([
    ['A=1\nnot an assignment\n', /line 2: "not an assignment" is neither KEY=VALUE nor a comment/],
    ['A="quoted"\n', /line 1: A: quotes/],
    ['A=two words\n', /line 1: A: quotes, spaces/],
    ['A=1\n# A=2\n', /line 2: A is given twice/],
  ])('refuses %j naming the line', (text, message) => {
    expect(() => parseEnvFile(text)).toThrow(EnvFileError);
    expect(() => parseEnvFile(text)).toThrow(message);
  });
});
