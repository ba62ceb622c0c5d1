/**
 * Where `nest build APP` writes an app's entry file, worked out from nest-cli.json and the
 * app's tsconfig (outDir, and rootDir from the tsconfig it extends): the path an image's CMD
 * and the systemd unit's ExecStart must name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

interface TsConfig {
  extends?: string;
  compilerOptions?: { outDir?: string; rootDir?: string };
}

interface NestCli {
  projects: Record<string, { type: string; sourceRoot: string; entryFile: string; compilerOptions?: { tsConfigPath?: string } }>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** An option of a tsconfig or of the one it extends, resolved against the file that sets it. */
function pathOption(file: string, option: 'outDir' | 'rootDir'): string | undefined {
  const config = readJson<TsConfig>(file);
  const value = config.compilerOptions?.[option];
  if (value !== undefined) return resolve(dirname(file), value);
  return config.extends ? pathOption(resolve(dirname(file), config.extends), option) : undefined;
}

export interface NestEntry {
  /** The app's entry source, relative to the repository root: apps/agent/src/main.ts. */
  source: string;
  /** What nest build makes of it, relative to the repository root: dist/apps/agent/src/main.js. */
  output: string;
}

export function nestEntry(root: string, app: string): NestEntry {
  const project = readJson<NestCli>(join(root, 'nest-cli.json')).projects[app];
  if (project?.type !== 'application') throw new Error(`nest-cli.json has no application "${app}"`);
  const tsconfig = join(root, project.compilerOptions?.tsConfigPath ?? 'tsconfig.json');
  const outDir = pathOption(tsconfig, 'outDir');
  const rootDir = pathOption(tsconfig, 'rootDir');
  if (outDir === undefined || rootDir === undefined) throw new Error(`${relative(root, tsconfig)}: outDir and rootDir must be set (here or in the tsconfig it extends)`);
  const source = join(root, project.sourceRoot, `${project.entryFile}.ts`);
  if (!existsSync(source)) throw new Error(`nest-cli.json: the entry file of "${app}", ${relative(root, source)}, does not exist`);
  const output = join(outDir, relative(rootDir, source)).replace(/\.ts$/, '.js');
  return { source: relative(root, source), output: relative(root, output) };
}
