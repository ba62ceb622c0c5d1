import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { DatabaseSchema } from '../protocol/wire';
import { generateSchemaModule } from './generate';

/** Usage: tsx libs/ovsdb/src/codegen/cli.ts SCHEMA.ovsschema OUT.ts */
function main(argv: string[]): void {
  if (argv.length !== 2) {
    process.stderr.write('usage: ovsdb:codegen SCHEMA.ovsschema OUT.ts\n');
    process.exitCode = 2;
    return;
  }
  const [schemaPath, outPath] = argv;
  const doc = JSON.parse(readFileSync(schemaPath, 'utf8')) as DatabaseSchema;
  const libraryRoot = resolve(__dirname, '..');
  let libraryImport = relative(dirname(resolve(outPath)), libraryRoot).split('\\').join('/');
  if (!libraryImport.startsWith('.')) libraryImport = `./${libraryImport}`;
  writeFileSync(outPath, generateSchemaModule(doc, { source: basename(schemaPath), libraryImport }));
  process.stdout.write(`wrote ${outPath}\n`);
}

main(process.argv.slice(2));
