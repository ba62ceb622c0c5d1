/**
 * Reads test cases out of Open vSwitch's autotest files (tests/ovsdb-idl.at): finds the
 * top-level invocations of the given macros and returns their arguments with m4 quoting
 * removed as m4 itself would (one level when collecting arguments, one more where the
 * macro body passes them to AT_CHECK), and autotest's quadrigraphs decoded.
 */

export interface MacroCall {
  macro: string;
  line: number;
  args: string[];
}

const QUADRIGRAPHS: [RegExp, string][] = [
  [/@<:@/g, '['],
  [/@:>@/g, ']'],
  [/@S\|@/g, '$'],
  [/@%:@/g, '#'],
  [/@{:@/g, '('],
  [/@:}@/g, ')'],
  [/@&t@/g, ''],
];

/** Removes one level of m4 quotes ([ ]) from text, keeping nested ones. */
export function unquoteM4(text: string): string {
  let out = '';
  let depth = 0;
  for (const c of text) {
    if (c === '[') {
      if (depth++ > 0) out += c;
    } else if (c === ']') {
      if (--depth > 0) out += c;
      if (depth < 0) throw new Error(`unbalanced ']' in: ${text.slice(0, 80)}`);
    } else out += c;
  }
  if (depth !== 0) throw new Error(`unbalanced '[' in: ${text.slice(0, 80)}`);
  return out;
}

export function decodeQuadrigraphs(text: string): string {
  return QUADRIGRAPHS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

/** Collects the arguments of a macro call whose '(' is at `open`; returns them raw (still quoted) and the end index. */
function collectArgs(source: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let current = '';
  let quote = 0;
  let parens = 0;
  let leading = true;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (leading && quote === 0 && /\s/.test(c)) continue;
    leading = false;
    if (c === '[') quote++;
    else if (c === ']') quote--;
    if (quote === 0) {
      if (c === '(') parens++;
      else if (c === ')' && parens > 0) parens--;
      else if (c === ')') {
        args.push(current);
        return { args, end: i };
      } else if (c === ',' && parens === 0) {
        args.push(current);
        current = '';
        leading = true;
        continue;
      }
    }
    current += c;
  }
  throw new Error(`unterminated macro call at offset ${open}`);
}

/** Every call at the start of a line of one of `macros` (exact names). */
export function findMacroCalls(source: string, macros: readonly string[]): MacroCall[] {
  const calls: MacroCall[] = [];
  const pattern = new RegExp(`^(${macros.join('|')})\\(`, 'gm');
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const open = match.index + match[1].length;
    const { args, end } = collectArgs(source, open);
    calls.push({
      macro: match[1],
      line: source.slice(0, match.index).split('\n').length,
      args: args.map((arg) => decodeQuadrigraphs(unquoteM4(unquoteM4(arg)))),
    });
    pattern.lastIndex = end;
  }
  return calls;
}
