import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerCommand, runtimeFlags } from './controller-command';

describe('controllerCommand', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ovs-fleet-command-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const withScript = (controller: string | undefined) => writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: controller === undefined ? {} : { controller } }));

  it("reads the options and the entry of package.json's controller script", () => {
    withScript('node --max-semi-space-size=64 -r @swc-node/register apps/controller/src/main.ts');
    expect(controllerCommand(dir)).toEqual({ options: ['--max-semi-space-size=64', '-r', '@swc-node/register'], entry: 'apps/controller/src/main.ts' });
  });

  it.each([undefined, 'tsx apps/controller/src/main.ts', 'node', 'node --flag dist/main.js'])('refuses a script that is not node [OPTIONS] ENTRY.ts: %s', (script) => {
    withScript(script);
    expect(() => controllerCommand(dir)).toThrow('package.json scripts.controller must be "node [OPTIONS] ENTRY.ts"');
  });

  it('is what this repository runs', () => {
    const command = controllerCommand(join(__dirname, '..'));
    expect(command.entry).toBe('apps/controller/src/main.ts');
    expect(command.options).toEqual(expect.arrayContaining(['-r', '@swc-node/register']));
  });
});

describe('runtimeFlags', () => {
  it('keeps --flags and leaves the loader out', () => {
    expect(runtimeFlags(['--max-semi-space-size=64', '-r', '@swc-node/register', '--require', 'x', '--enable-source-maps'])).toEqual(['--max-semi-space-size=64', '--enable-source-maps']);
  });

  it('refuses a word it does not understand', () => {
    expect(() => runtimeFlags(['-x'])).toThrow('-x is neither a --flag nor -r MODULE');
  });
});
