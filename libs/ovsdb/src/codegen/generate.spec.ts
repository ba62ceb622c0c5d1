import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSchema } from '../protocol/wire';
import { generateSchemaModule, pascalCase, typeName } from './generate';

const GENERATED = join(__dirname, '..', 'schemas', 'generated');

describe('checked-in generated schemas cannot drift', () => {
  it.each([
    ['/usr/share/openvswitch/vswitch.ovsschema', 'open-vswitch.ts'],
    ['/var/cache/ovs-fleet/openvswitch/ovsdb/_server.ovsschema', 'server.ts'],
  ])('%s regenerates to %s byte for byte', (schemaPath, file) => {
    const doc = JSON.parse(readFileSync(schemaPath, 'utf8')) as DatabaseSchema;
    const expected = readFileSync(join(GENERATED, file), 'utf8');
    expect(generateSchemaModule(doc, { source: schemaPath.split('/').pop(), libraryImport: '../..' })).toBe(expected);
  });
});

describe('generateSchemaModule', () => {
  const doc: DatabaseSchema = {
    name: 'My_db',
    version: '1.2.3',
    tables: {
      sFlow: {
        columns: {
          mode: { type: { key: { type: 'string', enum: ['set', ['a', 'b']] }, min: 0, max: 1 } },
          targets: { type: { key: 'string', min: 1, max: 'unlimited' } },
          peer: { type: { key: { type: 'uuid', refTable: 'sFlow' }, min: 0, max: 'unlimited' } },
          counters: { type: { key: 'integer', value: 'real', min: 0, max: 'unlimited' } },
        },
      },
    },
  };
  const source = generateSchemaModule(doc, { source: 'my.ovsschema' });

  it('imports the library by its files inside this repository, by its public API from a package', () => {
    expect(source).toContain(`import type { DatabaseSchema } from '../../protocol/wire';\nimport type { TableRef } from '../../schema/table-ref';\nimport type { UuidRef } from '../../data/typed-value';\n`);
    const packaged = generateSchemaModule(doc, { libraryImport: '@ovs-fleet/ovsdb' });
    expect(packaged).toContain(`import type { DatabaseSchema, TableRef, UuidRef } from '@ovs-fleet/ovsdb';\n\nexport const`);
    expect(packaged).not.toMatch(/from '@ovs-fleet\/ovsdb\//);
  });

  it('types columns per the value model', () => {
    expect(source).toContain('export interface SFlow {');
    expect(source).toContain('  readonly mode: "a" | "b" | null;');
    expect(source).toContain('  readonly targets: readonly string[];');
    expect(source).toContain('  readonly peer: readonly string[];');
    expect(source).toContain('  readonly counters: ReadonlyMap<number, number>;');
    expect(source).toContain('  /** set of 0 or more uuid of sFlow (strong) */\n  readonly peer: readonly string[];');
    expect(source).toContain('  /** optional string */');
    expect(source).toContain('  peer?: readonly UuidRef[];');
  });

  it('emits the table ref, name union, tables map and the schema itself', () => {
    expect(source).toContain(`export const SFlow: TableRef<"sFlow", SFlow, SFlowWrite> = { name: "sFlow" };`);
    expect(source).toContain('export type MyDbTableName = "sFlow";');
    expect(source).toContain('  sFlow: SFlow;');
    expect(source).toContain(`export const MyDbSchema: DatabaseSchema = ${JSON.stringify(doc, null, 2)};`);
  });

  it('derives names', () => {
    expect(pascalCase('Open_vSwitch')).toBe('OpenVSwitch');
    expect(pascalCase('_Server')).toBe('Server');
    expect(typeName('sFlow')).toBe('SFlow');
  });
});
