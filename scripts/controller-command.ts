/**
 * How the controller runs from source: package.json's `controller` script,
 * `node [OPTIONS] apps/controller/src/main.ts`, is the one place its Node.js options are
 * written (its V8 young generation, sized for request bursts: README, Controller figures).
 * Tests, benchmarks and the demo start the controller with these options, and the image runs
 * the built controller with the same runtime flags (test/deploy checks its CMD).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ControllerCommand {
  /** Everything between `node` and the entry: runtime flags and the TypeScript loader (`-r @swc-node/register`). */
  options: string[];
  /** The entry, from the repository's root. */
  entry: string;
}

export function controllerCommand(repoRoot: string): ControllerCommand {
  const script = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.controller;
  const words = script?.trim().split(/\s+/) ?? [];
  if (words.length < 2 || words[0] !== 'node' || !words[words.length - 1].endsWith('.ts')) {
    throw new Error(`package.json scripts.controller must be "node [OPTIONS] ENTRY.ts", not ${JSON.stringify(script)}`);
  }
  return { options: words.slice(1, -1), entry: words[words.length - 1] };
}

/** The options that tune the runtime (`--flag[=value]`): what a built controller runs with too. The loader (`-r MODULE`) is left out. */
export function runtimeFlags(options: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < options.length; i++) {
    if (options[i] === '-r' || options[i] === '--require') i++;
    else if (options[i].startsWith('--')) flags.push(options[i]);
    else throw new Error(`package.json scripts.controller: ${options[i]} is neither a --flag nor -r MODULE`);
  }
  return flags;
}
