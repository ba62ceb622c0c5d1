import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { DatabaseSchema } from '@ovs-fleet/ovsdb';
import { generateSchemaModule } from '../src/codegen/generate';

/** The library's source, which generated files inside this repository import from. */
const LIBRARY_SOURCE = resolve(__dirname, '..', 'src');

const USAGE = `usage: ovsdb:codegen SCHEMA.ovsschema OUT.ts [--import=SPECIFIER]
  --import  how the generated file imports this library (default: a relative path to
            libs/ovsdb/src; e.g. --import=@ovs-fleet/ovsdb outside this repository)\n`;

/** The schema code generator's command line: tsx libs/ovsdb/tools/codegen-cli.ts SCHEMA.ovsschema OUT.ts [--import=SPECIFIER] */
function main(argv: string[]): void {
  const importFlag = argv.find((arg) => arg.startsWith('--import='));
  const paths = argv.filter((arg) => !arg.startsWith('--'));
  if (paths.length !== 2 || argv.length !== paths.length + (importFlag ? 1 : 0)) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const [schemaPath, outPath] = paths;
  const doc = JSON.parse(readFileSync(schemaPath, 'utf8')) as DatabaseSchema;
  let libraryImport = importFlag?.slice('--import='.length);
  if (libraryImport === undefined) {
    libraryImport = relative(dirname(resolve(outPath)), LIBRARY_SOURCE).split('\\').join('/');
    if (!libraryImport.startsWith('.')) libraryImport = `./${libraryImport}`;
  }
  writeFileSync(outPath, generateSchemaModule(doc, { source: basename(schemaPath), libraryImport }));
  process.stdout.write(`wrote ${outPath}\n`);
}

main(process.argv.slice(2));
