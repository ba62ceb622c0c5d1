import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { deriveOperationView, OPERATION_STATES, type HostOperationState, type OperationState } from '../operations/operation-status';
import type { OperationRecord } from '../operations/operation-record';
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

export class OperationHostRef {
  @ApiProperty() hostId!: string;
  @ApiProperty({ description: 'The revision of its desired state the host must reach.' }) targetRevision!: number;
  @ApiProperty({ enum: OPERATION_STATES, description: 'As the change was accepted (pending: the host has yet to apply it).' }) state!: HostOperationState;
}

export class OperationRef {
  @ApiProperty({ description: 'GET /v1/operations/{id} follows it.' })
  id!: string;

  @ApiProperty({ description: 'Per host: the revision it must reach.', type: 'object', additionalProperties: { type: 'integer' } })
  targets!: Record<string, number>;

  @ApiProperty({ enum: OPERATION_STATES, description: 'As the change was accepted: pending until every host applied it (applied at once when it changes no host).' })
  state!: OperationState;

  @ApiProperty({ type: [OperationHostRef], description: 'Each host, sorted by id, as the change was accepted; GET /v1/operations/{id} (or ?wait=) follows them.' })
  hosts!: OperationHostRef[];
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
    operation: outcome.operation ? operationRef(outcome.operation) : null,
    changes: outcome.hosts.map((h) => ({
      hostId: h.hostId,
      fromRevision: h.fromRevision,
      toRevision: h.toRevision,
      ...(outcome.dryRun ? { diff: h.diff } : {}),
      ...(h.agentPlan ? { agentPlan: h.agentPlan } : {}),
    })),
  };
}

/** The operation as its change was accepted: derived as GET derives it, from no host report yet. */
function operationRef(record: OperationRecord): OperationRef {
  const view = deriveOperationView(record, new Map(), Date.now());
  return {
    id: record.id,
    targets: Object.fromEntries(view.hosts.map((host) => [host.hostId, host.targetRevision])),
    state: view.state,
    hosts: view.hosts.map(({ hostId, targetRevision, state }) => ({ hostId, targetRevision, state })),
  };
}
