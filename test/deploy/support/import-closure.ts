/**
 * The source files an entry point loads and the npm packages they import, found by following
 * its imports (relative paths and the tsconfig path aliases): what an app's image must hold.
 * Type-only imports are left out (they are erased when compiled).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export interface ImportClosure {
  /** Relative to the root, '/' separators, in the order found. */
  files: string[];
  /** npm package name -> the files importing it. */
  packages: Map<string, string[]>;
}

function specifiers(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function asFile(candidate: string): string | undefined {
  for (const path of [candidate, `${candidate}.ts`, join(candidate, 'index.ts')]) {
    if (existsSync(path) && statSync(path).isFile() && path.endsWith('.ts')) return path;
  }
  return undefined;
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);

/**
 * @param root the repository root
 * @param entry the entry file, relative to root
 * @param aliases tsconfig `paths` with one target each, relative to root (`@ovs-fleet/x/*` -> `libs/x/src/*`)
 */
export function importClosure(root: string, entry: string, aliases: Readonly<Record<string, string>>): ImportClosure {
  const seen = new Set<string>();
  const packages = new Map<string, string[]>();
  const queue = [resolve(root, entry)];
  const resolveAlias = (specifier: string): string | undefined => {
    for (const [alias, target] of Object.entries(aliases)) {
      if (alias === specifier) return resolve(root, target);
      if (alias.endsWith('/*') && specifier.startsWith(alias.slice(0, -1))) return resolve(root, target.replace('*', specifier.slice(alias.length - 1)));
    }
    return undefined;
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    const rel = relative(root, file).split('\\').join('/');
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const specifier of specifiers(file, readFileSync(file, 'utf8'))) {
      const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : resolveAlias(specifier);
      if (target !== undefined) {
        const found = asFile(target);
        if (found === undefined) throw new Error(`${rel}: cannot resolve "${specifier}" to a .ts file`);
        queue.push(found);
      } else if (!isBuiltin(specifier)) {
        const name = packageName(specifier);
        packages.set(name, [...(packages.get(name) ?? []), rel]);
      }
    }
  }
  return { files: [...seen], packages };
}
