/**
 * The demo's long-running processes: the controller (in the root namespace, working in the
 * lab's run dir, so `lab down` ends it) and one agent per host INSIDE the host's namespace
 * (so `lab down` ends it with the namespace). Output goes to log files in the run dir.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { controllerCommand, runtimeFlags } from '../controller-command';

const REPO = resolve(__dirname, '..', '..');

function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OVS_FLEET_')));
}

function start(command: string, args: string[], env: Record<string, string>, runDir: string, log: string): number {
  const out = openSync(join(runDir, log), 'a');
  const child = spawn(command, args, { cwd: runDir, env: { ...baseEnv(), ...env }, stdio: ['ignore', out, out], detached: true });
  child.unref();
  return child.pid as number;
}

export function startController(runDir: string, env: Record<string, string>): number {
  const command = controllerCommand(REPO); // `npm run controller`, from the run dir: the loader resolved from the repository
  return start(process.execPath, [...runtimeFlags(command.options), '-r', require.resolve('@swc-node/register', { paths: [REPO] }), join(REPO, command.entry)], { ...env, SWC_NODE_PROJECT: join(REPO, 'tsconfig.json'), TS_NODE_PROJECT: join(REPO, 'tsconfig.json') }, runDir, 'controller.log');
}

export function startAgent(runDir: string, netns: string, hostId: string, env: Record<string, string>): number {
  return start(
    'ip',
    ['netns', 'exec', netns, process.execPath, '-r', require.resolve('@swc-node/register', { paths: [REPO] }), join(REPO, 'apps/agent/src/main.ts')],
    { ...env, SWC_NODE_PROJECT: join(REPO, 'tsconfig.json'), TS_NODE_PROJECT: join(REPO, 'tsconfig.json') },
    runDir,
    `agent-${hostId}.log`,
  );
}

/** Resolves once GET url answers below 500, or throws after `timeoutMs`. */
export async function waitHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((done) => setTimeout(done, 200));
  }
}
