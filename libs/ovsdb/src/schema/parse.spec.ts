import { readFileSync } from 'node:fs';
import type { ColumnType, DatabaseSchema } from '../protocol/wire';
import { parseColumnType, parseSchema } from './parse';
import { OvsdbSchemaError } from './schema-error';

const VSWITCH = JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')) as DatabaseSchema;

describe('parseSchema on vswitch.ovsschema', () => {
  const meta = parseSchema(VSWITCH);

  it('keeps every table and column in schema order', () => {
    expect(meta.name).toBe('Open_vSwitch');
    expect([...meta.tables.keys()]).toEqual(Object.keys(VSWITCH.tables));
    for (const [name, table] of meta.tables) {
      expect(table.columns.map((c) => c.name)).toEqual(Object.keys(VSWITCH.tables[name].columns));
    }
  });

  it('normalizes types: defaults min=1 max=1, unlimited, kinds', () => {
    const bridge = meta.tables.get('Bridge')!;
    const name = bridge.columnsByName.get('name')!;
    expect(name.type).toMatchObject({ min: 1, max: 1, kind: 'atom', key: { type: 'string' } });
    expect(name.mutable).toBe(false);
    expect(bridge.columnsByName.get('ports')!.type).toMatchObject({ min: 0, max: Infinity, kind: 'set', key: { type: 'uuid', refTable: 'Port', refType: 'strong' } });
    expect(bridge.columnsByName.get('fail_mode')!.type.kind).toBe('optional');
    expect(bridge.columnsByName.get('other_config')!.type).toMatchObject({ kind: 'map', key: { type: 'string' }, value: { type: 'string' } });
    expect(bridge.columnsByName.get('datapath_id')!.ephemeral).toBe(true);
  });

  it('turns enums into sets, also a single-atom enum', () => {
    const failMode = meta.tables.get('Bridge')!.columnsByName.get('fail_mode')!;
    expect([...failMode.type.key.enum!]).toEqual(['standalone', 'secure']);
    const single = parseColumnType({ key: { type: 'string', enum: 'only' } });
    expect([...single.key.enum!]).toEqual(['only']);
  });

  it('keeps isRoot, maxRows, indexes and weak references', () => {
    const root = meta.tables.get('Open_vSwitch')!;
    expect(root.isRoot).toBe(true);
    expect(root.maxRows).toBe(1);
    expect(meta.tables.get('Bridge')!.indexes).toEqual([['name']]);
    expect(meta.tables.get('Port')!.isRoot).toBe(false);
    const weak = [...meta.tables.values()].flatMap((t) => t.columns).filter((c) => c.type.key.refType === 'weak' || c.type.value?.refType === 'weak');
    expect(weak.length).toBeGreaterThan(0);
  });
});

describe('parseColumnType (cases from OVS tests/ovsdb-types.at)', () => {
  it.each<[string, ColumnType]>([
    ['integer max below min', { key: { type: 'integer', minInteger: 5, maxInteger: 3 } }],
    ['real max below min', { key: { type: 'real', minReal: 555, maxReal: 444 } }],
    ['maxLength below minLength', { key: { type: 'string', minLength: 5, maxLength: 3 } }],
    ['negative maxLength', { key: { type: 'string', maxLength: -1 } }],
    ['refTable not an id', { key: { type: 'uuid', refTable: 'a-b-c' } }],
    ['void type', 'void' as never],
    ['missing key', { value: 'integer' } as never],
    ['set max below min', { key: 'real', min: 5 as never, max: 3 }],
    ['negative max', { key: 'real', max: -1 }],
    ['negative min', { key: 'real', min: -1 }],
    ['min above one', { key: 'real', min: 10, max: 'unlimited' }],
    ['constraint on the wrong type', { key: { type: 'string', minInteger: 1 } as never }],
    ['map value that is a map', { key: 'string', value: { key: 'string', value: 'string' } as never }],
  ])('refuses %s', (_name, type) => {
    expect(() => parseColumnType(type)).toThrow(OvsdbSchemaError);
  });

  it('accepts the positive cases', () => {
    expect(parseColumnType({ key: 'boolean', min: 0 }).kind).toBe('optional');
    expect(parseColumnType({ key: 'uuid', min: 1, max: 3 })).toMatchObject({ kind: 'set', min: 1, max: 3 });
    expect(parseColumnType({ key: 'integer', value: 'boolean' })).toMatchObject({ kind: 'map', min: 1, max: 1 });
    expect(parseColumnType({ key: { type: 'integer', minInteger: -5, maxInteger: 10 } }).key).toMatchObject({ minInteger: -5, maxInteger: 10 });
  });
});

describe('parseSchema refuses broken documents', () => {
  const base = (tables: DatabaseSchema['tables']): DatabaseSchema => ({ name: 'T', version: '1.0.0', tables });

  it('refuses a refTable that names no table', () => {
    expect(() => parseSchema(base({ A: { columns: { r: { type: { key: { type: 'uuid', refTable: 'Nope' } } } } } }))).toThrow('refTable Nope');
  });

  it('refuses reserved column names (leading underscore), which also keeps __proto__ out', () => {
    expect(() => parseSchema(base({ A: { columns: { __proto__x: { type: 'string' } } } }))).toThrow(OvsdbSchemaError);
  });

  it('refuses an index on an unknown column and a bad version', () => {
    expect(() => parseSchema(base({ A: { columns: { a: { type: 'string' } }, indexes: [['b']] } }))).toThrow('unknown column');
    expect(() => parseSchema({ ...base({}), version: '1.0' })).toThrow('version');
  });
});
