/**
 * A one-host lab for the plumbing suites: a unique lab name (`pl` + 4 random characters, so
 * leftovers are findable and `npm run lab -- down --name NAME` removes them), small random
 * sub-ranges of the documentation ranges (other engineers' labs may hold others), and a
 * netdev `br-int` made explicitly through the port store.
 */
import { randomBytes } from 'node:crypto';
import { Lab, LabExistsError, LabHost, RangeConflictError } from '@ovs-fleet/lab';
import { connectPortStore, PortStoreConnection } from '@ovs-fleet/plumbing';
import { run } from '@ovs-fleet/iproute';

export const BRIDGE = 'br-int';

export interface PlumbingLab {
  lab: Lab;
  host: LabHost;
  ovsdb: PortStoreConnection;
  dispose(): Promise<void>;
}

function randomName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return 'pl' + [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join('');
}

export async function startPlumbingLab(podman = false): Promise<PlumbingLab> {
  let lab: Lab | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 12 && !lab; attempt++) {
    const block = randomBytes(2);
    const mgmt = `198.51.100.${(block[0] % 16) * 16}/28`;
    const underlay = `203.0.113.${(block[1] % 16) * 16}/28`;
    try {
      lab = await Lab.up({ name: randomName(), hosts: 1, mgmt, underlay, redis: false, podman });
    } catch (error) {
      if (!(error instanceof RangeConflictError || error instanceof LabExistsError)) throw error;
      lastError = error;
    }
  }
  if (!lab) throw new Error(`no free lab ranges: ${String(lastError)}`);
  const up = lab;
  try {
    const host = up.host(1);
    const ovsdb = await connectPortStore(host.ovsdbUnix);
    await ovsdb.store.createBridge(BRIDGE, 'netdev');
    return {
      lab: up,
      host,
      ovsdb,
      dispose: async () => {
        ovsdb.close();
        await up.down();
      },
    };
  } catch (error) {
    await up.down();
    throw error;
  }
}

/** `ip -json ...` inside a namespace file (`/proc/PID/ns/net` or `/run/netns/NAME`). */
export async function ipJsonAt<T>(nsPath: string, args: readonly string[]): Promise<T> {
  const { stdout } = await run('nsenter', [`--net=${nsPath}`, 'ip', '-json', ...args]);
  return JSON.parse(stdout) as T;
}

/**
 * True when `ping` from the namespace gets an answer from `address` within `seconds`. One
 * echo request per try, tried again until the deadline: a neighbour entry left FAILED by an
 * earlier unreachable period makes a single ping give up at once. Generous by default: the
 * machine is shared and often loaded.
 */
export async function pings(nsPath: string, address: string, seconds = 8): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  do {
    try {
      await run('nsenter', [`--net=${nsPath}`, 'ping', '-n', '-q', '-c', '1', '-W', '1', address]);
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } while (Date.now() < deadline);
  return false;
}

/** OVS's own view, through ovs-vsctl (a tool independent of the code under test). */
export async function vsctl(host: LabHost, args: readonly string[]): Promise<string> {
  const { stdout } = await run('ovs-vsctl', [`--db=${host.ovsdbUnix}`, '--timeout=10', ...args]);
  return stdout.trim();
}

export async function hostLinkNames(host: LabHost): Promise<string[]> {
  const { stdout } = await run('ip', ['-n', host.netns, '-json', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}
