import { StringInterner } from './interner';

describe('StringInterner', () => {
  it('keeps one entry per distinct string and stops adding at its capacity', () => {
    const interner = new StringInterner(2);
    expect(interner.intern(['iface', 'id'].join('-'))).toBe('iface-id');
    interner.intern(['iface', 'id'].join('-'));
    expect(interner.size).toBe(1);
    interner.intern('second');
    expect(interner.intern('third')).toBe('third');
    expect(interner.size).toBe(2);
  });
});
