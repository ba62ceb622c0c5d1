/**
 * The README's first command, minus the bootstrap `npm test` has already run: the demo must
 * bring up its lab, show traffic of both networks crossing the VXLAN overlay and isolation between them,
 * and remove everything again.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { run } from '@ovs-fleet/iproute';
import { Lab } from '@ovs-fleet/lab';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
// Its own lab name: a demo lab a user keeps running (`npm run demo -- --keep`) is left alone.
const NAME = `dm${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  await Lab.down(NAME); // after a failure half-way
});

it('runs end to end: every check as expected, and the lab is gone afterwards', async () => {
  const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'demo.ts'), '--name', NAME], { timeoutMs: 110_000 });
  expect(stdout).toMatch(/reaches +blue1 \(h1\) -> blue2 \(h2\) 198\.18\.0\.2, same network +\(as expected\)/);
  // Red reaches red across the tunnel: blue not reaching red below is isolation, not a broken red.
  expect(stdout).toMatch(/reaches +red4 +\(h1\) -> red3 +\(h2\) 198\.18\.0\.3, same network +\(as expected\)/);
  expect(stdout).toMatch(/does not +blue1 \(h1\) -> red3 +\(h2\) 198\.18\.0\.3, other network +\(as expected\)/);
  expect(stdout).toContain('All checks behaved as expected.');
  expect(await Lab.list()).not.toContain(NAME);
});
