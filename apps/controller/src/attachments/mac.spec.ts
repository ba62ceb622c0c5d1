import fc from 'fast-check';
import { isUnicastMac } from '../common/validators';
import { generatedMac } from './mac';

describe('generatedMac', () => {
  it('is stable, unicast and locally administered for any id', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const mac = generatedMac(id);
        expect(generatedMac(id)).toBe(mac);
        expect(isUnicastMac(mac)).toBe(true);
        expect(parseInt(mac.slice(0, 2), 16) & 0x02).toBe(0x02);
      }),
    );
  });

  it('differs between ids', () => {
    expect(generatedMac('a')).not.toBe(generatedMac('b'));
  });
});
