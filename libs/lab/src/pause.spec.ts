import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAUSE_ENV, pauseIfAsked, pauseMarker, requestedPause } from './pause';

describe('the up pause hook', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-pause-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the step from the environment and refuses an unknown one', () => {
    expect(requestedPause({})).toBeUndefined();
    expect(requestedPause({ [PAUSE_ENV]: '' })).toBeUndefined();
    expect(requestedPause({ [PAUSE_ENV]: 'network' })).toBe('network');
    expect(() => requestedPause({ [PAUSE_ENV]: 'netwrok' })).toThrow(/"netwrok" is not a step of up \(allocation, claim, network, daemons\)/);
  });

  it('does nothing at another step', async () => {
    await pauseIfAsked(dir, 'claim', 'network');
    await pauseIfAsked(dir, 'claim', undefined);
    expect(existsSync(pauseMarker(dir, 'claim'))).toBe(false);
  });

  it('writes the marker with its pid at its step and waits until the marker is removed', async () => {
    let resumed = false;
    const paused = pauseIfAsked(dir, 'network', 'network', 5).then(() => (resumed = true));
    const marker = pauseMarker(dir, 'network');
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(readFileSync(marker, 'utf8')).toBe(`${process.pid}\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(resumed).toBe(false);
    rmSync(marker);
    await paused;
    expect(resumed).toBe(true);
  });
});
