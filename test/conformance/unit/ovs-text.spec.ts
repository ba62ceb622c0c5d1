import { columnType } from './column-type';
import { atomString, columnTypeJson, datumJson, ovsJsonText, ovsReal } from './ovs-text';

describe('OVS text of types and values', () => {
  it('reals: integral ones without a fraction, -0 as 0, large ones with a two-digit exponent', () => {
    expect([0, -0, 1000, -1.25, 0.00390625, 1e37, -1e99].map(ovsReal)).toEqual(['0', '0', '1000', '-1.25', '0.00390625', '1e+37', '-1e+99']);
  });

  it('JSON compact with sorted keys', () => {
    expect(ovsJsonText({ type: 'integer', enum: ['set', [1, 2]] })).toBe('{"enum":["set",[1,2]],"type":"integer"}');
  });

  it('data: one atom alone, sets sorted, maps sorted by key, uuids as ["uuid", ...]', () => {
    expect(ovsJsonText(datumJson(columnType({ key: 'integer', min: 0, max: 'unlimited' }), [3, 1, 2]))).toBe('["set",[1,2,3]]');
    expect(ovsJsonText(datumJson(columnType({ key: 'integer', min: 0, max: 'unlimited' }), [3]))).toBe('3');
    expect(ovsJsonText(datumJson(columnType({ key: 'string', value: 'boolean', min: 0, max: 'unlimited' }), new Map([['b', true], ['B', false]])))).toBe(
      '["map",[["B",false],["b",true]]]',
    );
    expect(ovsJsonText(datumJson(columnType('uuid'), 'aad11ef0-816a-4b01-93e6-03b8b4256b98'))).toBe('["uuid","aad11ef0-816a-4b01-93e6-03b8b4256b98"]');
  });

  it('types: a plain scalar as its name, else key/value/min/max where not defaults', () => {
    expect(ovsJsonText(columnTypeJson(columnType('integer')))).toBe('"integer"');
    expect(ovsJsonText(columnTypeJson(columnType({ key: 'boolean', min: 0 })))).toBe('{"key":"boolean","min":0}');
    expect(ovsJsonText(columnTypeJson(columnType({ key: { type: 'uuid', refTable: 'T', refType: 'weak' }, max: 'unlimited' })))).toBe(
      '{"key":{"refTable":"T","refType":"weak","type":"uuid"},"max":"unlimited"}',
    );
  });

  it('atom strings: bare words bare, other strings quoted', () => {
    const string = columnType('string').key;
    expect(['abc', 'a-b.c', '', 'true', 'a b', 'x1'].map((s) => atomString(string, s))).toEqual(['abc', 'a-b.c', '""', '"true"', '"a b"', '"x1"']);
  });
});
