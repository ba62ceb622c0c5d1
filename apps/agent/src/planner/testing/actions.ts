import type { ConvergencePlan, OvsdbCommand } from '../types';

/** A plan as short lines, in execution order, for exact expectations in specs. */
export function actions(plan: ConvergencePlan): string[] {
  return [
    ...plan.namespace.detach.map((d) => `detach ${d.attachmentId} ${d.hostIfname} (${d.cause})`),
    ...plan.ovsdb.flatMap((change) => change.commands.map((command) => `${change.resource} ${change.name} (${change.cause}): ${commandText(command)}`)),
    ...plan.namespace.attach.map((a) => `attach ${a.attachmentId} ${a.hostIfname} (${a.cause})`),
  ];
}

function commandText(command: OvsdbCommand): string {
  switch (command.command) {
    case 'add-br':
      return `add-br ${command.bridge}`;
    case 'del-br':
      return `del-br ${command.bridge}`;
    case 'add-port':
      return `add-port ${command.bridge} ${command.port}`;
    case 'del-port':
      return `del-port ${command.port}`;
    case 'set':
      return `set ${command.table} ${command.record} ${JSON.stringify(command.values)}`;
  }
}
