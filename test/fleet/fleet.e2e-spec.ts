/**
 * The fleet end to end (issue 11): a provisioning system drives everything through the
 * controller's REST API; the controller runs as its own process on the lab's Redis; one real
 * agent per host runs INSIDE the host's namespace (`ip netns exec`), reaching Redis over the
 * management network with its own ACL user (POST /v1/hosts/{id}/agent-credentials). What the
 * agents did is proven by traffic between containers (ping, a counted broadcast) and by
 * `ip`/`ovs-vsctl` on the hosts, never by asking the agents.
 *
 * Layout: four networks in ONE subnet (198.18.10.0/24, each with its own allocation pool),
 * so that every cross-network ping is a same-subnet ARP that only isolation on the switches
 * stops: blue (VXLAN, on all three hosts, for the broadcast count over a full mesh), green
 * (GRE), gold (Geneve) and prov (VLAN 310 on the lab's provider segment, br-prov). Nine
 * containers, three per host, plain namespaces and podman containers found by name.
 * The `it`s share the lab and run in order; each change's operation must report every host
 * applied, with receipts.
 */
import { randomBytes } from 'node:crypto';
import { tunnelPortName } from '@ovs-fleet/contracts';
import { ip, run } from '@ovs-fleet/iproute';
import { Lab, podmanEnv, type LabHost, type LabPodman } from '@ovs-fleet/lab';
import { hostIfname } from '@ovs-fleet/plumbing';
import { ControllerProcess } from '../support/controller-process';
import { FleetApi, type AttachmentView, type HostView, type MutationAnswer, type OperationRef, type OperationView } from './support/fleet-api';
import { HostAgent } from './support/host-agent';
import { bridgePorts, broadcastCopies, containerAddresses, hostLinks, netnsContainer, pings, pingsWithin, podmanContainer, vsctl, type Container } from './support/probes';

jest.setTimeout(60_000);

const LAB = `fl${randomBytes(3).toString('hex').slice(0, 5)}`;
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const PROVISIONER_TOKEN = randomBytes(24).toString('hex');
const SUBNET = '198.18.10.0/24';
const DRIFT_REPAIR_MS = 5000;

type NetworkType = 'vxlan' | 'gre' | 'geneve' | 'vlan';
const NETWORKS: { name: string; type: NetworkType; pool: [string, string]; segmentId?: number; providerBridge?: string }[] = [
  { name: 'blue', type: 'vxlan', pool: ['198.18.10.10', '198.18.10.49'] },
  { name: 'green', type: 'gre', pool: ['198.18.10.50', '198.18.10.89'] },
  { name: 'gold', type: 'geneve', pool: ['198.18.10.90', '198.18.10.129'] },
  { name: 'prov', type: 'vlan', pool: ['198.18.10.130', '198.18.10.169'], segmentId: 310, providerBridge: 'br-prov' },
];
const OVERLAYS = NETWORKS.filter((n) => n.type !== 'vlan');

const PLACEMENT: { name: string; host: string; network: string; kind: 'netns' | 'podman' }[] = [
  { name: 'blue1', host: 'h1', network: 'blue', kind: 'netns' },
  { name: 'green1', host: 'h1', network: 'green', kind: 'podman' },
  { name: 'prov1', host: 'h1', network: 'prov', kind: 'netns' },
  { name: 'blue2', host: 'h2', network: 'blue', kind: 'podman' },
  { name: 'green2', host: 'h2', network: 'green', kind: 'netns' },
  { name: 'gold2', host: 'h2', network: 'gold', kind: 'netns' },
  { name: 'blue3', host: 'h3', network: 'blue', kind: 'netns' },
  { name: 'gold3', host: 'h3', network: 'gold', kind: 'podman' },
  { name: 'prov3', host: 'h3', network: 'prov', kind: 'podman' },
];

/** The agents' settings: a job whose agent was killed is retried within seconds (the defaults wait 30 s for its lock). */
const AGENT_SETTINGS = { OVS_FLEET_JOB_LOCK_MS: '3000', OVS_FLEET_JOB_STALLED_INTERVAL_MS: '1000' };

let lab: Lab | undefined;
let podman: LabPodman;
let controller: ControllerProcess | undefined;
let admin: FleetApi;
let provisioner: FleetApi;
const agents = new Map<string, HostAgent>();
const credentials = new Map<string, { username: string; password: string }>();
/** Registered hosts, by lab id (h1...). */
const registered = new Set<string>();

