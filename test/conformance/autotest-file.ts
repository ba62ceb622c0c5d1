/**
 * Reads test cases out of Open vSwitch's autotest files (tests/ovsdb-idl.at): the macros
 * the file defines (m4_define), the top-level invocations of them, and what each invocation
 * expands to: the AT_SETUP test groups of "leaf" macros, through the composite macros that
 * call them (OVSDB_CHECK_IDL calls OVSDB_CHECK_IDL_PY, OVSDB_CHECK_IDL_SSL_PY, ...).
 * Arguments come back with m4 quoting removed as m4 itself would (one level when collecting
 * arguments, one more where the macro body passes them to AT_CHECK), and autotest's
 * quadrigraphs decoded.
 */

export interface MacroCall {
  macro: string;
  line: number;
  args: string[];
}

export interface MacroDefinition {
  name: string;
  line: number;
  /** The body with the define's own quotes removed (inner quotes kept), as m4 stores it. */
  body: string;
}

/** One test group as autotest would run it. */
export interface TestGroup {
  /** AT_SETUP's title with the arguments substituted. */
  title: string;
  /** The macro whose body holds the AT_SETUP. */
  leaf: string;
  /** The arguments that macro received (unquoted twice, like findMacroCalls). */
  args: string[];
  /** The top-level call (or AT_SETUP block) it comes from. */
  topLevel: string;
  line: number;
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

const lineOf = (source: string, index: number): number => source.slice(0, index).split('\n').length;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The [start, end] offsets of every top-level m4_define(...) call. */
function definitionRanges(source: string): [number, number][] {
  const ranges: [number, number][] = [];
  const pattern = /^m4_define\(/gm;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const { end } = collectArgs(source, match.index + 'm4_define'.length);
    ranges.push([match.index, end]);
    pattern.lastIndex = end;
  }
  return ranges;
}

/** Every call at the start of a line of one of `macros` (exact names), outside m4_define bodies. */
export function findMacroCalls(source: string, macros: readonly string[]): MacroCall[] {
  const calls: MacroCall[] = [];
  if (macros.length === 0) return calls;
  const defined = definitionRanges(source);
  const pattern = new RegExp(`^(${macros.map(escapeRegExp).join('|')})\\(`, 'gm');
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const at = match.index;
    const inside = defined.find(([start, end]) => at > start && at < end);
    if (inside) {
      pattern.lastIndex = inside[1];
      continue;
    }
    const open = at + match[1].length;
    const { args, end } = collectArgs(source, open);
    calls.push({
      macro: match[1],
      line: lineOf(source, at),
      args: args.map((arg) => decodeQuadrigraphs(unquoteM4(unquoteM4(arg)))),
    });
    pattern.lastIndex = end;
  }
  return calls;
}

/** The macros a file defines at top level, by name. */
export function findMacroDefinitions(source: string): Map<string, MacroDefinition> {
  const definitions = new Map<string, MacroDefinition>();
  for (const [start] of definitionRanges(source)) {
    const { args } = collectArgs(source, start + 'm4_define'.length);
    const name = unquoteM4(args[0]).trim();
    definitions.set(name, { name, line: lineOf(source, start), body: unquoteM4(args[1] ?? '') });
  }
  return definitions;
}

/** m4's $N and $@ in a macro body, for text that is not passed on quoted. */
function substitute(text: string, args: readonly string[]): string {
  return text.replace(/\$(\d)/g, (_, n: string) => (n === '0' ? '' : (args[Number(n) - 1] ?? '')));
}

/** Calls of `names` anywhere in `text` (not only at line starts), with their raw arguments. */
function callsIn(text: string, names: ReadonlySet<string>): { name: string; rawArgs: string[] }[] {
  const found: { name: string; rawArgs: string[] }[] = [];
  const pattern = /\b([A-Z][A-Z0-9_]*)\(/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (!names.has(match[1])) continue;
    const { args, end } = collectArgs(text, match.index + match[1].length);
    found.push({ name: match[1], rawArgs: args });
    pattern.lastIndex = end;
  }
  return found;
}

/**
 * What a call of `name` with `args` runs: the AT_SETUP groups of its body, or of the macros
 * its body calls. Arguments are passed on as m4 does for the forms ovsdb-idl.at uses:
 * `$@` (all of them) or one quoted argument each (`[$1]`, `[]`, `[notify $4]`).
 */
function expand(name: string, args: readonly string[], definitions: ReadonlyMap<string, MacroDefinition>, topLevel: string, line: number, depth = 0): TestGroup[] {
  if (depth > 10) throw new Error(`macro ${name} expands too deep`);
  const body = definitions.get(name)!.body;
  const setup = /\bAT_SETUP\(/.exec(body);
  if (setup) {
    const { args: setupArgs } = collectArgs(body, setup.index + 'AT_SETUP'.length);
    const title = decodeQuadrigraphs(unquoteM4(substitute(setupArgs[0], args))).trim();
    return [{ title, leaf: name, args: [...args], topLevel, line }];
  }
  const names = new Set(definitions.keys());
  return callsIn(body, names).flatMap((call) => {
    const passed = call.rawArgs.length === 1 && call.rawArgs[0].trim() === '$@' ? [...args] : call.rawArgs.map((raw) => substitute(unquoteM4(raw), args));
    return expand(call.name, passed, definitions, topLevel, line, depth + 1);
  });
}

/**
 * Every test group of an autotest file, in file order: each top-level call of a macro the
 * file defines, expanded, and each top-level AT_SETUP block (leaf `AT_SETUP`, no arguments).
 */
export function findTestGroups(source: string): TestGroup[] {
  const definitions = findMacroDefinitions(source);
  const names = [...definitions.keys()].filter((name) => /^[A-Z]/.test(name));
  const groups = findMacroCalls(source, [...names, 'AT_SETUP']).flatMap((call): (TestGroup & { at: number })[] => {
    if (call.macro === 'AT_SETUP') return [{ title: call.args[0].trim(), leaf: 'AT_SETUP', args: [], topLevel: 'AT_SETUP', line: call.line, at: call.line }];
    return expand(call.macro, call.args, definitions, call.macro, call.line).map((group) => ({ ...group, at: call.line }));
  });
  return groups.map(({ at: _at, ...group }) => group);
}
