import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth';
import { DryRunQuery, mutationView } from '../common/mutation';
import { PageQuery } from '../common/pagination';
import { NetworkNameParam } from '../common/params';
import { RequestId } from '../common/request-id.decorator';
import { CreateNetworkDto, NetworkMutationView, NetworkPageView, NetworkView, PatchNetworkDto } from './network.dto';
import { NetworksService } from './networks.service';

@ApiTags('networks')
@ApiBearerAuth()
@Controller('v1/networks')
export class NetworksController {
  constructor(private readonly networks: NetworksService) {}

  @Post()
  @HttpCode(202)
  @RequireRole('provisioner')
  @ApiOperation({ summary: 'Create a network; every host it spans gets its local VLAN and tunnels.' })
  @ApiAcceptedResponse({ type: NetworkMutationView })
  async create(@Body() dto: CreateNetworkDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<NetworkMutationView> {
    const outcome = await this.networks.create(dto, query.dryRun ?? false, requestId);
    return { network: await this.networks.get(outcome.value.name).catch(() => ({ ...outcome.value })), ...mutationView(outcome) };
  }

  @Get()
  @ApiOkResponse({ type: NetworkPageView })
  list(@Query() query: PageQuery): Promise<NetworkPageView> {
    return this.networks.list(query);
  }

  @Get(':name')
  @ApiOkResponse({ type: NetworkView })
  get(@Param() params: NetworkNameParam): Promise<NetworkView> {
    return this.networks.get(params.name);
  }

  @Patch(':name')
  @HttpCode(202)
  @RequireRole('provisioner')
  @ApiOperation({ summary: 'Change a network\'s MTU or the hosts it spans.' })
  @ApiAcceptedResponse({ type: NetworkMutationView })
  async patch(@Param() params: NetworkNameParam, @Body() dto: PatchNetworkDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<NetworkMutationView> {
    const outcome = await this.networks.patch(params.name, dto, query.dryRun ?? false, requestId);
    return { network: { ...outcome.value }, ...mutationView(outcome) };
  }

  @Delete(':name')
  @HttpCode(202)
  @RequireRole('provisioner')
  @ApiOperation({ summary: 'Delete a network (409 while it has attachments); its tunnels go on every host.' })
  @ApiAcceptedResponse({ type: NetworkMutationView })
  async remove(@Param() params: NetworkNameParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<NetworkMutationView> {
    const outcome = await this.networks.remove(params.name, query.dryRun ?? false, requestId);
    return { network: null, ...mutationView(outcome) };
  }
}
