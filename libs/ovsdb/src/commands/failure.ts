/** Thrown by a command's plan with ovs-vsctl's message; the batch turns it into OvsdbCommandError. */
export class CommandFailure extends Error {}

export function fail(reason: string): never {
  throw new CommandFailure(reason);
}
