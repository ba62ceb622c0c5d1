import type { CommandTarget } from '@ovs-fleet/ovsdb';

/** An OVSDB command target that counts the transactions sent through it to `target`. */
export class CountedTarget implements CommandTarget {
  transactions = 0;

  constructor(private readonly target: CommandTarget) {}

  get replica(): CommandTarget['replica'] {
    return this.target.replica;
  }

  transact: CommandTarget['transact'] = (ops, options) => {
    this.transactions++;
    return this.target.transact(ops, options);
  };
}
