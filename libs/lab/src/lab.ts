import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValidationError } from '@ovs-fleet/iproute';
import { withAllocationLock } from './allocation-lock';
import { chooseRanges } from './conflicts';
import { LabExistsError, LabNeedsRootError, LabNotFoundError } from './errors';
import { findExisting, labsUnder, readMachineNetworks } from './machine';
import { assertHostCount, DEFAULT_LAB_ROOT, HOST_MGMT_IF, HOST_PROVIDER_IF, HOST_UPLINK_IF, hostNames, HostNames, labNames, LabNames, PROVIDER_BRIDGE, UNDERLAY_BRIDGE } from './naming';
import { createNetnsContainer, NetnsContainer, removeNetnsContainer } from './namespaces';
import { buildRootNetwork } from './network';
import { OVSDB_TCP_PORT, startHostOvs, startOvsdbServer } from './ovs-host';
import { pauseIfAsked, requestedPause, UpStep } from './pause';
import { LabPodman } from './podman';
import { autoPrefixLength, candidateRanges, DEFAULT_RANGES, LabAddressPlan, LabRanges, planAddresses } from './ranges';
import { stopDaemon } from './processes';
import { choosePort, DEFAULT_REDIS_PORT, startRedis } from './redis';
import { LabHost, LabState, readState, writeState } from './state';
import { labStatus, LabStatus } from './status';
import { destroyLab, TeardownReport } from './teardown';

export interface LabOptions {
  /** 1-8 lowercase letters/digits; every resource's name derives from it. */
  name: string;
  hosts: number;
  /** Sub-ranges of 198.51.100.0/24 and 203.0.113.0/24 (default: the whole /24s). */
  mgmt?: string;
  underlay?: string;
  /** Pick the first free pair of the smallest sub-ranges that fit the hosts (/28 up to 4 hosts, /27 up to 20, /26 up to 52), for labs side by side. */
  autoRanges?: boolean;
  /** Where run dirs live (default /run/ovs-fleet-lab, or $OVS_FLEET_LAB_ROOT). */
  root?: string;
  /** Start Redis on the management gateway address (default true). */
  redis?: boolean;
  /** Start podman's API service now rather than on first `lab.podman()`. */
  podman?: boolean;
}

export interface AgentEnvOptions {
  /** How the agent reaches the host's ovsdb-server (default tcp, over the management network). */
  remote?: 'unix' | 'tcp';
  /** The agent's own Redis ACL user (POST /v1/hosts/{id}/agent-credentials), put in the URL. */
  redisUser?: { username: string; password: string };
}

export function defaultLabRoot(): string {
  return process.env.OVS_FLEET_LAB_ROOT || DEFAULT_LAB_ROOT;
}

function assertRoot(): void {
  if (process.getuid?.() !== 0) throw new LabNeedsRootError();
}

function hostFacts(lab: LabNames, h: HostNames, plan: LabAddressPlan): LabHost {
  const { mgmtIp, underlayIp } = plan.hosts[h.index - 1];
  return {
    index: h.index,
    id: h.id,
    hostId: `${lab.name}-${h.id}`,
    netns: h.netns,
    runDir: h.runDir,
    ovsdbSocket: h.ovsdbSocket,
    ovsdbUnix: `unix:${h.ovsdbSocket}`,
    ovsdbTcp: `tcp:${mgmtIp}:${OVSDB_TCP_PORT}`,
    ovsdbCtl: h.ovsdbCtl,
    vswitchdCtl: h.vswitchdCtl,
    ovsdbLog: h.ovsdbLog,
    vswitchdLog: h.vswitchdLog,
    mgmtIp,
    mgmtAddress: `${mgmtIp}/${plan.mgmt.prefixLength}`,
    mgmtInterface: HOST_MGMT_IF,
    underlayIp,
    underlayAddress: `${underlayIp}/${plan.underlay.prefixLength}`,
    underlayBridge: UNDERLAY_BRIDGE,
    uplinkInterface: HOST_UPLINK_IF,
    providerBridge: PROVIDER_BRIDGE,
    providerInterface: HOST_PROVIDER_IF,
  };
}

/**
 * Under the allocation lock: refuses an existing lab or taken ranges, claims the name
 * (its run dir) and records the chosen ranges in the state file for other labs to see.
 */
