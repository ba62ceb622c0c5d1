import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import type { ResourceRef } from './operation-record';
import { OPERATION_STATES, type HostErrorView, type HostOperationState, type HostOperationView, type HostReceiptsView, type OperationState, type OperationView } from './operation-status';
import { MAX_WAIT_S } from './operations.service';

const WAIT_MESSAGE = `must be a number of seconds from 0 to ${MAX_WAIT_S}`;
const DECIMAL = /^\d+(\.\d+)?$/;

/** One rule, so a bad value gets one message. */
const IsWaitSeconds = () =>
  ValidateBy({
    name: 'isWaitSeconds',
    validator: { validate: (value: unknown) => typeof value === 'number' && value >= 0 && value <= MAX_WAIT_S, defaultMessage: () => WAIT_MESSAGE },
  });

export class WaitQuery {
  @ApiPropertyOptional({ description: `Block until the operation is applied or failed, or this many seconds have passed (0-${MAX_WAIT_S}).`, minimum: 0, maximum: MAX_WAIT_S })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value))
  @IsWaitSeconds()
  wait?: number;
}

const instant = (description: string) => ({ type: String, format: 'date-time', nullable: true, description });

export class ResourceRefDto implements ResourceRef {
  @ApiProperty({ example: 'network' }) type!: string;
  @ApiProperty({ example: 'blue' }) id!: string;
}

export class HostErrorDto implements HostErrorView {
  @ApiProperty({ description: 'The agent\'s error code, or TIMED_OUT when the host did not answer before the deadline.', example: 'TIMED_OUT' })
  code!: string;
  @ApiProperty({ example: 'host h3 did not answer within 60 s' }) message!: string;
  @ApiProperty({ description: 'Whether the agent will try again.' }) retryable!: boolean;
}

export class HostReceiptsDto implements HostReceiptsView {
  @ApiProperty({ type: String, format: 'date-time', description: 'The controller accepted the change.' }) acceptedAt!: string;
  @ApiProperty(instant('The host\'s converge job was queued.')) queuedAt!: string | null;
  @ApiProperty(instant('The host\'s agent picked the job up.')) pickedUpAt!: string | null;
  @ApiProperty(instant('The agent\'s OVSDB transaction committed.')) committedAt!: string | null;
  @ApiProperty(instant('ovs-vswitchd applied the change.')) vswitchdAppliedAt!: string | null;
  @ApiProperty(instant('The containers\' links were up.')) linkUpAt!: string | null;
  @ApiProperty(instant('The agent reported the revision applied.')) appliedAt!: string | null;
}

export class HostOperationDto implements HostOperationView {
  @ApiProperty({ example: 'h1' }) hostId!: string;
  @ApiProperty({ description: 'Applied once the host reports this revision or a later one.' }) targetRevision!: number;
  @ApiProperty({ enum: OPERATION_STATES }) state!: HostOperationState;
  @ApiProperty({ type: Number, nullable: true, description: 'The revision the host last reported applied.' }) appliedRevision!: number | null;
  @ApiProperty({ type: HostErrorDto, nullable: true, description: 'failed: why; pending: the last error the agent will retry, if any.' })
  error!: HostErrorDto | null;
  @ApiProperty({ type: HostReceiptsDto }) receipts!: HostReceiptsDto;
}

export class OperationCountsDto implements Record<HostOperationState, number> {
  @ApiProperty() pending!: number;
  @ApiProperty() applied!: number;
  @ApiProperty() failed!: number;
}

export class OperationViewDto implements OperationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'network.create' }) kind!: string;
  @ApiProperty({ enum: OPERATION_STATES, description: 'applied: every host applied it; failed: a host failed or did not answer in time; pending otherwise.' })
  state!: OperationState;
  @ApiProperty({ type: String, nullable: true, description: 'failed: each failed host and why.' }) message!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Hosts that have not applied it by then have timed out.' }) deadline!: string;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: ResourceRefDto, nullable: true }) resource!: ResourceRefDto | null;
  @ApiProperty({ type: OperationCountsDto }) counts!: OperationCountsDto;
  @ApiProperty({ type: [HostOperationDto] }) hosts!: HostOperationDto[];
}