interface Member {
  container: Container;
  network: string;
  attachment: AttachmentView;
}
const members = new Map<string, Member>();

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const labOrFail = (): Lab => {
  if (!lab) throw new Error('the lab did not come up');
  return lab;
};
const host = (id: string | number): LabHost => labOrFail().host(id);
const member = (name: string): Member => {
  const found = members.get(name);
  if (!found) throw new Error(`container ${name} was not attached (an earlier step failed)`);
  return found;
};
const addressOf = (name: string): string => member(name).attachment.addresses[0].split('/')[0];
const veth = (name: string): string => hostIfname(member(name).attachment.id, 'eth0');
const network = (name: string) => NETWORKS.find((n) => n.name === name)!;
const bridgeOf = (networkName: string): string => network(networkName).providerBridge ?? 'br-int';

function agentLogs(): string {
  return [...agents.entries()].map(([id, agent]) => `--- agent ${id} ---\n${agent.transcript(15)}`).join('\n');
}

/**
 * Waits for an operation and checks that every host it targets applied it, with receipts in
 * order. `work`: the hosts' jobs changed something (committed to OVSDB, ovs-vswitchd applied
 * it; `links`: containers plumbed), which holds unless an agent converged on its own first
 * (at start), leaving its job nothing to do.
 */
async function settle(operation: OperationRef | null, what: string, work: { ovsdb: boolean; links?: boolean } = { ovsdb: true }): Promise<OperationView> {
  if (!operation) throw new Error(`${what}: the answer carries no operation`);
  let view = await admin.operation(operation.id, 45);
  // Applied by the status hash first (an agent converged on its own at start): the job's report, with receipts, follows.
  for (const deadline = Date.now() + 15_000; view.state === 'applied' && view.hosts.some((h) => h.receipts.appliedAt === null) && Date.now() < deadline; ) {
    await sleep(200);
    view = await admin.operation(operation.id, 0);
  }
  if (view.state !== 'applied') throw new Error(`${what}: operation ${view.state}: ${view.message ?? JSON.stringify(view.hosts)}\n${agentLogs()}`);
  expect(view.hosts.map((h) => h.hostId)).toEqual(Object.keys(operation.targets).sort());
  for (const h of view.hosts) {
    const r = h.receipts;
    const at = (text: string | null, step: string): number => {
      if (text === null) throw new Error(`${what}: host ${h.hostId} applied it without a ${step} receipt: ${JSON.stringify(h)}`);
      return Date.parse(text);
    };
    expect({ host: h.hostId, state: h.state, error: h.error }).toEqual({ host: h.hostId, state: 'applied', error: null });
    expect(h.appliedRevision).toBeGreaterThanOrEqual(h.targetRevision);
    const [accepted, queued, pickedUp, applied] = [at(r.acceptedAt, 'acceptedAt'), at(r.queuedAt, 'queuedAt'), at(r.pickedUpAt, 'pickedUpAt'), at(r.appliedAt, 'appliedAt')];
    expect(queued).toBeGreaterThanOrEqual(accepted);
    expect(applied).toBeGreaterThanOrEqual(Math.max(accepted, pickedUp));
    if (work.ovsdb) {
      const committed = at(r.committedAt, 'committedAt');
      const vswitchd = at(r.vswitchdAppliedAt, 'vswitchdAppliedAt');
      expect(pickedUp).toBeLessThanOrEqual(committed);
      expect(committed).toBeLessThanOrEqual(vswitchd);
      expect(vswitchd).toBeLessThanOrEqual(applied);
    }
    if (work.links) expect(at(r.linkUpAt, 'linkUpAt')).toBeLessThanOrEqual(applied);
  }
  return view;
}

async function registerHost(id: string): Promise<MutationAnswer & { host: HostView }> {
  const h = host(id);
  const answer = await admin.call<MutationAnswer & { host: HostView }>('PUT', `/v1/hosts/${h.hostId}`, 202, { tunnelIp: h.underlayIp, datapathType: 'netdev' });
  registered.add(id);
  return answer;
}

