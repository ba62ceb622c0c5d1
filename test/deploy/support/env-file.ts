/**
 * An environment file as both systemd (EnvironmentFile=) and podman/compose (--env-file,
 * env_file:) read it alike: KEY=VALUE lines with no quotes and no spaces (the two disagree on
 * quotes), comments and blank lines. A commented-out `# KEY=VALUE` line documents a variable
 * and its default.
 */

export interface EnvFile {
  /** KEY=VALUE lines. */
  assigned: Map<string, string>;
  /** `# KEY=VALUE` lines: documented, left at the default shown. */
  documented: Map<string, string>;
}

export class EnvFileError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'EnvFileError';
  }
}

const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)=(.*)$/;

export function parseEnvFile(text: string): EnvFile {
  const assigned = new Map<string, string>();
  const documented = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const commented = line.startsWith('#');
    const body = commented ? line.replace(/^#\s?/, '') : line;
    const match = ASSIGNMENT.exec(body);
    if (!match) {
      if (commented) return; // prose
      throw new EnvFileError(index + 1, `"${line}" is neither KEY=VALUE nor a comment`);
    }
    const [, key, value] = match;
    if (/[\s"'`$\\]/.test(value)) throw new EnvFileError(index + 1, `${key}: quotes, spaces, $ and \\ are read differently by systemd and podman; write the value bare`);
    const target = commented ? documented : assigned;
    if (assigned.has(key) || documented.has(key)) throw new EnvFileError(index + 1, `${key} is given twice`);
    target.set(key, value);
  });
  return { assigned, documented };
}
