/**
 * A systemd unit file read into sections and settings, for checks that
 * `systemd-analyze verify` does not make (what the settings are, not only that they parse).
 */

export type UnitFile = Map<string, Map<string, string[]>>;

export class UnitFileError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'UnitFileError';
  }
}

export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | null = null;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index].trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]) ?? new Map<string, string[]>();
      unit.set(header[1], section);
      continue;
    }
    const start = index + 1;
    while (line.endsWith('\\') && index + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++index].trim()}`;
    const setting = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(line);
    if (!setting) throw new UnitFileError(start, `"${line}" is not KEY=VALUE`);
    if (section === null) throw new UnitFileError(start, `${setting[1]} comes before any [Section]`);
    section.set(setting[1], [...(section.get(setting[1]) ?? []), setting[2]]);
  }
  return unit;
}

/** The value of a setting given once (the last one wins, as systemd reads it); undefined when absent. */
export function setting(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** A list setting (After=, Wants=, CapabilityBoundingSet=...): the words of every line, in order. */
export function words(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section)?.get(key) ?? []).flatMap((value) => value.split(/\s+/).filter(Boolean));
}

/** A systemd time span ("90s", "1min 30s", "2min", a bare number of seconds) in seconds. */
export function timeSpanSeconds(value: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };
  let total = 0;
  const parts = value.trim().split(/\s+/);
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(part);
    const factor = match ? (match[2] === '' ? 1 : units[match[2]]) : undefined;
    if (!match || factor === undefined) throw new Error(`"${value}" is not a time span this reader knows (s, min, h, ms)`);
    total += Number(match[1]) * factor;
  }
  return total;
}
