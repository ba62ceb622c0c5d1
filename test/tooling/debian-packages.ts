/**
 * Which Debian package provides a program, and whether a fresh machine gets it: from the
 * bootstrap's PACKAGES list (with the packages apt installs along: Depends and Pre-Depends),
 * from the bootstrap's "command -v X || install P" fallbacks, or from Debian's base system
 * (Priority required or important, or Essential: yes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface Bootstrap {
  /** The PACKAGES=( ... ) list. */
  packages: string[];
  /** `command -v PROGRAM >/dev/null || missing+=(PACKAGE)`: PROGRAM -> PACKAGE. */
  fallbacks: Map<string, string>;
}

/** Reads scripts/bootstrap.sh's PACKAGES array and its command -v fallbacks. */
export function parseBootstrap(text: string): Bootstrap {
  const block = /^PACKAGES=\(([\s\S]*?)^\)/m.exec(text);
  if (!block) throw new Error('no PACKAGES=( ... ) list in the bootstrap script');
  const packages = block[1]
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(/\s+/))
    .filter((word) => word !== '');
  const fallbacks = new Map<string, string>();
  for (const m of text.matchAll(/command -v\s+(\S+)\s*>\s*\/dev\/null\s*\|\|\s*missing\+=\(\s*([^)\s]+)\s*\)/g)) fallbacks.set(m[1], m[2]);
  return { packages, fallbacks };
}

export interface InstalledPackage {
  name: string;
  priority: string;
  essential: boolean;
  /** Depends and Pre-Depends: each entry a list of alternatives (package names, versions and archs dropped). */
  depends: string[][];
  provides: string[];
}

const names = (field: string): string[][] =>
  field
    .split(',')
    .map((group) => group.split('|').map((alt) => alt.trim().replace(/\s*\(.*\)$/, '').replace(/:\S+$/, '')).filter((alt) => alt !== ''))
    .filter((group) => group.length > 0);

/** Parses `dpkg-query -W -f='${binary:Package}\t${Status}\t${Priority}\t${Essential}\t${Pre-Depends}\t${Depends}\t${Provides}\n'`; installed packages only. */
export function parseInstalled(text: string): Map<string, InstalledPackage> {
  const db = new Map<string, InstalledPackage>();
  for (const line of text.split('\n')) {
    const [pkg, status, priority, essential, preDepends, depends, provides] = line.split('\t');
    if (!pkg || status !== 'install ok installed') continue;
    const name = pkg.replace(/:\S+$/, '');
    db.set(name, { name, priority: priority ?? '', essential: essential === 'yes', depends: [...names(preDepends ?? ''), ...names(depends ?? '')], provides: names(provides ?? '').flat() });
  }
  return db;
}

/** `roots` and everything apt installs with them (for an alternative: the installed ones; for a virtual package: its installed providers). */
export function dependencyClosure(roots: readonly string[], db: ReadonlyMap<string, InstalledPackage>): Map<string, string> {
  const providers = new Map<string, string[]>();
  for (const p of db.values()) for (const v of p.provides) providers.set(v, [...(providers.get(v) ?? []), p.name]);
  /** package -> the root it came with */
  const via = new Map<string, string>();
  const queue: [string, string][] = roots.map((r) => [r, r]);
  while (queue.length > 0) {
    const [name, root] = queue.shift()!;
    if (via.has(name)) continue;
    via.set(name, root);
    for (const group of db.get(name)?.depends ?? []) {
      for (const alt of group) for (const found of db.has(alt) ? [alt] : providers.get(alt) ?? []) queue.push([found, root]);
    }
  }
  return via;
}

export const isBaseSystem = (p: InstalledPackage | undefined): boolean => p !== undefined && (p.essential || p.priority === 'required' || p.priority === 'important');

/** Where a fresh Debian root finds programs (no /usr/local, no pyenv or nvm shims). */
export const SYSTEM_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The same file under the merged-/usr layout: dpkg knows /bin/ps while the shell finds /usr/bin/ps. */
export function pathAliases(path: string): string[] {
  const out = [path];
  const merged = /^\/usr\/(s?bin|lib)\//.exec(path);
  if (merged) out.push(path.slice(4));
  else if (/^\/(s?bin|lib)\//.test(path)) out.push(`/usr${path}`);
  return out;
}

export function findOnSystemPath(program: string): string | undefined {
  if (program.startsWith('/')) return existsSync(program) ? program : undefined;
  return SYSTEM_PATH.map((dir) => join(dir, program)).find((file) => existsSync(file));
}

/** Candidate paths for dpkg -S: the path, its merged-/usr alias, and the same for the file a symlink leads to. */
export function ownerCandidates(path: string): string[] {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // not there
  }
  return [...new Set([...pathAliases(path), ...pathAliases(real)])];
}

/** `dpkg -S` for many paths at once: path -> owning packages. */
export function owners(paths: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  if (paths.length === 0) return found;
  const { stdout } = spawnSync('dpkg', ['-S', ...paths], { encoding: 'utf8' });
  for (const line of stdout.split('\n')) {
    const m = /^([^:]+(?::[a-z0-9]+)?(?:, [^:]+(?::[a-z0-9]+)?)*): (\/.*)$/.exec(line);
    if (!m || line.startsWith('diversion by')) continue;
    found.set(m[2], m[1].split(', ').map((p) => p.replace(/:\S+$/, '')));
  }
  return found;
}

export function installedPackages(): Map<string, InstalledPackage> {
  const { stdout, status } = spawnSync('dpkg-query', ['-W', '-f=${binary:Package}\t${Status}\t${Priority}\t${Essential}\t${Pre-Depends}\t${Depends}\t${Provides}\n'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (status !== 0) throw new Error('dpkg-query -W failed');
  return parseInstalled(stdout);
}
