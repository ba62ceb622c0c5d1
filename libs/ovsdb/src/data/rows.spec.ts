import { parseSchema } from '../schema/parse';
import { OvsdbValidationError } from '../schema/validation-error';
import { OpenVSwitchSchema, type Port, type PortWrite } from '../schemas/generated/open-vswitch';
import { changedColumns, encodeRow } from './rows';
import { namedUuid } from './uuid';

const meta = parseSchema(OpenVSwitchSchema);
const port = meta.tables.get('Port')!;
const bridge = meta.tables.get('Bridge')!;

describe('encodeRow', () => {
  it('validates then encodes every given column, skipping undefined', () => {
    expect(encodeRow(port, { name: 'p0', tag: 10, interfaces: [namedUuid('i0')], trunks: undefined })).toEqual({
      name: 'p0',
      tag: 10,
      interfaces: ['set', [['named-uuid', 'i0']]],
    });
  });

  it('refuses invalid rows before anything is encoded', () => {
    expect(() => encodeRow(port, { name: 'p0', tag: 5000 })).toThrow('Port.tag: 5000 is greater than the maximum 4095');
    expect(() => encodeRow(port, { interfaces: [namedUuid('b0')] }, { namedUuids: new Map([['b0', 'Bridge']]) })).toThrow(OvsdbValidationError);
  });
});

describe('changedColumns', () => {
  const actual = { name: 'br0', fail_mode: null, ports: ['a', 'b'], other_config: new Map([['x', '1']]) };

  it('returns only the columns whose desired value differs', () => {
    expect(changedColumns(bridge, actual, { name: 'br0', ports: ['b', 'a'], other_config: new Map([['x', '1']]) })).toEqual({});
    expect(changedColumns(bridge, actual, { fail_mode: 'secure', ports: ['a'], other_config: new Map([['x', '2']]), name: undefined })).toEqual({
      fail_mode: 'secure',
      ports: ['a'],
      other_config: new Map([['x', '2']]),
    });
  });

  it('refuses unknown columns', () => {
    expect(() => changedColumns(bridge, actual, { colour: 'red' })).toThrow('Bridge.colour');
  });
});

describe('generated types fit encodeRow and changedColumns', () => {
  it('takes a PortWrite and a Port row', () => {
    const write: PortWrite = { name: 'p0', interfaces: [namedUuid('i0')], vlan_mode: 'access' };
    expect(encodeRow(port, write)).toEqual({ name: 'p0', interfaces: ['set', [['named-uuid', 'i0']]], vlan_mode: 'access' });
    const actual = { name: 'p0', tag: null, trunks: [] } as unknown as Port;
    const desired: Partial<Port> = { name: 'p0', tag: 5, trunks: [] };
    expect(changedColumns(port, actual, desired)).toEqual({ tag: 5 });
  });
});
