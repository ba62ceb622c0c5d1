import { CommandError, RunOptions } from '@ovs-fleet/iproute';

export interface Call {
  file: string;
  args: string[];
  input: string | undefined;
}

interface ContainerInterface {
  mac: string;
  mtu: number;
  up: boolean;
  addresses: string[];
  routes: { to: string; via: string | null }[];
  /** The host end of its veth pair, if it is one. */
  peer: string | null;
}

interface HostLink {
  mtu: number;
  up: boolean;
  /** Namespace (pid or name, as `netns` was given) and name of the peer. */
  peer: { namespace: string; ifname: string };
}

const RTNETLINK_EXISTS = 'RTNETLINK answers: File exists';
const RTNETLINK_REFUSED = 'RTNETLINK answers: Operation not permitted';

/**
 * A host namespace and its containers' namespaces as `ip` (batches, -force, -json),
 * `nsenter --net=/proc/PID/ns/net ip|sysctl` see and change them, for unit specs of the Plumber:
 * every process start is recorded; a call whose command line and input match `failOn` fails
 * as a whole, as ip would. Containers are keyed by PID (or namespace name) as text.
 */
export class FakeHost {
  readonly calls: Call[] = [];
  failOn: RegExp | null = null;
  readonly hostLinks = new Map<string, HostLink>();
  readonly containers = new Map<string, Map<string, ContainerInterface>>();

  readonly runner = async (file: string, args: readonly string[], options?: RunOptions) => {
    this.calls.push({ file, args: [...args], input: options?.input });
    const text = `${file} ${args.join(' ')}\n${options?.input ?? ''}`;
    if (this.failOn?.test(text)) throw new CommandError(file, args, 2, RTNETLINK_REFUSED);
    const lines = (options?.input ?? '').split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
    const json = args.includes('-json');
    const force = args.includes('-force');
    if (file === 'nsenter') {
      const namespace = /^--net=\/proc\/(\d+)\/ns\/net$/.exec(args[0])?.[1];
      if (namespace === undefined) throw new Error(`FakeHost: unexpected ${text}`);
      if (args[1] === 'sysctl') return { stdout: '', stderr: '' };
      return this.batch(lines, (command) => this.inContainer(namespace, command), { json, force });
    }
    if (file === 'ip') return this.batch(lines, (command) => this.onHost(command), { json, force });
    throw new Error(`FakeHost: unexpected ${text}`);
  };

  /** Batches sent to long-lived sessions (see `session`), which start no process. */
  readonly sessionBatches: string[][][] = [];
  sessionsClosed = 0;

  /** A long-lived `ip -force -batch -` in the host namespace, as IpBatchSession: no process per batch. */
  session(): { run(commands: readonly (readonly string[])[]): Promise<{ stdout: string; stderr: string }>; close(): Promise<void> } {
    return {
      run: async (commands) => {
        this.sessionBatches.push(commands.map((c) => [...c]));
        return this.batch(commands.map((c) => [...c]), (command) => this.onHost(command), { json: false, force: true });
      },
      close: async () => {
        this.sessionsClosed++;
      },
    };
  }

  /** Adds an interface of its own to a container (not a veth of ours). */
  addContainerInterface(namespace: string, ifname: string): void {
    this.container(namespace).set(ifname, { mac: '02:00:00:00:00:99', mtu: 1500, up: false, addresses: [], routes: [], peer: null });
  }

  /** Deletes a container's interface, and the host end of its pair with it (as `ip link del` inside the container does). */
  deleteContainerInterface(namespace: string, ifname: string): void {
    const iface = this.container(namespace).get(ifname);
    this.container(namespace).delete(ifname);
    if (iface?.peer) this.hostLinks.delete(iface.peer);
  }

  private container(namespace: string): Map<string, ContainerInterface> {
    let interfaces = this.containers.get(namespace);
    if (!interfaces) this.containers.set(namespace, (interfaces = new Map()));
    return interfaces;
  }

  private batch(lines: string[][], run: (command: string[]) => unknown, flags: { json: boolean; force: boolean }) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    for (const [i, command] of lines.entries()) {
      try {
        const out = run(command);
        if (flags.json && out !== undefined) stdout.push(JSON.stringify(out));
      } catch (error) {
        stderr.push((error as Error).message, `Command failed -:${i + 1}`);
        if (!flags.force) break;
      }
    }
    if (stderr.length > 0) throw new CommandError('ip', [], 1, stderr.join('\n'));
    return { stdout: stdout.map((l) => `${l}\n`).join(''), stderr: '' };
  }

  private onHost(c: string[]): unknown {
    const [object, verb, name] = c;
    if (object === 'link' && verb === 'add') {
      const mtu = c[3] === 'mtu' ? Number(c[4]) : 1500;
      const peerAt = c.indexOf('peer');
      const ifname = c[peerAt + 2];
      const mac = c[c.indexOf('address') + 1];
      const namespace = c[c.indexOf('netns') + 1];
      if (this.hostLinks.has(name) || this.container(namespace).has(ifname)) throw new Error(RTNETLINK_EXISTS);
      this.hostLinks.set(name, { mtu, up: false, peer: { namespace, ifname } });
      this.container(namespace).set(ifname, { mac, mtu, up: false, addresses: [], routes: [], peer: name });
      return undefined;
    }
    if (object === 'link' && verb === 'show' && name === undefined) {
      return [...this.hostLinks].map(([ifname, l]) => ({ ifname, flags: l.up ? ['UP'] : [], mtu: l.mtu, operstate: 'UP', linkinfo: { info_kind: 'veth' } }));
    }
    const target = verb === 'show' ? c[3] : name;
    const link = this.hostLinks.get(target);
    if (!link) throw new Error(verb === 'show' ? `Device "${target}" does not exist.` : `Cannot find device "${target}"`);
    if (verb === 'del') {
      this.hostLinks.delete(target);
      this.container(link.peer.namespace).delete(link.peer.ifname);
    } else if (verb === 'set' && c[3] === 'up') {
      link.up = true;
    }
    return undefined;
  }

  private inContainer(namespace: string, c: string[]): unknown {
    const interfaces = this.container(namespace);
    const dev = c[c.indexOf('dev') + 1];
    const [object, verb] = c;
    if (object === 'link' && verb === 'set') {
      if (c[2] !== 'lo') this.device(interfaces, c[2]).up = true;
      return undefined;
    }
    const iface = this.device(interfaces, dev);
    if (object === 'link' && verb === 'show') return undefined;
    if (object === 'address' && verb === 'add') iface.addresses.push(c[2]);
    else if (object === 'route' && verb === 'add') iface.routes.push({ to: c[2], via: c[3] === 'via' ? c[4] : null });
    else if (object === 'address' && verb === 'show') {
      const addrInfo = iface.addresses.map((a) => ({ family: a.includes(':') ? 'inet6' : 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]), scope: 'global' }));
      return [{ ifname: dev, address: iface.mac, mtu: iface.mtu, flags: iface.up ? ['UP'] : [], addr_info: addrInfo }];
    } else if (object === 'route' && verb === 'show') {
      return iface.routes.map((r) => ({ dst: r.to === '0.0.0.0/0' || r.to === '::/0' ? 'default' : r.to, gateway: r.via ?? undefined, protocol: 'boot', dev }));
    }
    return undefined;
  }

  private device(interfaces: Map<string, ContainerInterface>, name: string): ContainerInterface {
    const iface = interfaces.get(name);
    if (!iface) throw new Error(`Cannot find device "${name}"`);
    return iface;
  }
}
