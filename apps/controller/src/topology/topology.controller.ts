import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TopologyView } from './topology.dto';
import { TopologyService } from './topology.service';

@ApiTags('topology')
@ApiBearerAuth()
@Controller('v1/topology')
export class TopologyController {
  constructor(private readonly topology: TopologyService) {}

  @Get()
  @ApiOperation({ summary: 'Hosts with their applied and desired revisions, networks with the hosts they span, and the overlay tunnels between hosts.' })
  @ApiOkResponse({ type: TopologyView })
  get(): Promise<TopologyView> {
    return this.topology.topology();
  }
}
