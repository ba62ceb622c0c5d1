import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth';
import { DryRunQuery, mutationView } from '../common/mutation';
import { UuidParam } from '../common/params';
import { RequestId } from '../common/request-id.decorator';
import { AttachmentMutationView, AttachmentPageView, AttachmentQuery, AttachmentView, CreateAttachmentDto } from './attachment.dto';
import { AttachmentsService } from './attachments.service';


@ApiTags('attachments')
@ApiBearerAuth()
@Controller('v1/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @HttpCode(202)
  @RequireRole('provisioner')
  @ApiOperation({ summary: 'Attach a container to a network on a host; addresses are allocated from the network\'s subnets.' })
  @ApiAcceptedResponse({ type: AttachmentMutationView })
  async create(@Body() dto: CreateAttachmentDto, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<AttachmentMutationView> {
    const outcome = await this.attachments.create(dto, query.dryRun ?? false, requestId);
    return { attachment: (await this.attachments.views([outcome.value]))[0], ...mutationView(outcome) };
  }

  @Get()
  @ApiOkResponse({ type: AttachmentPageView })
  list(@Query() query: AttachmentQuery): Promise<AttachmentPageView> {
    return this.attachments.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: AttachmentView })
  get(@Param() params: UuidParam): Promise<AttachmentView> {
    return this.attachments.get(params.id);
  }

  @Delete(':id')
  @HttpCode(202)
  @RequireRole('provisioner')
  @ApiOperation({ summary: 'Detach: the veth, port and addresses go on the host.' })
  @ApiAcceptedResponse({ type: AttachmentMutationView })
  async remove(@Param() params: UuidParam, @Query() query: DryRunQuery, @RequestId() requestId: string | null): Promise<AttachmentMutationView> {
    const outcome = await this.attachments.remove(params.id, query.dryRun ?? false, requestId);
    return { attachment: null, ...mutationView(outcome) };
  }
}
