/**
 * A Containerfile (Dockerfile syntax) read into its stages and instructions, enough to check
 * it without building it: base images with the global ARG defaults substituted, COPY sources,
 * exec-form commands.
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  /** The `AS name`, if any. */
  name: string | null;
  /** The base image with the global ARG defaults substituted. */
  image: string;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface Containerfile {
  /** ARGs declared before the first FROM, with their defaults ('' when none). */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export class ContainerfileError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'ContainerfileError';
  }
}

function logicalLines(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    // Comment lines may sit inside a continued instruction too: both are dropped.
    if (line.startsWith('#') || (line === '' && pending === null)) continue;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending ??= { parts: [], line: index + 1 };
    if (part !== '') pending.parts.push(part);
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/.exec(pending.parts.join(' '));
    if (match) out.push({ keyword: match[1].toUpperCase(), args: match[2], line: pending.line });
    pending = null;
  }
  if (pending !== null) throw new ContainerfileError(pending.line, 'the last instruction ends with a line continuation');
  return out;
}

function substitute(value: string, args: ReadonlyMap<string, string>, line: number): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const found = args.get(name);
    if (found === undefined || found === '') throw new ContainerfileError(line, `$${name} has no default in a global ARG`);
    return found;
  });
}

const unquote = (value: string): string => value.replace(/^(["'])(.*)\1$/, '$2');

export function parseContainerfile(text: string): Containerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of logicalLines(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--platform='));
      if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === 'AS')) {
        throw new ContainerfileError(instruction.line, `FROM ${instruction.args}: expected IMAGE [AS NAME]`);
      }
      stages.push({ name: words[2] ?? null, image: substitute(words[0], globalArgs, instruction.line), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new ContainerfileError(instruction.line, `${instruction.keyword} before the first FROM (only ARG may be there)`);
      const [name, ...value] = instruction.args.split('=');
      globalArgs.set(name.trim(), unquote(value.join('=').trim()));
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new ContainerfileError(1, 'no FROM');
  return { globalArgs, stages };
}

export interface CopyInstruction {
  /** The stage named by --from=, or null for the build context. */
  from: string | null;
  sources: string[];
  destination: string;
  line: number;
}

/** COPY and ADD, flags read, in shell form (the JSON form is not used in this project). */
export function copies(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
    .map((instruction) => {
      if (instruction.args.startsWith('[')) throw new ContainerfileError(instruction.line, 'COPY in JSON form: not read by this checker');
      const words = instruction.args.split(/\s+/);
      const flags = words.filter((word) => word.startsWith('--'));
      const paths = words.filter((word) => !word.startsWith('--'));
      if (paths.length < 2) throw new ContainerfileError(instruction.line, `${instruction.keyword} ${instruction.args}: expected SOURCE... DESTINATION`);
      const from = flags.find((flag) => flag.startsWith('--from='));
      return { from: from ? from.slice('--from='.length) : null, sources: paths.slice(0, -1), destination: paths[paths.length - 1], line: instruction.line };
    });
}

/** The exec (JSON array) form of CMD or ENTRYPOINT; a shell form is an error (signals would reach a shell, not node). */
export function execForm(instruction: Instruction): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(instruction.args);
  } catch {
    throw new ContainerfileError(instruction.line, `${instruction.keyword} ${instruction.args}: not in exec form (a JSON array)`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((word) => typeof word === 'string')) {
    throw new ContainerfileError(instruction.line, `${instruction.keyword}: expected a non-empty JSON array of strings`);
  }
  return parsed as string[];
}

/** The last instruction with this keyword in the stage, if any. */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).pop();
}
