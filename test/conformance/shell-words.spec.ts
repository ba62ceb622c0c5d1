import { shellWords } from './shell-words';

describe('shellWords', () => {
  it('splits quoted words and line continuations', () => {
    expect(shellWords(`'["idltest", {"a": 1}]' \\\n    'reconnect'`)).toEqual(['["idltest", {"a": 1}]', 'reconnect']);
    expect(shellWords(`set 1 s "¯\\_(ツ)_/¯"`)).toEqual(['set', '1', 's', '¯\\_(ツ)_/¯']);
    expect(shellWords(`a"b c"'d'`)).toEqual(['ab cd']);
    expect(shellWords(`  `)).toEqual([]);
    expect(shellWords(`''`)).toEqual(['']);
    expect(shellWords(`?simple:a,b 'x'`)).toEqual(['?simple:a,b', 'x']);
  });

  it('refuses what needs a shell', () => {
    expect(() => shellWords('a | b')).toThrow(/not supported/);
    expect(() => shellWords('$X')).toThrow(/not supported/);
    expect(() => shellWords(`'open`)).toThrow(/unterminated/);
  });
});
