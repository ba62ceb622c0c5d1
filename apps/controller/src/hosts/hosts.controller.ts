import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mutationView, DryRunQuery } from '../common/mutation';
import { PageQuery } from '../common/pagination';
import { HostIdParam } from '../common/params';
import { RequestId } from '../common/request-id.decorator';
import { RequireRole } from '../auth';
import { AgentCredentialsService } from './agent-credentials.service';
import { SkipIdempotency } from '../idempotency/skip-idempotency.decorator';
import { AgentCredentialsView, HostMutationView, HostPageView, HostView, PutHostDto } from './host.dto';
import { HostsService } from './hosts.service';

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('v1/hosts')
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly credentials: AgentCredentialsService,
  ) {}

  @Put(':id')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Register a host, or update it (every mesh it is in follows).' })
  @ApiAcceptedResponse({ type: HostMutationView })
  async put(@Param() params: HostIdParam, @Body() dto: PutHostDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<HostMutationView> {
    const outcome = await this.hosts.put(params.id, dto, query.dryRun ?? false, requestId);
    return { host: (await this.hosts.views([outcome.value]))[0], ...mutationView(outcome) };
  }

  @Get()
  @ApiOperation({ summary: 'Hosts, by id, a page at a time.' })
  @ApiOkResponse({ type: HostPageView })
  list(@Query() query: PageQuery): Promise<HostPageView> {
    return this.hosts.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: HostView })
  get(@Param() params: HostIdParam): Promise<HostView> {
    return this.hosts.get(params.id);
  }

  @Post(':id/agent-credentials')
  @HttpCode(201)
  @RequireRole('admin')
  @SkipIdempotency()
  @ApiOperation({
    summary: 'Issue (or rotate) the Redis credentials of the host\'s agent: a Redis user that may only read this host\'s desired state, use its queue and write its status, reports and events.',
  })
  @ApiCreatedResponse({ type: AgentCredentialsView })
  async agentCredentials(@Param() params: HostIdParam): Promise<AgentCredentialsView> {
    return this.credentials.issue(params.id);
  }

  @Delete(':id/agent-credentials')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Remove the Redis user of the host\'s agent (after draining a host, once its agent has cleaned up); for a host already deleted, its job queue too, and what it left (its last document and revision, its agent\'s status and reports) expires with the operations that read it (7 days) unless the host is registered again.',
  })
  async revokeAgentCredentials(@Param() params: HostIdParam): Promise<void> {
    await this.credentials.revoke(params.id);
  }

  @Delete(':id')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Drain a host: its attachments are removed and it leaves every mesh.' })
  @ApiAcceptedResponse({ type: HostMutationView })
  async remove(@Param() params: HostIdParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<HostMutationView> {
    const outcome = await this.hosts.remove(params.id, query.dryRun ?? false, requestId);
    return { host: null, ...mutationView(outcome) };
  }
}
