/**
 * What the fleet test looks at, with tools independent of the agent: traffic between
 * containers (ping, one ARP broadcast counted with tcpdump), links and addresses (`ip`), and
 * OVS ports (`ovs-vsctl` on the host's database). A container is entered by the path of its
 * network namespace: `/run/netns/NAME` for a plain one, `/proc/PID/ns/net` for a podman one
 * (its PID looked up each time: a restarted container has a new one).
 */
import { spawn } from 'node:child_process';
import { CommandError, run } from '@ovs-fleet/iproute';
import type { LabHost, LabPodman, NetnsContainer, PodmanContainer } from '@ovs-fleet/lab';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A container of the test: a plain namespace or a podman container, on one host. */
export interface Container {
  name: string;
  host: LabHost;
  kind: 'netns' | 'podman';
  /** How the API names it. */
  ref: { netns: string } | { dockerContainer: string };
  /** The path of its network namespace now. */
  nsPath(): Promise<string>;
}

export function netnsContainer(host: LabHost, made: NetnsContainer): Container {
  return { name: made.name, host, kind: 'netns', ref: { netns: made.netns }, nsPath: async () => made.path };
}

export function podmanContainer(host: LabHost, podman: LabPodman, made: PodmanContainer): Container {
  return { name: made.name, host, kind: 'podman', ref: { dockerContainer: made.podmanName }, nsPath: async () => `/proc/${await podman.pid(made.name)}/ns/net` };
}

/** One ping (1 s to answer): true when answered, false when not; anything else (exit 2: no route, bad address) throws. */
export async function pings(from: Container, address: string): Promise<boolean> {
  try {
    await run('nsenter', [`--net=${await from.nsPath()}`, 'ping', '-c', '1', '-W', '1', '-q', address], { timeoutMs: 10_000 });
    return true;
  } catch (error) {
    if (error instanceof CommandError && error.exitCode === 1) return false;
    throw error;
  }
}

/** Pings until answered; the ms it took, or an error after `timeoutMs`. */
export async function pingsWithin(from: Container, address: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await pings(from, address).catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${from.name} got no answer from ${address} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** IPv4 addresses (ADDRESS/PREFIX) on `ifname` in the container, or null when it has no such interface. */
export async function containerAddresses(container: Container, ifname = 'eth0'): Promise<string[] | null> {
  const { stdout } = await run('nsenter', [`--net=${await container.nsPath()}`, 'ip', '-json', 'address', 'show']);
  const link = (JSON.parse(stdout) as { ifname: string; addr_info: { family: string; local: string; prefixlen: number }[] }[]).find((l) => l.ifname === ifname);
  return link === undefined ? null : link.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

export async function vsctl(host: LabHost, args: readonly string[]): Promise<string> {
  return (await run('ovs-vsctl', [`--db=${host.ovsdbUnix}`, '--timeout=10', ...args])).stdout.trim();
}

export async function bridgePorts(host: LabHost, bridge: string): Promise<string[]> {
  return (await vsctl(host, ['list-ports', bridge])).split('\n').filter(Boolean).sort();
}

/** Every interface name in the host's namespace. */
export async function hostLinks(host: LabHost): Promise<string[]> {
  const { stdout } = await run('ip', ['-n', host.netns, '-json', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
}

/** tcpdump on a container's eth0, counting the frames that match `filter`, until stop(). */
async function startCapture(container: Container, filter: string): Promise<{ stop(): Promise<number> }> {
  const child = spawn('nsenter', [`--net=${await container.nsPath()}`, 'tcpdump', '-i', 'eth0', '-nn', '-l', '-e', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (const deadline = Date.now() + 10_000; !err.includes('listening on'); await sleep(20)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tcpdump in ${container.name} did not start: ${err}`);
    }
  }
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
      return out.split('\n').filter((line) => line.trim() !== '').length;
    },
  };
}

/**
 * Sends ONE ARP request (a broadcast) from `sender`'s eth0 and counts how many copies of it
 * reach each receiver's eth0 within `settleMs`: 1 on a loop-free mesh for members of the
 * sender's network, 0 for anyone else.
 */
export async function broadcastCopies(sender: Container, senderMac: string, receivers: readonly Container[], target: string, settleMs = 1500): Promise<Map<string, number>> {
  const filter = `arp and ether src ${senderMac} and ether dst ff:ff:ff:ff:ff:ff`;
  const captures = await Promise.all(receivers.map((r) => startCapture(r, filter)));
  let failure: unknown = null;
  try {
    // No answer is expected (nobody holds `target`): arping exits 1 after its one request.
    await run('nsenter', [`--net=${await sender.nsPath()}`, 'arping', '-c', '1', '-i', 'eth0', target]).catch((error: unknown) => {
      if (!(error instanceof CommandError && error.exitCode === 1)) throw error;
    });
    await sleep(settleMs);
  } catch (error) {
    failure = error;
  }
  const counts = await Promise.all(captures.map((c) => c.stop())); // the captures end either way
  if (failure !== null) throw failure;
  return new Map(receivers.map((r, i) => [r.name, counts[i]]));
}
