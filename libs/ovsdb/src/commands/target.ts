import type { TransactOptions } from '../client/ovsdb-client';
import type { Operation, OperationResult } from '../protocol/wire';
import type { Replica } from '../replica/replica';

/**
 * What the command layer needs: a replica to read (and plan against) and a transact that
 * resolves only once that replica holds the transaction's effects (read your writes).
 * `OvsdbIdl` is one. A failed transaction may either throw `OvsdbTransactionError`
 * (the client's default) or resolve with the error element in the results.
 */
export interface CommandTarget {
  readonly replica: Replica;
  transact(ops: readonly Operation[], options?: TransactOptions): Promise<OperationResult[]>;
}
