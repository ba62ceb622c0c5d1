/**
 * Finds the external programs a project starts, from its source text alone:
 *
 * - TypeScript/JavaScript: the program argument of child_process's execFile, execFileSync,
 *   spawn, spawnSync (exec/execSync: the shell string is scanned as shell), of configured
 *   "seed" functions (e.g. a spawner whose execFile is hidden in a worker's source string), of
 *   any value annotated with a configured runner type (`runner(file, args)`,
 *   `runner.prepare(file, args)`), and of every wrapper found on the way: a named function
 *   whose parameter becomes the program is a runner too, and its callers are scanned in turn
 *   (imports, re-exports and tsconfig path aliases are followed).
 * - Shell scripts: every simple command, command substitutions included; a function that
 *   runs `"$@"` (after N `shift`s) runs its arguments from position N.
 * - Python: subprocess.run/call/check_call/check_output/Popen with a literal argument list.
 *
 * Launchers are looked through: `nsenter [options] [--] PROG`, `ip [-n NS] netns exec NS PROG`,
 * `npx BIN` (reported as node_modules/.bin/BIN), `env`, `setsid`, `nohup`, `timeout`,
 * `sh|bash -c 'literal'`.
 *
 * Nothing is silently missed: a program that is not a literal and cannot be worked out
 * (a constant, a path.join of constants, a parameter followed to its callers, an element of
 * an array, `process.execPath`...) is reported as a dynamic site, to be resolved or listed with
 * a reason by the caller; so is a runner function used as a value.
 */
import { posix } from 'node:path';
import * as ts from 'typescript';

export interface SourceText {
  /** Relative to the repository root, with '/' separators. */
  path: string;
  text: string;
}

export interface ProgramUse {
  /** A command name (`ip`), a path (`/bin/busybox`, `libs/ovsdb/test-driver`), or node_modules/.bin/NAME. */
  program: string;
  file: string;
  line: number;
}

export interface DynamicSite {
  file: string;
  line: number;
  /** The named declarations around the site, outermost first: `defaultRunner > prepare`. */
  context: string;
  /** What starts the program, and the expression that names it: `run(file)`, `"$CMD"`. */
  call: string;
  reason: string;
}

export interface ScanResult {
  uses: ProgramUse[];
  dynamic: DynamicSite[];
}

/** A function that starts the program given as argument `program` (its arguments in `args`). */
export interface RunnerSeed {
  file: string;
  name: string;
  program: number;
  args?: number;
}

/** Values annotated with this type name start the program in argument `program` when called (and so do their `members`). */
export interface RunnerType {
  name: string;
  program: number;
  args?: number;
  members?: string[];
}

export interface ScanOptions {
  seeds?: RunnerSeed[];
  runnerTypes?: RunnerType[];
  /** tsconfig `paths`, one target each: `{ '@x/lib': 'libs/lib/src/index.ts', '@x/lib/*': 'libs/lib/src/*' }`. */
  paths?: Record<string, string>;
}

/** Marks the unknown parts of a string (template substitutions, shell expansions). */
export const HOLE = '\u0000';

// ---------------------------------------------------------------------------------------
// Launchers: programs that start the program named in their arguments.

export type Arg = string | { unknown: string; rest?: boolean };

interface Nested {
  program?: string;
  /** Set when the launched program cannot be told. */
  unknown?: string;
  /** Programs of a literal `sh -c` string. */
  shell?: string;
}

const NSENTER_VALUE_OPTIONS = new Set(['-t', '--target', '-S', '--setuid', '-G', '--setgid']);
const NPX_VALUE_OPTIONS = new Set(['-p', '--package', '-w', '--workspace']);
const TIMEOUT_VALUE_OPTIONS = new Set(['-s', '--signal', '-k', '--kill-after']);

const isUnknown = (arg: Arg | undefined): arg is { unknown: string; rest?: boolean } => typeof arg === 'object';
const known = (arg: Arg | undefined): string | undefined => (typeof arg === 'string' && !arg.includes(HOLE) ? arg : undefined);

/** The first operand after options; `valueOptions` take the next argument. `skip` operands are passed over first. */
function operand(args: readonly Arg[], valueOptions: ReadonlySet<string>, skip = 0, assignments = false): Nested | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (isUnknown(arg)) return { unknown: arg.unknown };
    if (arg === '--') return pick(args[i + 1]);
    if (arg.startsWith('-') && skip === 0) {
      if (valueOptions.has(arg)) i++;
      continue;
    }
    if (assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    return pick(arg);
  }
  return undefined;
}

function pick(arg: Arg | undefined): Nested | undefined {
  if (arg === undefined) return undefined;
  const name = known(arg);
  return name === undefined ? { unknown: isUnknown(arg) ? arg.unknown : arg.replaceAll(HOLE, '…') } : { program: name };
}