async function claimLab(
  names: LabNames,
  hostCount: number,
  candidates: readonly LabRanges[],
  podman: boolean,
  pauseAt: UpStep | undefined,
): Promise<{ state: LabState; plan: LabAddressPlan }> {
  const root = dirname(names.runDir);
  await mkdir(root, { recursive: true });
  return withAllocationLock(root, async () => {
    const existing = await findExisting(names, root);
    if (existing.length > 0) throw new LabExistsError(names.name, existing);
    const ranges = chooseRanges(candidates, hostCount, await readMachineNetworks(root));
    const plan = planAddresses(ranges, hostCount);
    try {
      await mkdir(names.runDir); // not recursive: the lab's claim on its name
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new LabExistsError(names.name, [`run dir ${names.runDir}`]);
      throw error;
    }
    const state: LabState = {
      name: names.name,
      root,
      createdAt: new Date().toISOString(),
      ranges,
      gateway: plan.gateway,
      hosts: Array.from({ length: hostCount }, (_, i) => hostFacts(names, hostNames(names, i + 1), plan)),
      podman,
    };
    await writeState(names.stateFile, state).catch(async (error: unknown) => {
      await destroyLab(names);
      throw error;
    });
    await pauseIfAsked(names.runDir, 'allocation', pauseAt);
    return { state, plan };
  });
}

/**
 * A fleet of simulated hosts on this machine: per host a namespace with its own
 * ovsdb-server and ovs-vswitchd (userspace datapath), a management network (with Redis on
 * the gateway address) and an underlay for tunnels. `Lab.up` builds one, `lab.down()` or
 * `Lab.down(name)` (which needs no state at all) removes every trace of it.
 */
export class Lab {
  private podmanStarting?: Promise<LabPodman>;

  private constructor(
    private readonly names: LabNames,
    private state: LabState,
  ) {}

  static async up(options: LabOptions): Promise<Lab> {
    const root = options.root ?? defaultLabRoot();
    const names = labNames(options.name, root);
    const hostCount = assertHostCount(options.hosts);
    if (options.autoRanges && (options.mgmt !== undefined || options.underlay !== undefined)) {
      throw new ValidationError('ranges', 'give either autoRanges or mgmt/underlay ranges, not both');
    }
    const explicit: LabRanges = { mgmt: options.mgmt ?? DEFAULT_RANGES.mgmt, underlay: options.underlay ?? DEFAULT_RANGES.underlay };
    if (!options.autoRanges) planAddresses(explicit, hostCount); // bad input fails before anything is touched
    const pauseAt = requestedPause(); // a test hook (see pause.ts)
    assertRoot();

    const { state, plan } = await claimLab(names, hostCount, options.autoRanges ? candidateRanges(autoPrefixLength(hostCount)) : [explicit], options.podman ?? false, pauseAt);
    const lab = new Lab(names, state);
    try {
      await pauseIfAsked(names.runDir, 'claim', pauseAt);
      await lab.build(plan, options, pauseAt);
      return lab;
    } catch (error) {
      await destroyLab(names).catch(() => undefined);
      throw error;
    }
  }

  /** The lab as its state file describes it (e.g. one the CLI brought up). */
  static async open(name: string, root = defaultLabRoot()): Promise<Lab> {
    const names = labNames(name, root);
    const state = await readState(names.stateFile);
    if (!state) throw new LabNotFoundError(name);
    return new Lab(names, state);
  }

  /** Removes a lab by name alone, even after a crash, with or without its state file. */
  static async down(name: string, root = defaultLabRoot()): Promise<TeardownReport> {
    assertRoot();
    return destroyLab(labNames(name, root));
  }

  /** Names of the labs with a run dir under the root. */
  static list(root = defaultLabRoot()): Promise<string[]> {
    return labsUnder(root);
  }

  get name(): string {
    return this.names.name;
  }

  get runDir(): string {
    return this.names.runDir;
  }

  get ranges(): LabRanges {
    return this.state.ranges;
  }

  /** Address of the management bridge in the root namespace (Redis, the controller). */
  get gateway(): string {
    return this.state.gateway;
  }

  get hosts(): readonly LabHost[] {
    return this.state.hosts;
  }

  get redis(): LabState['redis'] {
    return this.state.redis;
  }

  /** A host by 1-based index or id (`h2`). */
  host(which: number | string): LabHost {
    const host = this.state.hosts.find((h) => h.index === which || h.id === which);
    if (!host) throw new ValidationError('host', `lab "${this.name}" has no host ${String(which)}`);
    return host;
  }

