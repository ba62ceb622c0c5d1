import { selectContenders } from './select';

const keys = ['python', 'idl', 'raw-monitored', 'client', 'raw'];
const ratios = {
  seq_vs_python_idl: { ours: 'idl', theirs: 'python' },
  idl_seq_vs_raw_monitored: { ours: 'idl', theirs: 'raw-monitored' },
  client_vs_raw: { ours: 'client', theirs: 'raw' },
};

describe('selectContenders', () => {
  it('runs everything when nothing is named', () => {
    for (const only of [undefined, '', ' ']) expect(selectContenders(keys, ratios, only)).toEqual({ keys, ratios: Object.keys(ratios) });
  });

  it('runs only the sides of the named ratios, in the contenders’ and the ratios’ order', () => {
    expect(selectContenders(keys, ratios, 'idl_seq_vs_raw_monitored')).toEqual({ keys: ['idl', 'raw-monitored'], ratios: ['idl_seq_vs_raw_monitored'] });
    expect(selectContenders(keys, ratios, 'client_vs_raw, seq_vs_python_idl')).toEqual({ keys: ['python', 'idl', 'client', 'raw'], ratios: ['seq_vs_python_idl', 'client_vs_raw'] });
  });

  it('refuses an unknown ratio, naming the known ones', () => {
    expect(() => selectContenders(keys, ratios, 'idl_seq_vs_raw_monitored,nope')).toThrow('unknown ratio nope (known: seq_vs_python_idl, idl_seq_vs_raw_monitored, client_vs_raw)');
  });
});
