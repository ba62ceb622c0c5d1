import { parseUnitFile, setting, timeSpanSeconds, UnitFileError, words } from './unit-file';

describe('parseUnitFile', () => {
  const unit = parseUnitFile('# comment\n[Unit]\nAfter=a.service \\\n  b.target\nAfter=c.service\n\n[Service]\n; comment\nRestart=no\nRestart=on-failure\nAmbientCapabilities=\n');

  it('reads sections, repeated and continued settings', () => {
    expect(words(unit, 'Unit', 'After')).toEqual(['a.service', 'b.target', 'c.service']);
    expect(setting(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(words(unit, 'Service', 'AmbientCapabilities')).toEqual([]);
    expect(setting(unit, 'Service', 'Missing')).toBeUndefined();
  });

  it.each([
    ['Restart=no\n', /line 1: Restart comes before any \[Section\]/],
    ['[Unit]\nnot a setting\n', /line 2: "not a setting" is not KEY=VALUE/],
  ])('refuses %j naming the line', (text, message) => {
    expect(() => parseUnitFile(text)).toThrow(UnitFileError);
    expect(() => parseUnitFile(text)).toThrow(message);
  });
});

describe('timeSpanSeconds', () => {
  it.each([
    ['90s', 90],
    ['90', 90],
    ['1min 30s', 90],
    ['2min', 120],
    ['1h', 3600],
    ['500ms', 0.5],
  ])('%s is %d s', (text, seconds) => {
    expect(timeSpanSeconds(text)).toBe(seconds);
  });

  it('refuses a unit it does not know', () => {
    expect(() => timeSpanSeconds('3 fortnights')).toThrow(/not a time span/);
  });
});
