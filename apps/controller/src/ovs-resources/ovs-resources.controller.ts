import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth';
import { DryRunQuery, mutationView } from '../common/mutation';
import { PageQuery, pageOfItems } from '../common/pagination';
import { HostIdParam } from '../common/params';
import { RequestId } from '../common/request-id.decorator';
import {
  BridgeListView,
  BridgeMutationView,
  BridgeView,
  CreateBridgeDto,
  CreatePortDto,
  CreateTunnelDto,
  HostResourceParam,
  PortListView,
  PortMutationView,
  PortView,
  TunnelListView,
  TunnelMutationView,
  TunnelView,
} from './ovs-resource.dto';
import { OvsResourcesService } from './ovs-resources.service';

/** Bridges, ports and tunnels an operator asks for on one host, beside what networks and attachments make. */
@ApiTags('ovs-resources')
@ApiBearerAuth()
@Controller('v1/hosts/:id')
export class OvsResourcesController {
  constructor(private readonly resources: OvsResourcesService) {}

  @Get('bridges')
  @ApiOperation({ summary: 'The operator bridges of a host, by name.' })
  @ApiOkResponse({ type: BridgeListView })
  async bridges(@Param() params: HostIdParam, @Query() query: PageQuery): Promise<BridgeListView> {
    return pageOfItems((await this.resources.resources(params.id)).bridges, (item) => item.name, query);
  }

  @Get('bridges/:name')
  @ApiOkResponse({ type: BridgeView })
  bridge(@Param() params: HostResourceParam): Promise<BridgeView> {
    return this.resources.bridge(params.id, params.name);
  }

  @Post('bridges')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Add a bridge to a host (e.g. a vlan network\'s provider bridge).' })
  @ApiAcceptedResponse({ type: BridgeMutationView })
  async createBridge(@Param() params: HostIdParam, @Body() dto: CreateBridgeDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<BridgeMutationView> {
    const outcome = await this.resources.createBridge(params.id, dto, query.dryRun ?? false, requestId);
    return { bridge: outcome.value, ...mutationView(outcome) };
  }

  @Delete('bridges/:name')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Remove an operator bridge (409 while ports, tunnels or a vlan network use it).' })
  @ApiAcceptedResponse({ type: BridgeMutationView })
  async removeBridge(@Param() params: HostResourceParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<BridgeMutationView> {
    const outcome = await this.resources.removeBridge(params.id, params.name, query.dryRun ?? false, requestId);
    return { bridge: outcome.value, ...mutationView(outcome) };
  }

  @Get('ports')
  @ApiOperation({ summary: 'The operator ports of a host, by name.' })
  @ApiOkResponse({ type: PortListView })
  async ports(@Param() params: HostIdParam, @Query() query: PageQuery): Promise<PortListView> {
    return pageOfItems((await this.resources.resources(params.id)).ports, (item) => item.name, query);
  }

  @Get('ports/:name')
  @ApiOkResponse({ type: PortView })
  port(@Param() params: HostResourceParam): Promise<PortView> {
    return this.resources.port(params.id, params.name);
  }

  @Post('ports')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Add an access, trunk, internal or patch port to one of the host\'s bridges.' })
  @ApiAcceptedResponse({ type: PortMutationView })
  async createPort(@Param() params: HostIdParam, @Body() dto: CreatePortDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<PortMutationView> {
    const outcome = await this.resources.createPort(params.id, dto, query.dryRun ?? false, requestId);
    return { port: outcome.value, ...mutationView(outcome) };
  }

  @Delete('ports/:name')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Remove an operator port.' })
  @ApiAcceptedResponse({ type: PortMutationView })
  async removePort(@Param() params: HostResourceParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<PortMutationView> {
    const outcome = await this.resources.removePort(params.id, params.name, query.dryRun ?? false, requestId);
    return { port: outcome.value, ...mutationView(outcome) };
  }

  @Get('tunnels')
  @ApiOperation({ summary: 'The operator tunnels of a host, by name (the overlay mesh is in GET /v1/topology).' })
  @ApiOkResponse({ type: TunnelListView })
  async tunnels(@Param() params: HostIdParam, @Query() query: PageQuery): Promise<TunnelListView> {
    return pageOfItems((await this.resources.resources(params.id)).tunnels, (item) => item.name, query);
  }

  @Get('tunnels/:name')
  @ApiOkResponse({ type: TunnelView })
  tunnel(@Param() params: HostResourceParam): Promise<TunnelView> {
    return this.resources.tunnel(params.id, params.name);
  }

  @Post('tunnels')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Add a VXLAN, Geneve or GRE tunnel port to one of the host\'s bridges.' })
  @ApiAcceptedResponse({ type: TunnelMutationView })
  async createTunnel(@Param() params: HostIdParam, @Body() dto: CreateTunnelDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<TunnelMutationView> {
    const outcome = await this.resources.createTunnel(params.id, dto, query.dryRun ?? false, requestId);
    return { tunnel: outcome.value, ...mutationView(outcome) };
  }

  @Delete('tunnels/:name')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Remove an operator tunnel.' })
  @ApiAcceptedResponse({ type: TunnelMutationView })
  async removeTunnel(@Param() params: HostResourceParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<TunnelMutationView> {
    const outcome = await this.resources.removeTunnel(params.id, params.name, query.dryRun ?? false, requestId);
    return { tunnel: outcome.value, ...mutationView(outcome) };
  }
}
