import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../common/params';
import { OperationViewDto, WaitQuery } from './operation.dto';
import { OperationsService } from './operations.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get(':id')
  @ApiOperation({ summary: 'An operation and, per host, its state and receipts; `wait` blocks until it is applied or failed.' })
  @ApiOkResponse({ type: OperationViewDto })
  @ApiBadRequestResponse({ description: '`id` is not a UUID, or `wait` is not 0-60 seconds.' })
  @ApiNotFoundResponse({ description: 'No such operation (they are kept 7 days).' })
  get(@Param() params: UuidParam, @Query() query: WaitQuery): Promise<OperationViewDto> {
    return this.operations.wait(params.id, query.wait ?? 0);
  }
}
