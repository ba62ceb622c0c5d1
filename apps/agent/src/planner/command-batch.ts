import { commands, type CommandBatch, type CommandTarget, type ExecuteOptions, type Operation, type Replica, type WritableValue } from '@ovs-fleet/ovsdb';
import type { ColumnValue, ConvergencePlan, OvsdbCommand } from './types';

/**
 * Queues the plan's OVSDB part on a command batch (one transaction when executed), in plan
 * order. Additions use --may-exist and deletions --if-exists: a batch re-planned after
 * 'try again', or a repeat of a transaction whose reply was lost, then does no harm.
 */
export function toCommandBatch(plan: ConvergencePlan, batch: CommandBatch): CommandBatch {
  for (const change of plan.ovsdb) for (const command of change.commands) queue(batch, command);
  return batch;
}

/**
 * The exact operations the plan's transaction would send from this replica, applying nothing
 * (the controller's dry run). `options` as the agent executes with (waitForVswitchd adds
 * the next_cfg increment). Empty when there is nothing to send.
 */
export async function dryRunOperations(plan: ConvergencePlan, replica: Replica, options: Pick<ExecuteOptions, 'waitForVswitchd' | 'comment'> = {}): Promise<Operation[]> {
  let sent: Operation[] = [];
  const target: CommandTarget = {
    replica,
    transact: (ops) => {
      sent = [...ops];
      return Promise.reject(new DryRunStop());
    },
  };
  try {
    await toCommandBatch(plan, commands(target)).execute({ ...options, retries: 0 });
  } catch (error) {
    if (!(error instanceof DryRunStop)) throw error;
  }
  return sent;
}

/** Ends a dry run where the transaction would be sent. */
class DryRunStop extends Error {}

function queue(batch: CommandBatch, command: OvsdbCommand): void {
  switch (command.command) {
    case 'add-br':
      batch.addBridge(command.bridge, {
        mayExist: true,
        datapathType: command.datapathType,
        failMode: command.failMode ?? undefined,
        otherConfig: Object.keys(command.otherConfig).length > 0 ? command.otherConfig : undefined,
        externalIds: command.externalIds,
      });
      return;
    case 'del-br':
      batch.delBridge(command.bridge, { ifExists: true });
      return;
    case 'add-port': {
      const { iface } = command;
      batch.addPort(command.bridge, command.port, {
        mayExist: true,
        tag: command.tag ?? undefined,
        trunks: command.trunks.length > 0 ? command.trunks : undefined,
        vlanMode: command.vlanMode ?? undefined,
        externalIds: command.externalIds,
        // Only values that differ from the column defaults are written, as ovs-vsctl does.
        columns: command.protected ? { protected: true } : undefined,
        interfaces: [{ name: iface.name, type: iface.type === 'system' ? undefined : iface.type, options: Object.keys(iface.options).length > 0 ? iface.options : undefined }],
      });
      return;
    }
    case 'del-port':
      batch.delPort(undefined, command.port, { ifExists: true });
      return;
    case 'set':
      batch.set(command.table, command.record, Object.fromEntries(Object.entries(command.values).map(([column, value]) => [column, writable(value)])));
      return;
  }
}

function writable(value: ColumnValue): WritableValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value as WritableValue;
  return new Map(Object.entries(value));
}
