import { decodeQuadrigraphs, findMacroCalls, unquoteM4 } from './autotest-file';

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
