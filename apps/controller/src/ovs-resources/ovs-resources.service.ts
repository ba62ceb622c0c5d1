import { Injectable } from '@nestjs/common';
import type { BridgeSpec, OperatorResources, PortSpec, TunnelSpec } from '@ovs-fleet/contracts';
import { NotFoundError } from '../common/api-errors';
import { canonicalOperatorResources } from '../desired-state';
import { MutationOutcome, StateStore } from '../state/state-store';
import { addBridge, addPort, addTunnel, HostOvsContext, hostOvsContext, namedResource, removeBridge, removePort, removeTunnel } from './host-resources';
import type { CreateBridgeDto, CreatePortDto, CreateTunnelDto } from './ovs-resource.dto';
import { bridgeSpec, portSpec, tunnelSpec } from './resource-specs';

/** The three kinds of operator resources, as the API and operations name them. */
export type ResourceKind = 'bridge' | 'port' | 'tunnel';

interface Edit<T> {
  resources: OperatorResources;
  value: T;
}

/**
 * Operator-managed bridges, ports and tunnels of each host. Every change goes through the
 * StateStore: under the write lock, checked against the host's integration bridge, its
 * other resources and the vlan networks on it, then stored with the host's new document.
 */
@Injectable()
export class OvsResourcesService {
  constructor(private readonly store: StateStore) {}

  /** The host's operator resources as its desired state holds them (404 on `id` for an unknown host). */
  async resources(hostId: string): Promise<OperatorResources> {
    const reader = this.store.reader();
    if (!(await reader.host(hostId))) throw new NotFoundError('id', `host ${hostId} is not registered`);
    return canonicalOperatorResources(await reader.operator(hostId));
  }

  async bridge(hostId: string, name: string): Promise<BridgeSpec> {
    return namedResource((await this.resources(hostId)).bridges, hostId, 'bridge', name);
  }

  async port(hostId: string, name: string): Promise<PortSpec> {
    return namedResource((await this.resources(hostId)).ports, hostId, 'port', name);
  }

  async tunnel(hostId: string, name: string): Promise<TunnelSpec> {
    return namedResource((await this.resources(hostId)).tunnels, hostId, 'tunnel', name);
  }

  createBridge(hostId: string, dto: CreateBridgeDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<BridgeSpec>> {
    return this.edit('bridge', 'create', hostId, dto.name, dryRun, requestId, (ctx) => {
      const bridge = bridgeSpec(dto, ctx.host);
      return { resources: addBridge(ctx, bridge), value: bridge };
    });
  }

  createPort(hostId: string, dto: CreatePortDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<PortSpec>> {
    const port = portSpec(dto);
    return this.edit('port', 'create', hostId, dto.name, dryRun, requestId, (ctx) => ({ resources: addPort(ctx, port), value: port }));
  }

  createTunnel(hostId: string, dto: CreateTunnelDto, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<TunnelSpec>> {
    const tunnel = tunnelSpec(dto);
    return this.edit('tunnel', 'create', hostId, dto.name, dryRun, requestId, (ctx) => ({ resources: addTunnel(ctx, tunnel), value: tunnel }));
  }

  removeBridge(hostId: string, name: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<BridgeSpec>> {
    return this.edit('bridge', 'delete', hostId, name, dryRun, requestId, (ctx) => asEdit(removeBridge(ctx, name)));
  }

  removePort(hostId: string, name: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<PortSpec>> {
    return this.edit('port', 'delete', hostId, name, dryRun, requestId, (ctx) => asEdit(removePort(ctx, name)));
  }

  removeTunnel(hostId: string, name: string, dryRun: boolean, requestId: string | null): Promise<MutationOutcome<TunnelSpec>> {
    return this.edit('tunnel', 'delete', hostId, name, dryRun, requestId, (ctx) => asEdit(removeTunnel(ctx, name)));
  }

  private edit<T>(
    kind: ResourceKind,
    verb: 'create' | 'delete',
    hostId: string,
    name: string,
    dryRun: boolean,
    requestId: string | null,
    change: (ctx: HostOvsContext) => Edit<T>,
  ): Promise<MutationOutcome<T>> {
    return this.store.mutate({ kind: `${kind}.${verb}`, resource: { type: kind, id: `${hostId}/${name}` }, dryRun, requestId }, async (tx) => {
      const host = await tx.host(hostId);
      if (!host) throw new NotFoundError('id', `host ${hostId} is not registered`);
      const { resources, value } = change(hostOvsContext(host, await tx.operator(hostId), await tx.allNetworks()));
      tx.putOperator(hostId, canonicalOperatorResources(resources));
      return value;
    });
  }
}

function asEdit<T>(result: { resources: OperatorResources; removed: T }): Edit<T> {
  return { resources: result.resources, value: result.removed };
}
