import { parseSchema } from '../schema/parse';
import { OvsdbValidationError } from '../schema/validation-error';
import { OpenVSwitchSchema, type PortWrite } from '../schemas/generated/open-vswitch';
import { encodeRow } from './rows';
import { namedUuid } from './uuid';

const meta = parseSchema(OpenVSwitchSchema);
const port = meta.tables.get('Port')!;

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

describe('generated types fit encodeRow', () => {
  it('takes a PortWrite', () => {
    const write: PortWrite = { name: 'p0', interfaces: [namedUuid('i0')], vlan_mode: 'access' };
    expect(encodeRow(port, write)).toEqual({ name: 'p0', interfaces: ['set', [['named-uuid', 'i0']]], vlan_mode: 'access' });
  });
});
