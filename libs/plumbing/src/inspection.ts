import { IpAddr, IpRoute } from '@ovs-fleet/iproute';
import { netnsInode, targetOf } from './namespace';
import { ipBatchInTarget, parseJsonLines, Runner } from './runner';
import { Attachment } from './types';

export interface ContainerView {
  present: boolean;
  ifname: string;
  mac: string | null;
  mtu: number | null;
  up: boolean;
  addresses: string[];
  routes: { to: string; via: string | null }[];
}

export interface Inspection {
  attachment: Attachment;
  bridge: { bridge: string | null; tag: number | null; trunks: number[]; ofport: number | null; linkState: string | null; error: string | null };
  host: { present: boolean; mtu: number | null; up: boolean };
  container: ContainerView;
  /** Where reality differs from the recorded request (empty: no drift). */
  drift: string[];
}

/** The interface as the container sees it (nothing `present` if the namespace or interface is gone). */
export async function readContainerView(runner: Runner, a: Attachment): Promise<ContainerView> {
  const empty: ContainerView = { present: false, ifname: a.ifname, mac: null, mtu: null, up: false, addresses: [], routes: [] };
  const target = targetOf({ path: a.netnsPath });
  if ((await netnsInode(target.path)) !== a.netnsInode) return empty;
  const dev = a.ifname;
  let docs: unknown[];
  try {
    const { stdout } = await ipBatchInTarget(runner, target, [['address', 'show', 'dev', dev], ['route', 'show', 'table', 'all', 'dev', dev]], { json: true });
    docs = parseJsonLines(stdout);
  } catch {
    return empty;
  }
  const [addr] = (docs[0] as IpAddr[]) ?? [];
  if (!addr) return empty;
  // Both families, every table; the kernel's own (connected, local, multicast) routes are not ours.
  const routes = ((docs[1] as (IpRoute & { type?: string })[]) ?? [])
    .filter((r) => r.protocol !== 'kernel' && (r.type === undefined || r.type === 'unicast'))
    .map((r) => ({ to: r.dst === 'default' ? (r.gateway?.includes(':') ? '::/0' : '0.0.0.0/0') : r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`, via: r.gateway ?? null }));
  return {
    present: true,
    ifname: addr.ifname,
    mac: addr.address ?? null,
    mtu: addr.mtu,
    up: addr.flags.includes('UP'),
    addresses: addr.addr_info.filter((i) => i.scope !== 'link').map((i) => `${i.local}/${i.prefixlen}`),
    routes,
  };
}

/** Differences between the recorded request and what an inspection saw. */
export function driftOf(i: Inspection): string[] {
  const { spec } = i.attachment;
  const drift: string[] = [];
  if (i.bridge.bridge !== spec.bridge) drift.push(`bridge: ${i.bridge.bridge ?? 'none'} instead of ${spec.bridge}`);
  if (i.bridge.tag !== spec.tag) drift.push(`tag: ${i.bridge.tag} instead of ${spec.tag}`);
  if (i.bridge.trunks.join(',') !== spec.trunks.join(',')) drift.push(`trunks: [${i.bridge.trunks}] instead of [${spec.trunks}]`);
  if (i.bridge.error !== null) drift.push(`ovs error: ${i.bridge.error}`);
  if (!i.host.present) drift.push('host veth end missing');
  else {
    if (!i.host.up) drift.push('host veth end down');
    if (spec.mtu !== null && i.host.mtu !== spec.mtu) drift.push(`host mtu: ${i.host.mtu} instead of ${spec.mtu}`);
  }
  const c = i.container;
  if (!c.present) {
    drift.push('container interface missing');
    return drift;
  }
  if (!c.up) drift.push('container interface down');
  if (c.mac !== spec.mac) drift.push(`mac: ${c.mac} instead of ${spec.mac}`);
  if (spec.mtu !== null && c.mtu !== spec.mtu) drift.push(`container mtu: ${c.mtu} instead of ${spec.mtu}`);
  const missing = spec.addresses.filter((a) => !c.addresses.includes(a));
  const extra = c.addresses.filter((a) => !spec.addresses.includes(a));
  if (missing.length > 0) drift.push(`addresses missing: ${missing.join(', ')}`);
  if (extra.length > 0) drift.push(`addresses not requested: ${extra.join(', ')}`);
  const wanted = [
    ...(spec.gateway === null ? [] : [{ to: '0.0.0.0/0', via: spec.gateway }]),
    ...(spec.gateway6 === null ? [] : [{ to: '::/0', via: spec.gateway6 }]),
    ...spec.routes,
  ];
  const key = (r: { to: string; via: string | null }) => `${r.to} via ${r.via ?? 'link'}`;
  const seen = new Set(c.routes.map(key));
  const missingRoutes = wanted.map(key).filter((k) => !seen.has(k));
  if (missingRoutes.length > 0) drift.push(`routes missing: ${missingRoutes.join(', ')}`);
  return drift;
}
