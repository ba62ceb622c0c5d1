import { decodeQuadrigraphs, findMacroCalls, findMacroDefinitions, findTestGroups, unquoteM4 } from './autotest-file';

describe('autotest file reader', () => {
  it('removes one level of m4 quotes', () => {
    expect(unquoteM4('[a [b] c]')).toBe('a [b] c');
    expect(unquoteM4('x')).toBe('x');
    expect(() => unquoteM4('[a')).toThrow(/unbalanced/);
  });

  it('decodes quadrigraphs', () => {
    expect(decodeQuadrigraphs('@<:@1@:>@ @S|@x @%:@')).toBe('[1] $x #');
  });

  it('finds top-level calls and unquotes their arguments twice', () => {
    const source = [
      'm4_define([CHECK],',
      '  [CHECK_INNER([$1])])',
      '',
      'CHECK([title, with comma],',
      "  [[\"a\", [1]]],",
      '  [],',
      '  [[000: ia=[1 2 3]',
      '001: done',
      ']])',
      '',
      'CHECK([second], [x], [y])',
    ].join('\n');
    const calls = findMacroCalls(source, ['CHECK']);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({ macro: 'CHECK', line: 4, args: ['title, with comma', '"a", [1]', '', '000: ia=[1 2 3]\n001: done\n'] });
    expect(calls[1].args).toEqual(['second', 'x', 'y']);
  });
});

describe('test groups of an autotest file', () => {
  const source = [
    'm4_define([CHECK_C],',
    '  [AT_SETUP([$1 - C])',
    '   AT_CHECK([run $2])',
    '   AT_CLEANUP])',
    'm4_define([CHECK_PY],',
    '  [AT_SETUP([$1 - Python3])',
    '   AT_CHECK([run.py $2], [0], [$3])',
    '   AT_CLEANUP])',
    'm4_define([CHECK_BOTH],',
    '  [CHECK_C($@)',
    '   CHECK_PY($@)])',
    'm4_define([CHECK_NOTE],',
    '  [CHECK_PY([$1], [note $2], [$3])])',
    '',
    'CHECK_BOTH([first], [[a [1]]], [[out]])',
    'CHECK_NOTE([second], [b], [x])',
    'AT_SETUP([plain block])',
    'AT_CHECK([true])',
    'AT_CLEANUP',
  ].join('\n');

  it('finds the definitions', () => {
    const definitions = findMacroDefinitions(source);
    expect([...definitions.keys()]).toEqual(['CHECK_C', 'CHECK_PY', 'CHECK_BOTH', 'CHECK_NOTE']);
    expect(definitions.get('CHECK_BOTH')!.body).toBe('CHECK_C($@)\n   CHECK_PY($@)');
  });

  it('expands composite macros into the groups of their leaf macros, arguments passed as m4 does', () => {
    const groups = findTestGroups(source);
    expect(groups.map((g) => [g.title, g.leaf, g.topLevel])).toEqual([
      ['first - C', 'CHECK_C', 'CHECK_BOTH'],
      ['first - Python3', 'CHECK_PY', 'CHECK_BOTH'],
      ['second - Python3', 'CHECK_PY', 'CHECK_NOTE'],
      ['plain block', 'AT_SETUP', 'AT_SETUP'],
    ]);
    expect(groups[1].args).toEqual(['first', 'a [1]', 'out']);
    expect(groups[2].args).toEqual(['second', 'note b', 'x']);
  });

  it('does not take calls inside a definition for top-level ones', () => {
    expect(findMacroCalls('m4_define([X],\n[\nCHECK_PY([inner])])\nCHECK_PY([outer])', ['CHECK_PY']).map((c) => c.args[0])).toEqual(['outer']);
  });
});
