/** update_condition of test-ovsdb.py over OvsdbIdl.setConditions. */
import type { OvsdbIdl, WireCondition } from '@ovs-fleet/ovsdb';
import { DriverExit } from './idl-set';
import { pad } from './printer';

/**
 * The conditions the IDL monitors with, and whether a change is one: like Python's
 * cond_change, an empty condition means "no rows" ([false]) and setting the condition the
 * table already has changes nothing ("conditions unchanged").
 */
export class Conditions {
  private readonly latest = new Map<string, string>();
  readonly values: Record<string, WireCondition[]> = {};

  change(table: string, cond: WireCondition[]): boolean {
    const normalized: WireCondition[] = cond.length === 0 ? [false] : cond;
    const key = JSON.stringify(normalized);
    if ((this.latest.get(table) ?? '[true]') === key) return false;
    this.latest.set(table, key);
    this.values[table] = normalized;
    return true;
  }
}

/** `condition TABLE JSON[;TABLE JSON...]` */
export function parseCondition(command: string): [string, WireCondition[]][] {
  return command
    .slice('condition '.length)
    .split(';')
    .map((part) => {
      const words = part.split(' ');
      if (words.length !== 2) throw new DriverExit(`Error parsing condition ${JSON.stringify(words)}\n`);
      return [words[0], JSON.parse(words[1]) as WireCondition[]];
    });
}

/** Prints each table's "change conditions" / "conditions unchanged" at `step`; returns what changed. */
export function updateCondition(conditions: Conditions, command: string, step: number, out: (line: string) => void): [string, WireCondition[]][] {
  const parsed = parseCondition(command);
  for (const [table, cond] of parsed) out(`${pad(step)}: ${table}: ${conditions.change(table, cond) ? 'change conditions' : 'conditions unchanged'}`);
  return parsed;
}

/** Sends the new conditions of these tables to the server (monitor_cond_change). */
export async function sendConditions(idl: OvsdbIdl, conditions: Conditions, tables: readonly string[]): Promise<void> {
  for (const table of tables) await idl.setConditions(table, conditions.values[table] ?? [true]);
}