/** What `program args...` itself starts, if it is a launcher. */
export function launched(program: string, args: readonly Arg[]): Nested | undefined {
  switch (posix.basename(program)) {
    case 'nsenter':
      return operand(args, NSENTER_VALUE_OPTIONS);
    case 'env':
      return operand(args, new Set(['-u', '--unset', '-C', '--chdir']), 0, true);
    case 'setsid':
    case 'nohup':
      return operand(args, new Set());
    case 'timeout':
      return operand(args, TIMEOUT_VALUE_OPTIONS, 1);
    case 'npx': {
      const bin = operand(args, NPX_VALUE_OPTIONS);
      if (args.some((a) => a === '-c' || a === '--call')) return { unknown: 'npx -c COMMAND' };
      return bin?.program === undefined ? bin : { program: `node_modules/.bin/${bin.program}` };
    }
    case 'sh':
    case 'bash':
    case 'dash': {
      const c = args.indexOf('-c');
      if (c < 0) return undefined;
      const script = known(args[c + 1]);
      return script === undefined ? { unknown: `${program} -c …` } : { shell: script };
    }
    case 'ip': {
      for (let i = 0; i + 1 < args.length; i++) {
        if (args[i] === 'netns' && typeof args[i + 1] === 'string' && /^e(x(e(c)?)?)?$/.test(args[i + 1] as string)) {
          const all = args.slice(0, i).some((a) => a === '-all' || a === '-a');
          const at = i + 2 + (all ? 0 : 1);
          // The namespace may be unknown, but it must be one argument to tell where the program is.
          if (args.slice(i + 2, at).some((a) => isUnknown(a) && a.rest)) return { unknown: 'ip netns exec …' };
          return pick(args[at]) ?? { unknown: 'ip netns exec without a program' };
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Records `program` and whatever it launches, recursively. */
function recordWithLaunched(program: string, args: readonly Arg[], use: (program: string) => void, unknown: (what: string) => void, depth = 0): void {
  use(program);
  if (depth > 5) return;
  const nested = launched(program, args);
  if (!nested) return;
  if (nested.unknown !== undefined) return unknown(`${posix.basename(program)}: ${nested.unknown}`);
  if (nested.shell !== undefined) {
    for (const command of withoutCasePatterns(shellCommands(nested.shell).commands)) {
      const [first, ...rest] = command.words;
      if (first && !first.text.includes(HOLE) && !SHELL_BUILTINS.has(first.text)) recordWithLaunched(first.text, rest.map((w) => w.text), use, unknown, depth + 1);
    }
    return;
  }
  if (nested.program !== undefined) {
    const at = args.findIndex((a) => a === nested.program || `node_modules/.bin/${a}` === nested.program);
    recordWithLaunched(nested.program, at < 0 ? [] : args.slice(at + 1), use, unknown, depth + 1);
  }
}

// ---------------------------------------------------------------------------------------
// Shell

interface ShellWord {
  /** Quotes removed, expansions replaced by HOLE. */
  text: string;
  raw: string;
  funcdef?: boolean;
}

interface ShellCommand {
  words: ShellWord[];
  line: number;
  /** What ended it: ')' ends a case pattern. */
  end?: string;
}

const SHELL_BUILTINS = new Set(
  ('alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export false fc fg ' +
    'getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend ' +
    'test times trap true type typeset ulimit umask unalias unset wait [ [[ ]] : .').split(' '),
);
const SHELL_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', 'time', '{', '}', 'esac']);

/** Splits shell text into simple commands (command substitutions included, as commands of their own). */
function shellCommands(text: string): { commands: ShellCommand[] } {
  const commands: ShellCommand[] = [];
  let i = 0;
  let line = 1;
  const heredocs: { delimiter: string; strip: boolean }[] = [];

  const skipHeredocs = () => {
    while (heredocs.length > 0) {
      const { delimiter, strip } = heredocs.shift()!;
      for (;;) {
        if (i >= text.length) return;
        const end = text.indexOf('\n', i);
        const current = text.slice(i, end < 0 ? text.length : end);
        i = end < 0 ? text.length : end + 1;
        line++;
        if ((strip ? current.replace(/^\t+/, '') : current) === delimiter) break;
      }
    }
  };

  /** Up to `stop` (')' or '`') or the end; returns after the stop character. */
  const list = (stop?: string): void => {
    let words: ShellWord[] = [];
    let word: ShellWord | undefined;
    let startLine = line;
    let discardNext = false;
    const endWord = () => {
      if (word) {
        if (discardNext) discardNext = false;
        else words.push(word);
      }
      word = undefined;
    };
    const endCommand = (end?: string) => {
      endWord();
      if (words.length > 0) commands.push({ words, line: startLine, end });
      words = [];
      discardNext = false;
      startLine = line;
    };
    const add = (text: string, raw: string) => {
      word ??= { text: '', raw: '' };
      word.text += text;
      word.raw += raw;
    };
    /** `$...` at i (i points at '$'); returns the raw text consumed. */
    const dollar = (): string => {
      const start = i;
      const next = text[i + 1];
      if (next === '(' && text[i + 2] === '(') {
        let depth = 0;
        for (i += 1; i < text.length; i++) {
          if (text[i] === '(') depth++;
          else if (text[i] === ')' && --depth === 0) break;
        }
        i++;
      } else if (next === '(') {
        i += 2;
        list(')');
      } else if (next === '{') {
        let depth = 0;
        for (i += 1; i < text.length; i++) {
          if (text[i] === '{') depth++;
          else if (text[i] === '}' && --depth === 0) break;
        }
        i++;
      } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
        for (i += 1; i < text.length && /[A-Za-z0-9_]/.test(text[i]); i++);
      } else if (next !== undefined && /[@*#?$!0-9-]/.test(next)) {
        i += 2;
      } else {
        i++;
        return '$';
      }
      return text.slice(start, i);
    };

    while (i < text.length) {
      const c = text[i];
      if (stop !== undefined && c === stop && (stop !== ')' || !word || !word.raw.endsWith('='))) {
        i++;
        endCommand();
        return;
      }
      if (c === '\\' && text[i + 1] === '\n') {
        i += 2;
        line++;
      } else if (c === '\\') {
        add(text[i + 1] ?? '', text.slice(i, i + 2));
        i += 2;
      } else if (c === ' ' || c === '\t') {
        endWord();
        i++;
      } else if (c === '\n') {
        i++;
        line++;
        endCommand();
        skipHeredocs();
        startLine = line;
      } else if (c === '#' && !word) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === ';' && (text[i + 1] === ';' || text[i + 1] === '&')) {
        // the end of a case branch: the next command is a pattern
        i += text[i + 2] === '&' ? 3 : 2;
        endCommand();
        commands.push({ words: [{ text: ';;', raw: ';;' }], line });
      } else if (c === ';' || c === '|' || (c === '&' && text[i + 1] !== '>')) {
        i += text[i + 1] === c ? 2 : 1;
        endCommand();
      } else if (c === '(' && /^\(\s*\)/.test(text.slice(i)) && (word ?? words.at(-1)) && /^[A-Za-z_][\w-]*$/.test((word ?? words.at(-1))!.raw)) {
        // a function definition: NAME() or NAME ()
        endWord();
        words.at(-1)!.funcdef = true;
        i = text.indexOf(')', i) + 1;
      } else if (c === '(' && word && word.raw.endsWith('=')) {
        // an array assignment: NAME=( words... ), comments allowed inside
        let depth = 0;
        for (; i < text.length; i++) {
          if (text[i] === '#' && /\s/.test(text[i - 1])) while (i < text.length && text[i + 1] !== '\n') i++;
          else if (text[i] === '\n') line++;
          else if (text[i] === '(') depth++;
          else if (text[i] === ')' && --depth === 0) break;
        }
        i++;
        add(HOLE, '(…)');
      } else if (c === '(' || c === ')') {
        i++;
        endCommand(c);
      } else if (c === '<' || c === '>' || (c === '&' && text[i + 1] === '>')) {
        if (word && /^\d+$/.test(word.raw)) word = undefined;
        else endWord();
        const op = /^(<<<|<<-|<<|>>|>&|<&|&>>|&>|>\||<>|<|>)/.exec(text.slice(i))![0];
        i += op.length;
        if (op === '<<' || op === '<<-') {
          while (text[i] === ' ') i++;
          const m = /^(['"]?)([^\s'"]+)\1/.exec(text.slice(i));
          if (m) {
            heredocs.push({ delimiter: m[2], strip: op === '<<-' });
            i += m[0].length;
          }
        } else {
          discardNext = true;
        }
      } else if (c === "'") {
        const end = text.indexOf("'", i + 1);
        const body = text.slice(i + 1, end < 0 ? text.length : end);
        line += body.split('\n').length - 1;
        add(body, text.slice(i, end + 1));
        i = end < 0 ? text.length : end + 1;
        word ??= { text: '', raw: "''" };
      } else if (c === '"') {
        const start = i;
        let body = '';
        word ??= { text: '', raw: '' };
        for (i++; i < text.length && text[i] !== '"'; ) {
          if (text[i] === '\\' && i + 1 < text.length) {
            body += text[i + 1];
            i += 2;
          } else if (text[i] === '$') {
            const raw = dollar();
            body += raw === '$' ? '$' : HOLE;
          } else if (text[i] === '`') {
            i++;
            list('`');
            body += HOLE;
          } else {
            if (text[i] === '\n') line++;
            body += text[i++];
          }
        }
        i++;
        add(body, text.slice(start, i));
      } else if (c === '$') {
        const raw = dollar();
        add(raw === '$' ? '$' : HOLE, raw);
      } else if (c === '`') {
        const start = i++;
        list('`');
        add(HOLE, text.slice(start, i));
      } else {
        add(c, c);
        i++;
      }
    }
    endCommand();
  };
  list();
  return { commands };
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const RUN_ARGUMENTS = new Set(['"$@"', '$@', '"${@}"', '${@}']);

/** The command's words after assignments and keywords; undefined when it runs nothing (for, case, an assignment). */
function commandWords(words: ShellWord[]): ShellWord[] | undefined {
  let at = 0;
  for (;;) {
    const w = words[at];
    if (w === undefined) return undefined;
    if (ASSIGNMENT.test(w.raw)) at++;
    else if (w.raw === 'for' || w.raw === 'select' || w.raw === 'case' || w.raw === 'in') return undefined;
    else if (w.raw === 'function') at += 2;
    else if (SHELL_KEYWORDS.has(w.raw)) at++;
    else return words.slice(at);
  }
}

/** Drops case patterns and markers (`case WORD in`, `PATTERN)`, `;;`, `esac`), and marks `function NAME` definitions. */
function withoutCasePatterns(commands: ShellCommand[]): ShellCommand[] {
  const out: ShellCommand[] = [];
  const cases: ('pattern' | 'body')[] = [];
  for (const command of commands) {
    const first = command.words[0]?.raw;
    if (first === 'case') {
      cases.push('pattern');
      continue;
    }
    if (first === 'esac' && cases.length > 0) {
      cases.pop();
      continue;
    }
    if (first === ';;') {
      if (cases.length > 0) cases[cases.length - 1] = 'pattern';
      continue;
    }
    if (cases.at(-1) === 'pattern') {
      // a pattern may have alternatives (a|b), split like a pipeline: it ends at ')'
      if (command.end === ')') cases[cases.length - 1] = 'body';
      continue;
    }
    if (first === 'function' && command.words[1]) {
      command.words[1].funcdef = true;
      out.push({ ...command, words: command.words.slice(1) });
      continue;
    }
    out.push(command);
  }
  return out;
}

export function scanShell(file: SourceText): ScanResult {
  const commands = withoutCasePatterns(shellCommands(file.text).commands);
  const uses: ProgramUse[] = [];
  const dynamic: DynamicSite[] = [];

  // Functions, and for those that run their arguments ("$@"), how many they shift away first.
  const functions = new Map<string, number | undefined>();
  const inWrapper = new Set<ShellCommand>();
  let current: { name: string; depth: number; shifts: number; body: ShellCommand[] } | undefined;
  for (const command of commands) {
    const words = command.words;
    const def = words.findIndex((w) => w.funcdef);
    if (def >= 0) {
      functions.set(words[def].raw, undefined);
      current = { name: words[def].raw, depth: 0, shifts: 0, body: [] };
    }
    if (!current) continue;
    for (const w of words) {
      if (w.raw === '{') current.depth++;
      if (w.raw === '}') current.depth--;
    }
    const cw = commandWords(words.filter((w) => !w.funcdef));
    if (cw?.[0]?.raw === 'shift') current.shifts += Number(cw[1]?.raw ?? 1) || 1;
    if (cw && RUN_ARGUMENTS.has(cw[0]?.raw ?? '')) {
      functions.set(current.name, current.shifts);
      inWrapper.add(command);
    }
    if (current.depth <= 0 && words.some((w) => w.raw === '}')) current = undefined;
  }

  const process = (command: ShellCommand, words: ShellWord[]): void => {
    const [first, ...rest] = words;
    if (!first) return;
    const site = (reason: string): void => void dynamic.push({ file: file.path, line: command.line, context: '', call: first.raw, reason });
    if (functions.has(first.text)) {
      const offset = functions.get(first.text);
      if (offset !== undefined) process(command, rest.slice(offset));
      return;
    }
    if (first.text === 'exec' || first.text === 'command') {
      if (first.text === 'command' && rest[0]?.text.startsWith('-')) return; // command -v: a lookup
      return process(command, rest);
    }
    if (first.text === 'eval') return site('eval runs a string built at run time');
    if (SHELL_BUILTINS.has(first.text)) return;
    if (first.text.includes(HOLE)) {
      if (inWrapper.has(command) && RUN_ARGUMENTS.has(first.raw)) return;
      return site('the command name is an expansion');
    }
    recordWithLaunched(
      first.text,
      rest.map((w) => w.text),
      (program) => uses.push({ program, file: file.path, line: command.line }),
      (what) => site(`the launched program is not a literal (${what})`),
    );
  };
  for (const command of commands) {
    const words = commandWords(command.words.filter((w) => !w.funcdef));
    if (words) process(command, words);
  }
  return { uses, dynamic };
}

export function isShellScript(path: string, text: string): boolean {
  return path.endsWith('.sh') || /^#!\s*(\/usr)?\/bin\/(env\s+)?(ba|da)?sh\b/.test(text);
}

// ---------------------------------------------------------------------------------------
// Python

export function scanPython(file: SourceText): ScanResult {
  const uses: ProgramUse[] = [];
  const dynamic: DynamicSite[] = [];
  const lineOf = (index: number) => file.text.slice(0, index).split('\n').length;
  for (const m of file.text.matchAll(/\b(subprocess\.(?:run|call|check_call|check_output|Popen)|os\.(?:system|popen|exec\w*|spawn\w*))\(\s*(\[\s*(["'])([^"'\n]+)\3)?/g)) {
    if (m[4] !== undefined && m[1].startsWith('subprocess')) uses.push({ program: m[4], file: file.path, line: lineOf(m.index) });
    else dynamic.push({ file: file.path, line: lineOf(m.index), context: '', call: m[0].trim(), reason: 'not a literal argument list' });
  }
  return { uses, dynamic };
}

// ---------------------------------------------------------------------------------------
// TypeScript / JavaScript

type FunctionLike = ts.FunctionLikeDeclaration;

interface FileInfo {
  path: string;
  source: ts.SourceFile;
}

interface Ctx {
  file: FileInfo;
  /** Set while following a call into a function: its parameters' arguments at that call. */
  bindings?: Map<ts.ParameterDeclaration, Item>;
  depth: number;
}

type Value = { kind: 'str'; s: string } | { kind: 'param'; fn: FunctionLike; index: number; element?: number } | { kind: 'unknown'; text: string };
type Item = { kind: 'expr'; node: ts.Expression; ctx: Ctx } | { kind: 'rest'; text: string; param?: { fn: FunctionLike; index: number } };

interface Spec {
  program: number;
  /** The program is this element of the argument (an array such as `[file, ...args]`). */
  element?: number;
  args?: number;
  /** The argument is a shell command string (exec, execSync). */
  shell?: boolean;
  /** fork(): the program is node itself. */
  node?: boolean;
}

const CHILD_PROCESS: Record<string, Spec> = {
  execFile: { program: 0, args: 1 },
  execFileSync: { program: 0, args: 1 },
  spawn: { program: 0, args: 1 },
  spawnSync: { program: 0, args: 1 },
  exec: { program: 0, shell: true },
  execSync: { program: 0, shell: true },
  fork: { program: 0, node: true },
};
const CHILD_PROCESS_MODULES = new Set(['child_process', 'node:child_process']);
const PATH_MODULES = new Set(['path', 'node:path']);
const MAX_DEPTH = 12;
const MAX_ALTERNATIVES = 32;

const lineOf = (node: ts.Node) => node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;

function strip(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) node = node.expression;
  return node;
}

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
}

function bindsName(name: ts.BindingName, wanted: string): boolean {
  if (ts.isIdentifier(name)) return name.text === wanted;
  return name.elements.some((e) => !ts.isOmittedExpression(e) && bindsName(e.name, wanted));
}

type Decl =
  | { kind: 'param'; fn: FunctionLike; index: number; decl: ts.ParameterDeclaration }
  | { kind: 'var'; decl: ts.VariableDeclaration; isConst: boolean }
  | { kind: 'element'; decl: ts.VariableDeclaration; index: number; rest: boolean; property?: string }
  | { kind: 'function'; node: ts.FunctionDeclaration }
  | { kind: 'class'; node: ts.ClassDeclaration }
  | { kind: 'import'; module: string; name: string /* '*' for a namespace, 'default' */ }
  | { kind: 'opaque' };

/** Scanner state over all files of a project. */
class TsProject {
  private readonly files = new Map<string, FileInfo>();
  readonly runners = new Map<string, Spec>();
  private changed = false;
  private uses: ProgramUse[] = [];
  private dynamic: DynamicSite[] = [];

  constructor(
    sources: readonly SourceText[],
    private readonly options: ScanOptions,
  ) {
    for (const s of sources) {
      const kind = s.path.endsWith('.ts') ? ts.ScriptKind.TS : s.path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.JS;
      this.files.set(s.path, { path: s.path, source: ts.createSourceFile(s.path, s.text, ts.ScriptTarget.Latest, true, kind) });
    }
    for (const [name, spec] of Object.entries(CHILD_PROCESS)) this.runners.set(`node:child_process#${name}`, spec);
    for (const seed of options.seeds ?? []) this.runners.set(`${seed.file}#${seed.name}`, { program: seed.program, args: seed.args });
  }

  scan(): ScanResult {
    for (let pass = 0; pass < 20; pass++) {
      this.changed = false;
      this.uses = [];
      this.dynamic = [];
      for (const file of this.files.values()) this.visit(file, file.source);
      if (!this.changed) break;
    }
    return { uses: this.uses, dynamic: this.dynamic };
  }

  // --- modules -------------------------------------------------------------------------

  private resolveModule(from: string, spec: string): string | undefined {
    let base: string | undefined;
    if (spec.startsWith('.')) base = posix.join(posix.dirname(from), spec);
    else {
      for (const [pattern, target] of Object.entries(this.options.paths ?? {})) {
        if (pattern === spec) base = target;
        else if (pattern.endsWith('/*') && spec.startsWith(pattern.slice(0, -1))) base = target.replace('*', spec.slice(pattern.length - 1));
      }
    }
    if (base === undefined) return undefined;
    for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`]) if (this.files.has(candidate)) return candidate;
    return undefined;
  }

  /** The declaration an exported name of a file stands for: `{file, name}` of a top-level declaration. */
  private resolveExport(path: string, name: string, seen = new Set<string>()): { file: FileInfo; name: string } | undefined {
    const file = this.files.get(path);
    if (!file || seen.has(`${path}#${name}`)) return undefined;
    seen.add(`${path}#${name}`);
    for (const st of file.source.statements) {
      if (ts.isExportDeclaration(st)) {
        const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? this.resolveModule(path, st.moduleSpecifier.text) : undefined;
        if (!st.exportClause && from) {
          const found = this.resolveExport(from, name, seen);
          if (found) return found;
        } else if (st.exportClause && ts.isNamedExports(st.exportClause)) {
          for (const el of st.exportClause.elements) {
            if (el.name.text !== name) continue;
            const original = (el.propertyName ?? el.name).text;
            return from ? this.resolveExport(from, original, seen) : this.resolveExport(path, original, seen) ?? { file, name: original };
          }
        }
      }
    }
    if (this.topLevel(file, name)) return { file, name };
    return undefined;
  }

  private topLevel(file: FileInfo, name: string): boolean {
    return file.source.statements.some(
      (st) =>
        ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === name) ||
        (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => bindsName(d.name, name))),
    );
  }

  // --- names ---------------------------------------------------------------------------

  private resolveIdentifier(id: ts.Identifier): Decl | undefined {
    const name = id.text;
    for (let node: ts.Node | undefined = id.parent; node; node = node.parent) {
      if (isFunctionLike(node)) {
        const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
        if (index >= 0) return { kind: 'param', fn: node, index, decl: node.parameters[index] };
        if (node.parameters.some((p) => !ts.isIdentifier(p.name) && bindsName(p.name, name))) return { kind: 'opaque' };
      }
      if ((ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isForStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
        if (node.initializer.declarations.some((d) => bindsName(d.name, name))) return { kind: 'opaque' };
      }
      if (ts.isCatchClause(node) && node.variableDeclaration && bindsName(node.variableDeclaration.name, name)) return { kind: 'opaque' };
      const statements = ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) ? node.statements : undefined;
      if (!statements) continue;
      for (const st of statements) {
        if (ts.isVariableStatement(st)) {
          const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
          for (const d of st.declarationList.declarations) {
            if (ts.isIdentifier(d.name) && d.name.text === name) return { kind: 'var', decl: d, isConst };
            if (!ts.isIdentifier(d.name) && bindsName(d.name, name)) {
              if (ts.isArrayBindingPattern(d.name)) {
                const index = d.name.elements.findIndex((e) => !ts.isOmittedExpression(e) && ts.isIdentifier(e.name) && e.name.text === name);
                const el = d.name.elements[index];
                if (index >= 0 && el && !ts.isOmittedExpression(el)) return { kind: 'element', decl: d, index, rest: el.dotDotDotToken !== undefined };
              } else {
                const el = d.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name);
                if (el && !el.dotDotDotToken) return { kind: 'element', decl: d, index: -1, rest: false, property: (el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : name) };
              }
              return { kind: 'opaque' };
            }
          }
        } else if (ts.isFunctionDeclaration(st) && st.name?.text === name) {
          return { kind: 'function', node: st };
        } else if (ts.isClassDeclaration(st) && st.name?.text === name) {
          return { kind: 'class', node: st };
        } else if (ts.isImportDeclaration(st) && st.importClause && ts.isStringLiteral(st.moduleSpecifier)) {
          const module = st.moduleSpecifier.text;
          const clause = st.importClause;
          if (clause.name?.text === name) return { kind: 'import', module, name: 'default' };
          if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings) && clause.namedBindings.name.text === name) return { kind: 'import', module, name: '*' };
          if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
            const el = clause.namedBindings.elements.find((e) => e.name.text === name);
            if (el) return { kind: 'import', module, name: (el.propertyName ?? el.name).text };
          }
        } else if (ts.isImportEqualsDeclaration(st) && st.name.text === name) {
          return { kind: 'opaque' };
        }
      }
    }
    return undefined;
  }

  /** `require('MODULE')` */
  private requiredModule(node: ts.Expression | undefined): string | undefined {
    if (!node) return undefined;
    node = strip(node);
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) return node.arguments[0].text;
    return undefined;
  }

  /** A module object: a namespace/default import or `require(...)`; `{file}` for a project module, `{external}` otherwise. */
  private moduleOf(id: ts.Identifier, file: FileInfo): { external: string } | { file: string } | undefined {
    const decl = this.resolveIdentifier(id);
    let module: string | undefined;
    if (decl?.kind === 'import' && (decl.name === '*' || decl.name === 'default')) module = decl.module;
    if (decl?.kind === 'var') module = this.requiredModule(decl.decl.initializer);
    if (module === undefined) return undefined;
    const resolved = this.resolveModule(file.path, module);
    return resolved ? { file: resolved } : { external: module };
  }

  /** The key of what an identifier names (`path#name`, `node:child_process#spawn`), for functions and constants. */
  private keyOf(id: ts.Identifier, file: FileInfo): string | undefined {
    const decl = this.resolveIdentifier(id);
    if (!decl) return undefined;
    switch (decl.kind) {
      case 'function':
      case 'var':
      case 'class':
        return `${file.path}#${id.text}`;
      case 'element': {
        const module = this.requiredModule(decl.decl.initializer);
        if (module !== undefined && decl.property) return this.exportKey(file, module, decl.property);
        return undefined;
      }
      case 'import':
        return decl.name === '*' || decl.name === 'default' ? undefined : this.exportKey(file, decl.module, decl.name);
      default:
        return undefined;
    }
  }

  private exportKey(file: FileInfo, module: string, name: string): string | undefined {
    if (CHILD_PROCESS_MODULES.has(module)) return `node:child_process#${name}`;
    const resolved = this.resolveModule(file.path, module);
    if (!resolved) return `${module}#${name}`;
    const found = this.resolveExport(resolved, name);
    return found ? `${found.file.path}#${found.name}` : undefined;
  }

  private typeAnnotationOf(decl: Decl | undefined): ts.TypeNode | undefined {
    if (decl?.kind === 'param') return decl.decl.type;
    if (decl?.kind === 'var') return decl.decl.type;
    return undefined;
  }

  private runnerType(type: ts.TypeNode | undefined): RunnerType | undefined {
    if (!type) return undefined;
    let found: RunnerType | undefined;
    const visit = (node: ts.Node) => {
      if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) found ??= this.options.runnerTypes?.find((t) => t.name === (node.typeName as ts.Identifier).text);
      ts.forEachChild(node, visit);
    };
    visit(type);
    return found;
  }

  /** What a callee starts: its runner spec, if it is a runner. */
  private calleeSpec(callee: ts.Expression, file: FileInfo): Spec | undefined {
    callee = strip(callee);
    if (ts.isIdentifier(callee)) {
      const key = this.keyOf(callee, file);
      if (key && this.runners.has(key)) return this.runners.get(key);
      const type = this.runnerType(this.typeAnnotationOf(this.resolveIdentifier(callee)));
      return type ? { program: type.program, args: type.args } : undefined;
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      const object = strip(callee.expression);
      if (ts.isIdentifier(object)) {
        const module = this.moduleOf(object, file);
        if (module && 'external' in module) return CHILD_PROCESS_MODULES.has(module.external) ? CHILD_PROCESS[name] : undefined;
        if (module && 'file' in module) {
          const found = this.resolveExport(module.file, name);
          return found ? this.runners.get(`${found.file.path}#${found.name}`) : undefined;
        }
        const type = this.runnerType(this.typeAnnotationOf(this.resolveIdentifier(object)));
        if (type?.members?.includes(name)) return { program: type.program, args: type.args };
      }
      if (object.kind === ts.SyntaxKind.ThisKeyword) {
        const cls = this.enclosingClass(callee);
        if (cls?.name) {
          const spec = this.runners.get(`${file.path}#${cls.name.text}.${name}`);
          if (spec) return spec;
          const type = this.runnerType(this.classPropertyType(cls, name));
          if (type) return { program: type.program, args: type.args };
        }
      }
      if (ts.isPropertyAccessExpression(object)) {
        // this.runner.prepare(...)
        const inner = object.expression.kind === ts.SyntaxKind.ThisKeyword ? this.enclosingClass(object) : undefined;
        const type = inner && this.runnerType(this.classPropertyType(inner, object.name.text));
        if (type?.members?.includes(name)) return { program: type.program, args: type.args };
      }
    }
    return undefined;
  }

  /** The declared type of a class property, parameter properties (`constructor(private x: T)`) included. */
  private classPropertyType(cls: ts.ClassLikeDeclaration, name: string): ts.TypeNode | undefined {
    for (const member of cls.members) {
      if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member.type;
      if (ts.isConstructorDeclaration(member)) {
        const param = member.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.getModifiers(p)?.length);
        if (param) return param.type;
      }
    }
    return undefined;
  }

  private enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) return n;
    return undefined;
  }

  /** The key under which a function's callers can be found, or undefined when they cannot (anonymous, a method). */
  private functionKey(fn: FunctionLike, file: FileInfo): string | undefined {
    if (ts.isFunctionDeclaration(fn) && fn.name) return `${file.path}#${fn.name.text}`;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return `${file.path}#${fn.parent.name.text}`;
    return undefined;
  }

  private context(node: ts.Node): string {
    const names: string[] = [];
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
      if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) names.unshift(n.name.text);
      else if ((ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isMethodDeclaration(n) || ts.isPropertyDeclaration(n)) && ts.isIdentifier(n.name)) names.unshift(n.name.text);
    }
    return names.join(' > ');
  }

  // --- values --------------------------------------------------------------------------

  /** The function a call goes to, when it is a plain function of the project (not a runner). */
  private callTarget(call: ts.CallExpression, ctx: Ctx): { fn: FunctionLike; file: FileInfo } | undefined {
    const callee = strip(call.expression);
    if (!ts.isIdentifier(callee)) return undefined;
    const decl = this.resolveIdentifier(callee);
    if (decl?.kind === 'function') return { fn: decl.node, file: ctx.file };
    if (decl?.kind === 'var' && decl.decl.initializer) {
      const init = strip(decl.decl.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { fn: init, file: ctx.file };
    }
    if (decl?.kind === 'import') {
      const resolved = this.resolveModule(ctx.file.path, decl.module);
      const found = resolved ? this.resolveExport(resolved, decl.name) : undefined;
      if (!found) return undefined;
      for (const st of found.file.source.statements) {
        if (ts.isFunctionDeclaration(st) && st.name?.text === found.name) return { fn: st, file: found.file };
        if (ts.isVariableStatement(st)) {
          for (const d of st.declarationList.declarations) {
            if (ts.isIdentifier(d.name) && d.name.text === found.name && d.initializer) {
              const init = strip(d.initializer);
              if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { fn: init, file: found.file };
            }
          }
        }
      }
    }
    return undefined;
  }

  /** The expressions a call into `fn` returns, each in a context binding its parameters to the call's arguments. */
  private returns(call: ts.CallExpression, target: { fn: FunctionLike; file: FileInfo }, ctx: Ctx): { node: ts.Expression; ctx: Ctx }[] {
    const bindings = new Map<ts.ParameterDeclaration, Item>();
    for (let i = 0; i < target.fn.parameters.length && i < call.arguments.length; i++) {
      if (call.arguments.slice(0, i + 1).some(ts.isSpreadElement)) break;
      bindings.set(target.fn.parameters[i], { kind: 'expr', node: call.arguments[i], ctx });
    }
    const inner: Ctx = { file: target.file, bindings, depth: ctx.depth + 1 };
    const body = target.fn.body;
    if (!body) return [];
    if (!ts.isBlock(body)) return [{ node: body, ctx: inner }];
    const found: { node: ts.Expression; ctx: Ctx }[] = [];
    const visit = (node: ts.Node) => {
      if (isFunctionLike(node)) return;
      if (ts.isReturnStatement(node) && node.expression) found.push({ node: node.expression, ctx: inner });
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
    return found;
  }

  private values(expr: ts.Expression, ctx: Ctx): Value[] {
    const node = strip(expr);
    const unknown = (): Value[] => [{ kind: 'unknown', text: node.getText().slice(0, 80) }];
    if (ctx.depth > MAX_DEPTH) return unknown();
    const deeper: Ctx = { ...ctx, depth: ctx.depth + 1 };
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ kind: 'str', s: node.text }];
    if (ts.isTemplateExpression(node)) {
      let s = node.head.text;
      for (const span of node.templateSpans) {
        const v = this.values(span.expression, deeper);
        s += (v.length === 1 && v[0].kind === 'str' ? v[0].s : HOLE) + span.literal.text;
      }
      return [{ kind: 'str', s }];
    }
    if (ts.isIdentifier(node)) {
      if (node.text === '__dirname') return [{ kind: 'str', s: posix.dirname(ctx.file.path) }];
      if (node.text === '__filename') return [{ kind: 'str', s: ctx.file.path }];
      const decl = this.resolveIdentifier(node);
      if (decl?.kind === 'param') {
        const bound = ctx.bindings?.get(decl.decl);
        if (bound) return this.itemValues(bound);
        if (ctx.bindings) return unknown(); // inside a followed call: an argument not given
        return [{ kind: 'param', fn: decl.fn, index: decl.index }];
      }
      if (decl?.kind === 'var' && decl.isConst && decl.decl.initializer) return this.values(decl.decl.initializer, { file: ctx.file, depth: ctx.depth + 1 });
      if (decl?.kind === 'element' && !decl.rest && decl.index >= 0 && decl.decl.initializer) return this.elementValues({ kind: 'expr', node: decl.decl.initializer, ctx: deeper }, decl.index);
      if (decl?.kind === 'import') {
        const resolved = this.resolveModule(ctx.file.path, decl.module);
        const found = resolved ? this.resolveExport(resolved, decl.name) : undefined;
        const init = found && this.constInitializer(found.file, found.name);
        if (found && init) return this.values(init, { file: found.file, depth: ctx.depth + 1 });
      }
      return unknown();
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && node.name.text === 'execPath') return [{ kind: 'str', s: 'node' }];
    if (ts.isConditionalExpression(node)) return [...this.values(node.whenTrue, deeper), ...this.values(node.whenFalse, deeper)];
    if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return [...this.values(node.left, deeper), ...this.values(node.right, deeper)];
    }
    if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression)) return this.elementValues({ kind: 'expr', node: node.expression, ctx: deeper }, Number(node.argumentExpression.text));
    if (ts.isCallExpression(node)) {
      if (this.isPathJoin(node.expression)) {
        const parts = node.arguments.map((a) => this.values(a, deeper));
        if (parts.every((p) => p.length === 1 && p[0].kind === 'str')) return [{ kind: 'str', s: posix.join(...parts.map((p) => (p[0] as { s: string }).s)) }];
        return unknown();
      }
      const target = this.callTarget(node, ctx);
      if (target) return this.returns(node, target, ctx).flatMap((r) => this.values(r.node, r.ctx));
    }
    return unknown();
  }

  private constInitializer(file: FileInfo, name: string): ts.Expression | undefined {
    for (const st of file.source.statements) {
      if (ts.isVariableStatement(st) && (st.declarationList.flags & ts.NodeFlags.Const) !== 0) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d.initializer;
      }
    }
    return undefined;
  }

  private isPathJoin(callee: ts.Expression): boolean {
    callee = strip(callee);
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (!name || (name.text !== 'join' && name.text !== 'resolve')) return false;
    if (ts.isIdentifier(callee)) {
      const decl = this.resolveIdentifier(callee);
      return decl?.kind === 'import' && PATH_MODULES.has(decl.module);
    }
    const object = strip((callee as ts.PropertyAccessExpression).expression);
    if (ts.isIdentifier(object)) {
      if (object.text === 'posix') return true;
      const decl = this.resolveIdentifier(object);
      return decl?.kind === 'import' && PATH_MODULES.has(decl.module);
    }
    return false;
  }

  private itemValues(item: Item): Value[] {
    if (item.kind === 'expr') return this.values(item.node, item.ctx);
    return [{ kind: 'unknown', text: item.text }];
  }

  /** Element `index` of an array-valued item, over its alternatives. */
  private elementValues(item: Item, index: number): Value[] {
    return this.itemAlternatives(item).flatMap((alt): Value[] => {
      for (let i = 0; i < alt.length; i++) {
        const el = alt[i];
        if (el.kind === 'rest') {
          if (i === 0 && el.param && index >= 0) return [{ kind: 'param', fn: el.param.fn, index: el.param.index, element: index }];
          return [{ kind: 'unknown', text: el.text }];
        }
        if (i === index) return this.itemValues(el);
      }
      return [{ kind: 'unknown', text: `element ${index} of a shorter array` }];
    });
  }

  private itemAlternatives(item: Item): Item[][] {
    return item.kind === 'expr' ? this.items(item.node, item.ctx) : [[item]];
  }

  /** The elements of an array-valued expression, as alternatives; `rest` stands for elements not known. */
  private items(expr: ts.Expression, ctx: Ctx): Item[][] {
    const node = strip(expr);
    const rest = (param?: { fn: FunctionLike; index: number }): Item[][] => [[{ kind: 'rest', text: node.getText().slice(0, 80), param }]];
    if (ctx.depth > MAX_DEPTH) return rest();
    const deeper: Ctx = { ...ctx, depth: ctx.depth + 1 };
    if (ts.isArrayLiteralExpression(node)) {
      let alts: Item[][] = [[]];
      for (const el of node.elements) {
        if (ts.isOmittedExpression(el)) continue;
        if (ts.isSpreadElement(el)) {
          const sub = this.items(el.expression, deeper);
          alts = alts.flatMap((a) => sub.map((s) => [...a, ...s])).slice(0, MAX_ALTERNATIVES);
        } else {
          alts = alts.map((a) => [...a, { kind: 'expr', node: el, ctx }]);
        }
      }
      return alts;
    }
    if (ts.isIdentifier(node)) {
      const decl = this.resolveIdentifier(node);
      if (decl?.kind === 'param') {
        const bound = ctx.bindings?.get(decl.decl);
        if (bound) return this.itemAlternatives(bound);
        return ctx.bindings ? rest() : rest({ fn: decl.fn, index: decl.index });
      }
      if (decl?.kind === 'var' && decl.decl.initializer) {
        const alts = this.items(decl.decl.initializer, deeper);
        // push/unshift/splice later add elements this does not know
        return this.isMutated(node.text, decl.decl) ? alts.map((a) => [...a, { kind: 'rest', text: `${node.text} (added to later)` }]) : alts;
      }
      return rest();
    }
    if (ts.isConditionalExpression(node)) return [...this.items(node.whenTrue, deeper), ...this.items(node.whenFalse, deeper)].slice(0, MAX_ALTERNATIVES);
    if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression)) {
      const index = Number(node.argumentExpression.text);
      return this.items(node.expression, deeper).flatMap((alt): Item[][] => {
        const before = alt.slice(0, index + 1);
        const el = alt[index];
        if (before.some((x) => x.kind === 'rest') || !el || el.kind === 'rest') return rest();
        return this.items(el.node, el.ctx);
      });
    }
    if (ts.isCallExpression(node)) {
      const target = this.callTarget(node, ctx);
      if (target) return this.returns(node, target, ctx).flatMap((r) => this.items(r.node, r.ctx)).slice(0, MAX_ALTERNATIVES);
    }
    return rest();
  }

  private isMutated(name: string, decl: ts.VariableDeclaration): boolean {
    let scope: ts.Node = decl;
    while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
    let mutated = false;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === name && /^(push|unshift|splice)$/.test(node.expression.name.text)) mutated = true;
      if (ts.isBinaryExpression(node) && ts.isElementAccessExpression(node.left) && ts.isIdentifier(node.left.expression) && node.left.expression.text === name) mutated = true;
      if (!mutated) ts.forEachChild(node, visit);
    };
    visit(scope);
    return mutated;
  }

  /** A call's arguments as alternatives of flat item lists (spread arguments expanded). */
  private argumentItems(call: ts.CallExpression, ctx: Ctx): Item[][] {
    let alts: Item[][] = [[]];
    for (const arg of call.arguments) {
      if (ts.isSpreadElement(arg)) {
        const sub = this.items(arg.expression, ctx);
        alts = alts.flatMap((a) => sub.map((s) => [...a, ...s])).slice(0, MAX_ALTERNATIVES);
      } else {
        alts = alts.map((a) => [...a, { kind: 'expr', node: arg, ctx }]);
      }
    }
    return alts;
  }

  /** An argument list item as launcher arguments (strings, or unknown). */
  private argValues(item: Item | undefined): Arg[][] {
    if (!item) return [[]];
    return this.itemAlternatives(item).map((alt) =>
      alt.map((el): Arg => {
        if (el.kind === 'rest') return { unknown: el.text, rest: true };
        const v = this.itemValues(el);
        return v.length === 1 && v[0].kind === 'str' ? v[0].s : { unknown: v.map((x) => (x.kind === 'unknown' ? x.text : '?')).join(' | ') };
      }),
    );
  }

  // --- the walk ------------------------------------------------------------------------

  private visit(file: FileInfo, node: ts.Node): void {
    if (ts.isTypeNode(node)) return;
    if (ts.isCallExpression(node)) {
      const spec = this.calleeSpec(node.expression, file);
      if (spec) this.analyzeCall(node, spec, { file, depth: 0 });
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) this.aliasRunner(node, file);
    if (ts.isIdentifier(node)) this.checkValueUse(node, file);
    ts.forEachChild(node, (child) => this.visit(file, child));
  }

  /** `const f = promisify(execFile)` or `const f = run`: f is the same runner. */
  private aliasRunner(decl: ts.VariableDeclaration, file: FileInfo): void {
    let init = strip(decl.initializer!);
    if (ts.isCallExpression(init) && init.arguments.length === 1) {
      const callee = strip(init.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (name === 'promisify') init = strip(init.arguments[0]);
    }
    if (!ts.isIdentifier(init)) return;
    const key = this.keyOf(init, file);
    const spec = key ? this.runners.get(key) : undefined;
    const own = `${file.path}#${(decl.name as ts.Identifier).text}`;
    if (spec && !this.runners.has(own)) {
      this.runners.set(own, spec);
      this.changed = true;
    }
  }

  /** A runner used other than by calling it (passed as a value): its calls cannot be followed. */
  private checkValueUse(id: ts.Identifier, file: FileInfo): void {
    const parent = id.parent;
    if (ts.isCallExpression(parent) && parent.expression === id) return;
    // The name of a declaration, member or property access, or an import/export specifier: not a use.
    if ((parent as { name?: ts.Node }).name === id || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return;
    if (ts.isBindingElement(parent) && parent.propertyName === id) return;
    if (ts.isVariableDeclaration(parent) && parent.initializer === id) return; // an alias (aliasRunner)
    if (ts.isCallExpression(parent) && ts.isVariableDeclaration(parent.parent) && /promisify$/.test(strip(parent.expression).getText())) return;
    const key = this.keyOf(id, file);
    if (!key || !this.runners.has(key)) return;
    this.dynamic.push({ file: file.path, line: lineOf(id), context: this.context(id), call: id.text, reason: 'a runner used as a value: the calls it makes cannot be followed' });
  }

  private analyzeCall(call: ts.CallExpression, spec: Spec, ctx: Ctx): void {
    const file = ctx.file;
    const calleeText = strip(call.expression).getText();
    const site = (expression: string, reason: string) =>
      this.dynamic.push({ file: file.path, line: lineOf(call), context: this.context(call), call: `${calleeText}(${expression})`, reason });
    const use = (program: string): void => void this.uses.push({ program, file: file.path, line: lineOf(call) });
    if (spec.node) return use('node');
    for (const alt of this.argumentItems(call, ctx)) {
      const item = alt[spec.program];
      const expression = item?.kind === 'expr' ? strip(item.node).getText().slice(0, 80) : item?.text ?? '';
      if (!item) {
        site(expression, 'no program argument');
        continue;
      }
      const values = spec.element === undefined ? this.itemValues(item) : this.elementValues(item, spec.element);
      for (const v of values) {
        if (v.kind === 'str' && !v.s.includes(HOLE)) {
          if (spec.shell) {
            for (const found of scanShell({ path: file.path, text: v.s }).uses) use(found.program);
            continue;
          }
          for (const args of spec.args === undefined ? [[]] : this.argValues(alt[spec.args])) {
            recordWithLaunched(v.s, args, use, (what) => site(expression, `the launched program is not a literal (${what})`));
          }
        } else if (v.kind === 'param') {
          this.propagate(v, alt, spec, ctx, site, expression);
        } else {
          site(expression, v.kind === 'str' ? 'the program is a string built at run time' : `the program is not a literal (${v.text})`);
        }
      }
    }
  }

  /** The program is a parameter of the enclosing function: that function is a runner, and its callers are scanned. */
  private propagate(v: Extract<Value, { kind: 'param' }>, alt: Item[], spec: Spec, ctx: Ctx, site: (e: string, r: string) => void, expression: string): void {
    const key = this.functionKey(v.fn, ctx.file);
    if (!key) return site(expression, 'the program is a parameter of an anonymous function or a method, whose callers cannot be followed');
    let args: number | undefined;
    const argsItem = spec.args === undefined ? undefined : alt[spec.args];
    if (argsItem?.kind === 'expr') {
      const a = strip(argsItem.node);
      const decl = ts.isIdentifier(a) ? this.resolveIdentifier(a) : undefined;
      if (decl?.kind === 'param' && decl.fn === v.fn) args = decl.index;
    }
    if (!this.runners.has(key)) {
      this.runners.set(key, { program: v.index, element: v.element, args });
      this.changed = true;
    }
  }
}

/** Scans TypeScript/JavaScript, shell and Python sources together (wrappers are followed across files). */
export function scanProject(sources: readonly SourceText[], options: ScanOptions = {}): ScanResult {
  const code = sources.filter((s) => /\.(ts|tsx|js|mjs|cjs)$/.test(s.path));
  const result = new TsProject(code, options).scan();
  for (const s of sources) {
    if (/\.(ts|tsx|js|mjs|cjs)$/.test(s.path)) continue;
    const part = s.path.endsWith('.py') ? scanPython(s) : isShellScript(s.path, s.text) ? scanShell(s) : undefined;
    if (part) {
      result.uses.push(...part.uses);
      result.dynamic.push(...part.dynamic);
    }
  }
  return result;
}
