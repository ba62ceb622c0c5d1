import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { MutationOutcome } from '../state/state-store';

export class DryRunQuery {
  @ApiPropertyOptional({ description: 'true: change nothing, return what would change on each host.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'With dryRun=true: also ask each affected host\'s agent what it would do (the exact OVSDB operations and ip steps), applying nothing.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  explain?: boolean;
}

export class OperationRef {
  @ApiProperty({ description: 'GET /v1/operations/{id} follows it.' })
  id!: string;

  @ApiProperty({ description: 'Per host: the revision it must reach.', type: 'object', additionalProperties: { type: 'integer' } })
  targets!: Record<string, number>;
}

export class HostChangeView {
  @ApiProperty() hostId!: string;
  @ApiProperty() fromRevision!: number;
  @ApiProperty() toRevision!: number;
  @ApiPropertyOptional({
    description: 'Dry runs: what would change in the host\'s desired state (bridges, ports, tunnels, attachments, networks added, changed, removed). Left out of real changes, whose revision may also carry other requests committed with them.',
    type: 'object',
    additionalProperties: true,
  })
  diff?: object;

  @ApiPropertyOptional({
    description: 'Dry runs with explain=true: the host\'s agent\'s own plan ({answered: true, plan: {steps, ovsdbOperations, conflicts, empty}}) or why it did not answer.',
    type: 'object',
    additionalProperties: true,
  })
  agentPlan?: object;
}

/** The common part of every mutating response. */
export interface MutationView {
  dryRun: boolean;
  operation: OperationRef | null;
  changes: HostChangeView[];
}

export function mutationView(outcome: MutationOutcome<unknown>): MutationView {
  return {
    dryRun: outcome.dryRun,
    operation: outcome.operation ? { id: outcome.operation.id, targets: Object.fromEntries(Object.entries(outcome.operation.hosts).map(([h, t]) => [h, t.targetRevision])) } : null,
    changes: outcome.hosts.map((h) => ({
      hostId: h.hostId,
      fromRevision: h.fromRevision,
      toRevision: h.toRevision,
      ...(outcome.dryRun ? { diff: h.diff } : {}),
      ...(h.agentPlan ? { agentPlan: h.agentPlan } : {}),
    })),
  };
}