/** The host's agent, in its namespace, with its own Redis user (issued once, kept across restarts). */
async function startAgent(id: string): Promise<HostAgent> {
  const h = host(id);
  let user = credentials.get(id);
  if (!user) {
    user = await admin.call<{ username: string; password: string }>('POST', `/v1/hosts/${h.hostId}/agent-credentials`, 201);
    credentials.set(id, user);
  }
  const agent = HostAgent.start(h.netns, { ...labOrFail().agentEnv(id, { redisUser: user }), ...AGENT_SETTINGS });
  agents.set(id, agent);
  await agent.waitForLog((line) => line.msg === 'agent started', 90_000);
  return agent;
}

/** The tunnel ports each registered host must have: one per overlay network (of `networks`) and other registered host. */
async function expectMesh(networks: readonly string[]): Promise<void> {
  const hosts = [...registered].sort().map(host);
  for (const h of hosts) {
    const wanted = networks.flatMap((net) => hosts.filter((other) => other !== h).map((other) => ({ net, other, port: tunnelPortName(net, other.hostId) })));
    const tunnels = (await bridgePorts(h, 'br-int')).filter((port) => port.startsWith('ovt-'));
    expect({ host: h.id, tunnels }).toEqual({ host: h.id, tunnels: wanted.map((w) => w.port).sort() });
    for (const { net, other, port } of wanted) {
      const [type, key, remote, local, isProtected] = (
        await vsctl(h, ['get', 'Interface', port, 'type', '--', 'get', 'Interface', port, 'options:key', '--', 'get', 'Interface', port, 'options:remote_ip', '--', 'get', 'Interface', port, 'options:local_ip', '--', 'get', 'Port', port, 'protected'])
      ).split('\n');
      const record = await provisioner.get<{ type: string; segmentId: number }>(`/v1/networks/${net}`);
      expect({ port, type, key, remote, local, isProtected }).toEqual({ port, type: record.type, key: `"${record.segmentId}"`, remote: `"${other.underlayIp}"`, local: `"${h.underlayIp}"`, isProtected: 'true' });
    }
  }
}

async function makeContainer(name: string, hostId: string, kind: 'netns' | 'podman'): Promise<Container> {
  const l = labOrFail();
  return kind === 'netns' ? netnsContainer(host(hostId), await l.createNamespace(name)) : podmanContainer(host(hostId), podman, await podman.run(name));
}

async function attach(container: Container, networkName: string): Promise<MutationAnswer & { attachment: AttachmentView }> {
  const answer = await provisioner.call<MutationAnswer & { attachment: AttachmentView }>('POST', '/v1/attachments', 202, {
    network: networkName,
    host: container.host.hostId,
    container: container.ref,
    gateway: false,
  });
  members.set(container.name, { container, network: networkName, attachment: answer.attachment });
  return answer;
}

const CREATE_ATTACHMENT = `mutation ($input: CreateAttachmentInput!) {
  createAttachment(input: $input) { attachment { id network host ifname mac addresses revision gateway createdAt } operation { id targets } changes { hostId fromRevision toRevision } dryRun }
}`;

/** The same attachment through GraphQL, as a provisioning system on the GraphQL API would make it. */
async function attachViaGraphql(container: Container, networkName: string): Promise<MutationAnswer & { attachment: AttachmentView }> {
  const { createAttachment } = await provisioner.graphql<{ createAttachment: MutationAnswer & { attachment: AttachmentView } }>(CREATE_ATTACHMENT, {
    input: { network: networkName, host: container.host.hostId, container: container.ref, gateway: false },
  });
  members.set(container.name, { container, network: networkName, attachment: createAttachment.attachment });
  return createAttachment;
}

/** Our veths on a host, and our ports on its bridges, against what the API says is attached there. */
async function expectOnlyAttachedPlumbing(h: LabHost): Promise<void> {
  const attached = (await admin.get<{ items: AttachmentView[] }>(`/v1/attachments?host=${h.hostId}&limit=500`)).items.map((a) => hostIfname(a.id, a.ifname)).sort();
  const ours = (names: string[]) => names.filter((n) => /^ovfc[0-9a-f]{11}$/.test(n)).sort();
  expect({ host: h.id, links: ours(await hostLinks(h)) }).toEqual({ host: h.id, links: attached });
  const ports = [...(await bridgePorts(h, 'br-int')), ...(await bridgePorts(h, 'br-prov'))];
  expect({ host: h.id, ports: ours(ports) }).toEqual({ host: h.id, ports: attached });
}

