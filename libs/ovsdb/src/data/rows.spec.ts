import { parseSchema } from '../schema/parse';
import { validateRow } from '../schema/validate';
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

  it('names the first bad column in key order, with the errors validateRow gives', () => {
    const iface = meta.tables.get('Interface')!;
    for (const [row, options] of [
      [{ name: 'p0', tag: 5000, trunks: [4096] }, {}],
      [{ name: 'p0', trunks: [4096], tag: 5000 }, {}],
      [{ name: 'p0', colour: 'red', tag: 5000 }, {}],
      [{ name: 'p1', tag: 1 }, { update: true }],
    ] as const) {
      expect(() => encodeRow(port, row as never, options)).toThrow(captureError(() => validateRow(port, row as never, options)).message);
    }
    expect(() => encodeRow(port, { name: 'p0', tag: 5000, trunks: [4096] })).toThrow('Port.tag');
    expect(() => encodeRow(port, { name: 'p0', trunks: [4096], tag: 5000 })).toThrow('Port.trunks');
    expect(() => encodeRow(iface, { name: 'eth0' }, { update: true })).toThrow('Interface.name: "eth0" cannot be set');
  });
});

describe('generated types fit encodeRow', () => {
  it('takes a PortWrite', () => {
    const write: PortWrite = { name: 'p0', interfaces: [namedUuid('i0')], vlan_mode: 'access' };
    expect(encodeRow(port, write)).toEqual({ name: 'p0', interfaces: ['set', [['named-uuid', 'i0']]], vlan_mode: 'access' });
  });
});

function captureError(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
