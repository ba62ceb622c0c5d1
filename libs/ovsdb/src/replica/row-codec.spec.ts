import type { DatabaseSchema, WireRow } from '../protocol/wire';
import { EMPTY_MAP, EMPTY_SET } from '../data/frozen';
import { parseSchema } from '../schema/parse';
import { OpenVSwitchSchema } from '../schemas/generated/open-vswitch';
import { RowCodec } from './row-codec';
import { applyMapDiff, toggleMembers } from './set-diff';

const meta = parseSchema(OpenVSwitchSchema);
const bridgeCodec = new RowCodec(meta.tables.get('Bridge')!);
const U1 = '00000000-0000-4000-8000-000000000001';
const U2 = '00000000-0000-4000-8000-000000000002';
const U3 = '00000000-0000-4000-8000-000000000003';
const V1 = '00000000-0000-4000-8000-0000000000a1';

function bridge(wire: WireRow) {
  return bridgeCodec.create('b0000000-0000-4000-8000-000000000000', wire);
}

describe('RowCodec.create', () => {
  it('decodes present columns and gives absent ones their defaults', () => {
    const row = bridge({ _version: ['uuid', V1], name: 'br0', ports: ['set', [['uuid', U1], ['uuid', U2]]], other_config: ['map', [['a', 'b']]] });
    expect(row._uuid).toBe('b0000000-0000-4000-8000-000000000000');
    expect(row._version).toBe(V1);
    expect(row.name).toBe('br0');
    expect(row.ports).toEqual([U1, U2]);
    expect(row.other_config).toEqual(new Map([['a', 'b']]));
    expect(row.fail_mode).toBeNull();
    expect(row.mirrors).toBe(EMPTY_SET);
    expect(row.external_ids).toBe(EMPTY_MAP);
    expect(row.stp_enable).toBe(false);
  });

  it('builds every row of a table with the same property order (one hidden class)', () => {
    const a = bridge({ name: 'a' });
    const b = bridge({ name: 'b', ports: ['uuid', U1], fail_mode: 'secure' });
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(Object.keys(a)).toEqual(['_uuid', '_version', ...meta.tables.get('Bridge')!.columns.map((c) => c.name)]);
    expect(Object.keys(bridgeCodec.clone(b))).toEqual(Object.keys(a));
  });

  it('does not mistake Object.prototype members for columns the server omitted', () => {
    const schema = JSON.parse(
      '{"name": "P", "version": "1.0.0", "tables": {"T": {"columns": {"constructor": {"type": "string"}, "toString": {"type": {"key": "integer", "min": 0, "max": "unlimited"}}}}}}',
    ) as DatabaseSchema;
    const codec = new RowCodec(parseSchema(schema).tables.get('T')!);
    const row = codec.create(U1, {});
    expect(row.constructor).toBe('');
    expect(row.toString).toBe(EMPTY_SET);
    expect(codec.create(U1, { constructor: 'x' }).constructor).toBe('x');
  });
});

describe('update2 modify diffs (ovsdb-server(7) "update2 notification")', () => {
  const base = bridge({
    name: 'br0',
    ports: ['set', [['uuid', U1], ['uuid', U2]]],
    flood_vlans: ['set', [10, 20]],
    other_config: ['map', [['keep', '1'], ['drop', '2'], ['change', '3']]],
    fail_mode: 'secure',
  });

  it('sets: the diff is the symmetric difference (add and remove in one diff, bare atom diff)', () => {
    expect(bridgeCodec.applyDiff(base, { ports: ['set', [['uuid', U2], ['uuid', U3]]] }).ports).toEqual([U1, U3]);
    expect(bridgeCodec.applyDiff(base, { ports: ['uuid', U3] }).ports).toEqual([U1, U2, U3]);
    expect(bridgeCodec.applyDiff(base, { flood_vlans: ['set', [10, 20]] }).flood_vlans).toBe(EMPTY_SET);
  });

  it('maps: new keys are added, same key+value removed, same key with another value replaced', () => {
    const next = bridgeCodec.applyDiff(base, { other_config: ['map', [['drop', '2'], ['change', '33'], ['new', '4']]] });
    expect(next.other_config).toEqual(new Map([['keep', '1'], ['change', '33'], ['new', '4']]));
  });

  it('columns with max 1: the diff is the new value', () => {
    expect(bridgeCodec.applyDiff(base, { name: 'br1' }).name).toBe('br1');
    expect(bridgeCodec.applyDiff(base, { fail_mode: 'standalone' }).fail_mode).toBe('standalone');
    expect(bridgeCodec.applyDiff(base, { fail_mode: ['set', []] }).fail_mode).toBeNull();
  });

  it('leaves the old row untouched and unlisted columns shared', () => {
    const next = bridgeCodec.applyDiff(base, { _version: ['uuid', V1], name: 'br1' });
    expect(base.name).toBe('br0');
    expect(next._version).toBe(V1);
    expect(next.ports).toBe(base.ports);
    expect(next.other_config).toBe(base.other_config);
  });

  it('ignores columns the schema does not have (a newer server)', () => {
    expect(bridgeCodec.applyDiff(base, { future_column: 'x' }).name).toBe('br0');
  });

  it('toggleMembers and applyMapDiff handle empty sides', () => {
    expect(toggleMembers([], ['a'])).toEqual(['a']);
    expect(toggleMembers(['a'], [])).toEqual(['a']);
    expect(applyMapDiff(EMPTY_MAP, new Map([['k', 'v']]))).toEqual(new Map([['k', 'v']]));
    expect(applyMapDiff(new Map([['k', 'v']]), new Map([['k', 'v']]))).toBe(EMPTY_MAP);
  });
});