async function inChunks<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return results;
}

/** Repair lines the agent logged (after line `from`) for drift it did not cause. */
function repairsLogged(id: string, from: number): number {
  return agents.get(id)!.lines.slice(from).filter((line) => line.msg === 'repaired drift').length;
}

async function expectRepairedWithin(agentId: string, breakIt: () => Promise<void>, from: Member, to: string): Promise<void> {
  const logFrom = agents.get(agentId)!.lines.length;
  await breakIt();
  const took = await pingsWithin(from.container, to, DRIFT_REPAIR_MS).catch((error: Error) => {
    throw new Error(`${error.message}\n${agentLogs()}`);
  });
  expect(took).toBeLessThanOrEqual(DRIFT_REPAIR_MS);
  await pingsWithin(from.container, to, 0); // and it stays repaired
  expect(repairsLogged(agentId, logFrom)).toBeGreaterThanOrEqual(1);
}

beforeAll(async () => {
  lab = await Lab.up({ name: LAB, hosts: 4, autoRanges: true, podman: true });
  podman = await lab.podman();
  if (!lab.redis) throw new Error('the lab has no Redis');
  controller = await ControllerProcess.start({
    redisUrl: lab.redis.url,
    tokens: `ops:admin:${ADMIN_TOKEN},provisioning:provisioner:${PROVISIONER_TOKEN}`,
  });
  admin = new FleetApi(controller.url, ADMIN_TOKEN);
  provisioner = new FleetApi(controller.url, PROVISIONER_TOKEN);
}, 120_000);

afterAll(async () => {
  await Promise.all([...agents.values()].map((agent) => agent.stop(3000).catch(() => undefined)));
  await controller?.stop().catch(() => undefined);
  await Lab.down(LAB); // also ends anything still running in the hosts' namespaces
}, 60_000);

