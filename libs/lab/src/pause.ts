import { access, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '@ovs-fleet/iproute';

/**
 * A test hook: `OVS_FLEET_LAB_PAUSE_AFTER=STEP` makes `Lab.up` stop after that step, write
 * the marker file `RUN/paused-after-STEP` (holding its pid) and wait until the file is
 * removed. A test can then kill `up` at a known point in the middle of the build, or let it
 * go on by removing the marker.
 *
 * - `allocation`: the run dir and state file exist and `up` still holds the root's
 *   allocation lock (killing it there must not block later `up`s);
 * - `claim`: the same, the lock released;
 * - `network`: also the host namespaces, bridges and veths; no daemon yet;
 * - `daemons`: also every host's ovsdb-server and ovs-vswitchd, Redis (and podman's API when
 *   asked for), but the state file does not record them yet.
 */
export const PAUSE_ENV = 'OVS_FLEET_LAB_PAUSE_AFTER';
const UP_STEPS = ['allocation', 'claim', 'network', 'daemons'] as const;
export type UpStep = (typeof UP_STEPS)[number];

/** The step named in the environment; an unknown name is refused, so a typo cannot go unnoticed. */
export function requestedPause(env: NodeJS.ProcessEnv = process.env): UpStep | undefined {
  const value = env[PAUSE_ENV];
  if (value === undefined || value === '') return undefined;
  if (!(UP_STEPS as readonly string[]).includes(value)) {
    throw new ValidationError(PAUSE_ENV, `"${value}" is not a step of up (${UP_STEPS.join(', ')})`);
  }
  return value as UpStep;
}

export function pauseMarker(runDir: string, step: UpStep): string {
  return join(runDir, `paused-after-${step}`);
}

const exists = (path: string) => access(path).then(
  () => true,
  () => false,
);

/** When `pauseAt` is `step`: writes the marker and resolves once it has been removed. */
export async function pauseIfAsked(runDir: string, step: UpStep, pauseAt: UpStep | undefined, pollMs = 50): Promise<void> {
  if (pauseAt !== step) return;
  const marker = pauseMarker(runDir, step);
  // Written aside and renamed: whoever sees the marker sees it whole.
  await writeFile(`${marker}.tmp`, `${process.pid}\n`);
  await rename(`${marker}.tmp`, marker);
  while (await exists(marker)) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