  /**
   * The environment an agent for this host reads (see apps/agent config): its host id, the
   * host's OVSDB (TCP on the management address by default, or the unix socket), the lab's
   * Redis over the management network (with the agent's own ACL user when given) and, once
   * podman is in use, its Docker-compatible socket for attachments naming containers. An
   * agent run inside the host's namespace (`ip netns exec`) needs nothing else.
   */
  agentEnv(which: number | string, options: 'unix' | 'tcp' | AgentEnvOptions = {}): Record<string, string> {
    const { remote = 'tcp', redisUser } = typeof options === 'string' ? { remote: options } : options;
    const host = this.host(which);
    const redis = this.state.redis;
    const credentials = redisUser ? `${encodeURIComponent(redisUser.username)}:${encodeURIComponent(redisUser.password)}@` : '';
    return {
      OVS_FLEET_HOST_ID: host.hostId,
      OVS_FLEET_OVSDB: remote === 'unix' ? host.ovsdbUnix : host.ovsdbTcp,
      ...(redis ? { OVS_FLEET_REDIS_URL: `redis://${credentials}${redis.host}:${redis.port}` } : {}),
      ...(this.state.podman ? { OVS_FLEET_DOCKER_SOCKET: this.names.podmanSocket } : {}),
    };
  }

  /**
   * Stops the host's ovsdb-server (SIGTERM, or SIGKILL as a crash) and starts it again on the
   * same database file, sockets and address: its clients (ovs-vswitchd, agents) must reconnect.
   */
  async restartOvsdbServer(which: number | string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const host = this.host(which);
    const names = hostNames(this.names, host.index);
    await stopDaemon(names.ovsdbPidFile, names.runDir, signal);
    await startOvsdbServer(names, host.mgmtIp);
  }

  /**
   * Stops the lab's Redis (SIGTERM: it writes its append-only file out; SIGKILL: a crash,
   * losing at most the last second) and starts it again on the same address, port and run
   * dir, so it loads what was written.
   */
  async restartRedis(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const redis = this.state.redis;
    if (!redis) throw new ValidationError('redis', `lab "${this.name}" was made without Redis`);
    await stopDaemon(this.names.redisPidFile, this.names.runDir, signal);
    await startRedis(this.names, redis.host, redis.port);
  }

  status(): Promise<LabStatus> {
    return labStatus(this.names, this.state, (index) => hostNames(this.names, index));
  }

  createNamespace(name: string): Promise<NetnsContainer> {
    return createNetnsContainer(this.names, name);
  }

  removeNamespace(name: string): Promise<void> {
    return removeNetnsContainer(this.names, name);
  }

  /** Podman (image, API service) for this lab, started on first use. */
  podman(): Promise<LabPodman> {
    this.podmanStarting ??= (async () => {
      if (!this.state.podman) {
        this.state = { ...this.state, podman: true };
        await writeState(this.names.stateFile, this.state);
      }
      return LabPodman.start(this.names);
    })();
    return this.podmanStarting;
  }

  down(): Promise<TeardownReport> {
    return destroyLab(this.names);
  }

  private async build(plan: LabAddressPlan, options: LabOptions, pauseAt: UpStep | undefined): Promise<void> {
    const hosts = this.state.hosts.map((h) => hostNames(this.names, h.index));
    await buildRootNetwork(this.names, plan, hosts);
    await pauseIfAsked(this.names.runDir, 'network', pauseAt);
    // allSettled: nothing may still be starting while a failed build is torn down.
    const results = await Promise.allSettled([
      ...this.state.hosts.map((h, i) =>
        startHostOvs({
          names: hosts[i],
          systemId: h.hostId,
          mgmtIp: h.mgmtIp,
          mgmtPrefixLength: plan.mgmt.prefixLength,
          underlayIp: h.underlayIp,
          underlayPrefixLength: plan.underlay.prefixLength,
          underlayNetwork: plan.underlay.cidr,
        }),
      ),
      options.redis === false ? undefined : this.startRedis(),
      options.podman ? this.podman() : undefined,
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await pauseIfAsked(this.names.runDir, 'daemons', pauseAt);
    await writeState(this.names.stateFile, this.state);
  }

  private async startRedis(): Promise<void> {
    const host = this.state.gateway;
    const port = await choosePort(host, DEFAULT_REDIS_PORT);
    await startRedis(this.names, host, port);
    this.state = { ...this.state, redis: { host, port, url: `redis://${host}:${port}` } };
  }
}