describe('the fleet end to end: REST API, controller, an agent per lab host, traffic between containers', () => {
  it('three hosts register with their underlay address as tunnel endpoint; their agents start inside the hosts and apply it', async () => {
    const answers = await Promise.all(['h1', 'h2', 'h3'].map(registerHost));
    for (const [i, answer] of answers.entries()) {
      expect(answer.host).toMatchObject({ id: host(i + 1).hostId, tunnelIp: host(i + 1).underlayIp, datapathType: 'netdev', integrationBridge: 'br-int' });
    }
    await Promise.all(['h1', 'h2', 'h3'].map(startAgent));
    for (const answer of answers) await settle(answer.operation, `registering ${answer.host.id}`, { ovsdb: false });

    const listed = (await admin.get<{ items: HostView[] }>('/v1/hosts')).items;
    expect(listed.map((h) => [h.id, h.tunnelIp, h.datapathType, h.status.connected])).toEqual(
      ['h1', 'h2', 'h3'].map((id) => [host(id).hostId, host(id).underlayIp, 'netdev', true]),
    );
    for (const id of ['h1', 'h2', 'h3']) expect(await vsctl(host(id), ['get', 'Bridge', 'br-int', 'datapath_type'])).toBe('netdev');
  }, 150_000);

  it('a VXLAN, a GRE and a Geneve network and a VLAN network on the provider bridge, in one subnet: every host gets a full mesh of protected tunnels for the overlays', async () => {
    for (const net of NETWORKS) {
      const answer = await provisioner.call<MutationAnswer & { network: { name: string; type: string; providerBridge: string | null } }>('POST', '/v1/networks', 202, {
        name: net.name,
        type: net.type,
        subnets: [{ cidr: SUBNET, allocationPools: [{ start: net.pool[0], end: net.pool[1] }] }],
        ...(net.segmentId === undefined ? {} : { segmentId: net.segmentId }),
        ...(net.providerBridge === undefined ? {} : { providerBridge: net.providerBridge }),
      });
      expect(answer.network).toMatchObject({ name: net.name, type: net.type, providerBridge: net.providerBridge ?? null });
      // A vlan network changes nothing in OVSDB until a port is attached on br-prov.
      await settle(answer.operation, `creating network ${net.name}`, { ovsdb: net.type !== 'vlan' });
    }
    await expectMesh(OVERLAYS.map((n) => n.name));
  });

  it('nine containers, plain namespaces and podman containers found by name, attach with addresses the controller allocates', async () => {
    const containers = await Promise.all(PLACEMENT.map((p) => makeContainer(p.name, p.host, p.kind)));
    const answers = await Promise.all(containers.map((c, i) => attach(c, PLACEMENT[i].network)));
    for (const [i, answer] of answers.entries()) await settle(answer.operation, `attaching ${PLACEMENT[i].name}`, { ovsdb: true, links: true });

    for (const p of PLACEMENT) {
      const { attachment, container } = member(p.name);
      const [address] = attachment.addresses;
      const last = Number(address.split('/')[0].split('.')[3]);
      const [first, end] = network(p.network).pool.map((a) => Number(a.split('.')[3]));
      expect({ container: p.name, prefix: address.replace(/\.\d+\/24$/, '.0/24'), inPool: last >= first && last <= end }).toEqual({ container: p.name, prefix: SUBNET, inPool: true });
      expect({ container: p.name, addresses: await containerAddresses(container) }).toEqual({ container: p.name, addresses: [address] });
      expect(await bridgePorts(container.host, bridgeOf(p.network))).toContain(veth(p.name));
      if (p.network === 'prov') expect(await vsctl(container.host, ['get', 'Port', veth(p.name), 'tag'])).toBe('310');
    }
    const all = PLACEMENT.map((p) => addressOf(p.name));
    expect(new Set(all).size).toBe(all.length);
  });

  it('every pair on the same network pings across hosts; no pair on different networks does, the VLAN network included', async () => {
    const names = PLACEMENT.map((p) => p.name);
    const same = names.flatMap((a) => names.filter((b) => b !== a && member(a).network === member(b).network).map((b) => [a, b] as const));
    const across = names.flatMap((a, i) => names.slice(i + 1).filter((b) => member(a).network !== member(b).network).map((b) => [a, b] as const));
    expect([same.length, across.length]).toEqual([12, 30]);
    // The first packet may wait for ARP on a fresh attachment: a few seconds' grace.
    await inChunks(same, 6, async ([a, b]) => pingsWithin(member(a).container, addressOf(b), 5000));
    const crossed = await inChunks(across, 15, async ([a, b]) => ((await pings(member(a).container, addressOf(b))) ? `${a} -> ${b}` : null));
    expect(crossed.filter((pair) => pair !== null)).toEqual([]);
  });

  it('a broadcast sent once arrives exactly once at each other member of its network and nowhere else: no loop in the mesh', async () => {
    const sender = member('blue1');
    const receivers = PLACEMENT.map((p) => p.name).filter((n) => n !== 'blue1');
    const copies = await broadcastCopies(sender.container, sender.attachment.mac, receivers.map((n) => member(n).container), '198.18.10.250');
    expect(Object.fromEntries(copies)).toEqual(Object.fromEntries(receivers.map((n) => [n, member(n).network === 'blue' ? 1 : 0])));
  });

  it("deleting an attachment removes its veth, its OVS port and its address on that host", async () => {
    const gone = member('gold2');
    const h2 = host('h2');
    expect(await hostLinks(h2)).toContain(veth('gold2'));
    const answer = await provisioner.call<MutationAnswer>('DELETE', `/v1/attachments/${gone.attachment.id}`, 202);
    await settle(answer.operation, 'detaching gold2');
    expect(await hostLinks(h2)).not.toContain(veth('gold2'));
    expect(await bridgePorts(h2, 'br-int')).not.toContain(veth('gold2'));
    expect(await containerAddresses(gone.container)).toBeNull();
    await provisioner.call('GET', `/v1/attachments/${gone.attachment.id}`, 404);
    await expectOnlyAttachedPlumbing(h2);
    members.delete('gold2');
  });

  it('deleting a network removes its tunnels on every host', async () => {
    const detached = await provisioner.call<MutationAnswer>('DELETE', `/v1/attachments/${member('gold3').attachment.id}`, 202);
    await settle(detached.operation, 'detaching gold3');
    members.delete('gold3');
    const removed = await provisioner.call<MutationAnswer>('DELETE', '/v1/networks/gold', 202);
    expect(Object.keys(removed.operation?.targets ?? {}).sort()).toEqual(['h1', 'h2', 'h3'].map((id) => host(id).hostId));
    await settle(removed.operation, 'deleting network gold');
    await expectMesh(['blue', 'green']);
    for (const id of ['h1', 'h2', 'h3']) expect((await bridgePorts(host(id), 'br-int')).filter((p) => ['h1', 'h2', 'h3'].some((o) => p === tunnelPortName('gold', host(o).hostId)))).toEqual([]);
  });

  it('a fourth host joins: the mesh extends to it and its container (attached through GraphQL) reaches the other members', async () => {
    const answer = await registerHost('h4');
    expect(Object.keys(answer.operation?.targets ?? {}).sort()).toEqual(['h1', 'h2', 'h3', 'h4'].map((id) => host(id).hostId));
    await startAgent('h4');
    await settle(answer.operation, 'registering h4', { ovsdb: false });
    await expectMesh(['blue', 'green']);

    const blue4 = await makeContainer('blue4', 'h4', 'netns');
    const attached = await attachViaGraphql(blue4, 'blue');
    expect(attached.attachment.addresses[0]).toMatch(/^198\.18\./);
    await settle(attached.operation, 'attaching blue4', { ovsdb: true, links: true });
    for (const other of ['blue1', 'blue2', 'blue3']) await pingsWithin(blue4, addressOf(other), 5000);
    expect(await pings(blue4, addressOf('prov1'))).toBe(false);
  });

  it('draining a host: the others drop their tunnels to it, and its agent removes what it made there', async () => {
    const h4 = host('h4');
    const blue4 = member('blue4');
    const answer = await admin.call<MutationAnswer>('DELETE', `/v1/hosts/${h4.hostId}`, 202);
    expect(Object.keys(answer.operation?.targets ?? {}).sort()).toEqual(['h1', 'h2', 'h3', 'h4'].map((id) => host(id).hostId));
    registered.delete('h4');
    await settle(answer.operation, 'draining h4');
    await expectMesh(['blue', 'green']);
    for (const id of ['h1', 'h2', 'h3']) expect((await bridgePorts(host(id), 'br-int')).filter((p) => p === tunnelPortName('blue', h4.hostId) || p === tunnelPortName('green', h4.hostId))).toEqual([]);
    expect(await pings(member('blue1').container, addressOf('blue4'))).toBe(false);
    expect((await bridgePorts(h4, 'br-int')).filter((p) => p.startsWith('ovt-') || p.startsWith('ovfc'))).toEqual([]);
    expect(await containerAddresses(blue4.container)).toBeNull();
    expect((await hostLinks(h4)).filter((l) => l.startsWith('ovfc'))).toEqual([]);
    members.delete('blue4');
    await agents.get('h4')!.stop();
    await admin.call('DELETE', `/v1/hosts/${h4.hostId}/agent-credentials`, 204);
  });

  it('drift: a port removed by hand with ovs-vsctl is put back, traffic resuming within 5 s', async () => {
    await pingsWithin(member('blue1').container, addressOf('blue2'), 0);
    await expectRepairedWithin('h1', async () => void (await vsctl(host('h1'), ['del-port', 'br-int', veth('blue1')])), member('blue1'), addressOf('blue2'));
    expect(await bridgePorts(host('h1'), 'br-int')).toContain(veth('blue1'));
  });

  it('drift: a tag changed by hand is put back, traffic resuming within 5 s', async () => {
    const h2 = host('h2');
    const tag = await vsctl(h2, ['get', 'Port', veth('green2'), 'tag']);
    await pingsWithin(member('green1').container, addressOf('green2'), 0);
    await expectRepairedWithin('h2', async () => void (await vsctl(h2, ['set', 'Port', veth('green2'), 'tag=4000'])), member('green1'), addressOf('green2'));
    expect(await vsctl(h2, ['get', 'Port', veth('green2'), 'tag'])).toBe(tag);
  });

  it("drift: a container's veth deleted by hand is made again with its address, traffic resuming within 5 s", async () => {
    const prov1 = member('prov1');
    await pingsWithin(prov1.container, addressOf('prov3'), 0);
    await expectRepairedWithin('h1', async () => void (await ip(['link', 'del', 'eth0'], { netns: (prov1.container.ref as { netns: string }).netns })), prov1, addressOf('prov3'));
    expect(await containerAddresses(prov1.container)).toEqual(prov1.attachment.addresses);
  });

  it('drift: a podman container restarted (a new namespace) is plumbed again, traffic resuming within 5 s', async () => {
    const blue2 = member('blue2');
    const before = await blue2.container.nsPath();
    await pingsWithin(member('blue1').container, addressOf('blue2'), 0);
    await expectRepairedWithin(
      'h2',
      async () => void (await run('podman', ['restart', '-t', '0', (blue2.container.ref as { dockerContainer: string }).dockerContainer], { env: podmanEnv() })),
      member('blue1'),
      addressOf('blue2'),
    );
    expect(await blue2.container.nsPath()).not.toBe(before);
    expect(await containerAddresses(blue2.container)).toEqual(blue2.attachment.addresses);
    await expectOnlyAttachedPlumbing(host('h2'));
  });

  it('kill -9 of an agent in the middle of a job: started again, its host converges with nothing left over', async () => {
    const h2 = host('h2');
    const containers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => makeContainer(`k${i}`, 'h2', 'netns')));
    const answers = await Promise.all(containers.map((c) => attach(c, 'blue')));
    const wanted = containers.map((c) => veth(c.name));
    // Killed once the first of the new veths is there: the job is half done.
    for (const deadline = Date.now() + 30_000; !(await hostLinks(h2)).some((link) => wanted.includes(link)); await sleep(20)) {
      if (Date.now() > deadline) throw new Error(`no veth of the new attachments on h2 within 30 s\n${agentLogs()}`);
    }
    const killed = agents.get('h2')!;
    killed.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const unfinished = await Promise.all(answers.map(async (a) => (await admin.operation(a.operation!.id, 0)).state));
    expect(unfinished).toContain('pending'); // it really was in the middle

    await startAgent('h2');
    for (const answer of answers) await settle(answer.operation, 'attaching k1..k6 across a kill -9', { ovsdb: false });
    await expectOnlyAttachedPlumbing(h2);
    for (const c of containers) expect({ container: c.name, addresses: await containerAddresses(c) }).toEqual({ container: c.name, addresses: member(c.name).attachment.addresses });
    await pingsWithin(member('k1').container, addressOf('blue1'), 5000);
  }, 90_000);

  it("ovsdb-server of a host and Redis restarted (crashes): no desired state lost, and every host converges to a change made after", async () => {
    const snapshot = async () => ({
      networks: (await admin.get<{ items: object[] }>('/v1/networks')).items,
      attachments: (await admin.get<{ items: (AttachmentView & { status?: unknown })[] }>('/v1/attachments?limit=500')).items.map(({ status: _status, ...rest }) => rest),
      revisions: (await admin.get<{ items: HostView[] }>('/v1/hosts')).items.map((h) => [h.id, h.status.desiredRevision]),
    });
    const before = await snapshot();
    await labOrFail().restartOvsdbServer('h1', 'SIGKILL');
    await sleep(1500); // Redis syncs its append-only file every second
    await labOrFail().restartRedis('SIGKILL');
    expect(await snapshot()).toEqual(before);

    // A change for every host, after both restarts.
    const created = await provisioner.call<MutationAnswer>('POST', '/v1/networks', 202, { name: 'teal', type: 'vxlan', subnets: [{ cidr: '198.18.11.0/24' }] });
    expect(Object.keys(created.operation?.targets ?? {}).sort()).toEqual(['h1', 'h2', 'h3'].map((id) => host(id).hostId));
    await settle(created.operation, 'creating network teal after the restarts');
    await expectMesh(['blue', 'green', 'teal']);
    for (const id of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6']) {
      const detached = await provisioner.call<MutationAnswer>('DELETE', `/v1/attachments/${member(id).attachment.id}`, 202);
      await settle(detached.operation, `detaching ${id} after the restarts`);
      members.delete(id);
    }
    for (const id of ['h1', 'h2', 'h3']) await expectOnlyAttachedPlumbing(host(id));
    const names = [...members.keys()];
    const same = names.flatMap((a) => names.filter((b) => b !== a && member(a).network === member(b).network).map((b) => [a, b] as const));
    await inChunks(same, 6, async ([a, b]) => pingsWithin(member(a).container, addressOf(b), 5000));
  }, 90_000);
});
